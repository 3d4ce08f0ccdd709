"""Score incident pairs: TF-IDF cosine over weighted fields plus structural boosts.

Each incident becomes one TF-IDF row: per field, sublinear term frequency (1 + ln count)
times the field's weight, summed over fields, times the smoothed inverse document
frequency over the collection, L2-normalised. The text score of a pair is the cosine of
their rows. Structure then adds small boosts (root-cause category, contributing-factor
categories, services, tags) to the candidate pairs only, so the final score stays in [0, 1]:

    score = 0.70 text + 0.12 category + 0.06 factors + 0.06 services + 0.06 tags

``category`` is 1 for the same root-cause category, 0.5 when one incident's root-cause
category is a contributing-factor category of the other; the other three are Jaccard
overlaps. All incidents are scored at once in row blocks of ``X @ X.T`` (never a dense
N x N matrix); each row keeps its ``CANDIDATES`` best text scores, which are boosted and
ranked. Ties are broken by id, so results are deterministic.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from postmortems.model import Incident
from postmortems.similarity.reasons import describe
from postmortems.similarity.text import label, terms

FIELD_WEIGHTS: dict[str, float] = {
    "title": 2.0,
    "summary": 1.0,
    "trigger": 1.0,
    "root_cause.summary": 3.0,
    "root_cause.description": 2.0,
    "root_cause.five_whys": 1.0,
    "contributing_factors": 1.0,
    "resolution": 1.0,
}
TEXT_WEIGHT = 0.70
CATEGORY_WEIGHT = 0.12
FACTORS_WEIGHT = 0.06
SERVICES_WEIGHT = 0.06
TAGS_WEIGHT = 0.06

DEFAULT_THRESHOLD = 0.15
"""Lowest score reported as a match (chosen on tests/similarity_eval, see its README)."""
RECURRENCE_THRESHOLD = 0.3
"""Lowest score at which an earlier best match is called a possible repeat."""
CANDIDATES = 32
"""Best text matches per incident that structural boosts are added to."""
BLOCK_ROWS = 512
SHARED_TERMS = 3
DENSE_LIMIT = 15_000_000
"""Largest incidents x terms product scored with a dense matrix (faster for small vocabularies)."""


@dataclass(frozen=True)
class Match:
    """One similar incident, with why it is similar."""

    id: str
    title: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Recurrence:
    """An incident that may repeat an earlier one."""

    earlier_id: str
    score: float
    fix_may_not_have_held: bool
    reason: str


def incident_fields(data: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """The (field, text) pairs of an incident that similarity reads."""
    root = data.get("root_cause") or {}
    yield "title", str(data.get("title") or "")
    yield "summary", str(data.get("summary") or "")
    yield "trigger", str(data.get("trigger") or "")
    yield "root_cause.summary", str(root.get("summary") or "")
    yield "root_cause.description", str(root.get("description") or "")
    yield "root_cause.five_whys", " ".join(str(why) for why in root.get("five_whys") or [])
    factors = data.get("contributing_factors") or []
    yield (
        "contributing_factors",
        " ".join(
            f"{factor.get('title', '')} {factor.get('description', '')}" for factor in factors
        ),
    )
    yield "resolution", str(data.get("resolution") or "")


def term_weights(incident: Incident) -> dict[str, float]:
    """Weighted sublinear term frequencies of one incident, summed over its fields."""
    weights: dict[str, float] = {}
    for field, text in incident_fields(incident.data):
        factor = FIELD_WEIGHTS[field]
        for term, count in Counter(terms(text)).items():
            weights[term] = weights.get(term, 0.0) + factor * (1.0 + math.log(count))
    return weights


class SimilarityIndex:
    """Similar incidents within one collection; built once, queried many times."""

    def __init__(self, incidents: Sequence[Incident]) -> None:
        self.incidents = list(incidents)
        self._row = {incident.id: row for row, incident in enumerate(self.incidents)}
        rows = [term_weights(incident) for incident in self.incidents]
        self.terms = sorted(set().union(*rows))
        self.vocabulary = {term: column for column, term in enumerate(self.terms)}
        self._labels = np.asarray([label(term) for term in self.terms] or [""], dtype=object)
        self._matrix = self._tf_matrix(rows, len(self.incidents))
        document_frequency = np.bincount(self._matrix.indices, minlength=len(self.vocabulary))
        count = len(self.incidents)
        self.idf = np.log((1.0 + count) / (1.0 + document_frequency)) + 1.0
        self._unseen_idf = math.log(1.0 + count) + 1.0
        self.matrix = _normalised(self._matrix @ sparse.diags(self.idf, format="csr"))
        self._best: dict[str, list[Match]] | None = None
        self._structure = _Structure([_facts(incident) for incident in self.incidents])
        self._transposed = sparse.csc_matrix(self.matrix.T)
        small = count * len(self.vocabulary) <= DENSE_LIMIT
        self._dense = self.matrix.T.toarray().astype(np.float32) if small else None
        self._id_rank = np.argsort(np.argsort([incident.id for incident in self.incidents]))

    def _tf_matrix(self, rows: list[dict[str, float]], count: int) -> sparse.csr_matrix:
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for weights in rows:
            known = [(self.vocabulary[t], w) for t, w in weights.items() if t in self.vocabulary]
            known.sort()
            indices.extend(column for column, _weight in known)
            data.extend(weight for _column, weight in known)
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
            shape=(count, len(self.vocabulary)),
        )

    def __contains__(self, incident_id: str) -> bool:
        return incident_id in self._row

    def similar(
        self, incident_id: str, top: int = 5, threshold: float = DEFAULT_THRESHOLD
    ) -> list[Match]:
        """The incidents most similar to the indexed incident ``incident_id``, best first."""
        row = self._row[incident_id]
        return self._rank(self.matrix[row], [_facts(self.incidents[row])], [row], top, threshold)[0]

    def query(
        self, incident: Incident, top: int = 5, threshold: float = DEFAULT_THRESHOLD
    ) -> list[Match]:
        """Incidents most similar to ``incident``, which need not be indexed (its own id is
        never returned, so a changed version of an indexed incident does not match itself)."""
        weights = term_weights(incident)
        known = {self.vocabulary[t]: w for t, w in weights.items() if t in self.vocabulary}
        columns = np.asarray(sorted(known), dtype=np.int64)
        values = np.asarray([known[c] for c in sorted(known)], dtype=np.float64)
        values = values * self.idf[columns] if len(columns) else values
        unseen = sum(w * w for t, w in weights.items() if t not in self.vocabulary)
        norm = math.sqrt(float(values @ values) + unseen * self._unseen_idf**2)
        vector = sparse.csr_matrix(
            (values / norm if norm else values, columns, [0, len(columns)]),
            shape=(1, len(self.vocabulary)),
        )
        exclude = [self._row.get(incident.id, -1)]
        return self._rank(vector, [_facts(incident)], exclude, top, threshold)[0]

    def all_similar(
        self, top: int = 5, threshold: float = DEFAULT_THRESHOLD
    ) -> dict[str, list[Match]]:
        """Every indexed incident's most similar incidents, best first (the fast path)."""
        result: dict[str, list[Match]] = {}
        facts = self._structure.facts
        for start in range(0, len(self.incidents), BLOCK_ROWS):
            stop = min(start + BLOCK_ROWS, len(self.incidents))
            rows = list(range(start, stop))
            block = self.matrix[start:stop]
            ranked = self._rank(block, facts[start:stop], rows, top, threshold)
            for row, matches in zip(rows, ranked, strict=True):
                result[self.incidents[row].id] = matches
        return result

    def recurrence(self, incident_id: str) -> Recurrence | None:
        """A possible repeat: the best match is earlier, shares a service and the root-cause
        category, and scores at least ``RECURRENCE_THRESHOLD``."""
        if self._best is None:
            self._best = self.all_similar(top=1, threshold=RECURRENCE_THRESHOLD)
        matches = self._best[incident_id]
        if not matches:
            return None
        best = matches[0]
        incident = self.incidents[self._row[incident_id]]
        earlier = self.incidents[self._row[best.id]]
        shared = sorted(set(incident.services) & set(earlier.services))
        if not (
            earlier.started_at < incident.started_at
            and shared
            and incident.category == earlier.category
        ):
            return None
        fixes = [
            str(item.get("title", "")).strip()
            for item in earlier.action_items
            if item.get("type") == "prevent" and item.get("status") == "done"
        ]
        reason = (
            f"Possible repeat of {earlier.id} (score {best.score:.3f}): same root-cause category "
            f"{incident.category}, shared services {', '.join(shared)}."
        )
        if fixes:
            reason += f" Its prevent action item was done ({fixes[0]}); that fix may not have held."
        return Recurrence(earlier.id, best.score, bool(fixes), reason)

    def _rank(
        self,
        vectors: sparse.csr_matrix,
        facts: list[_Facts],
        exclude: list[int],
        top: int,
        threshold: float,
    ) -> list[list[Match]]:
        """Rank the indexed incidents against each row of ``vectors``."""
        count = len(self.incidents)
        if count == 0 or top <= 0:
            return [[] for _ in facts]
        text = self._text_scores(vectors)
        for position, row in enumerate(exclude):
            if row >= 0:
                text[position, row] = -1.0
        width = min(count, max(CANDIDATES, top))
        if width < count:
            candidates = np.argpartition(text, count - width, axis=1)[:, count - width :]
        else:
            candidates = np.broadcast_to(np.arange(count), (len(facts), count))
        candidate_text = self._exact_text(vectors, candidates)
        candidate_text[candidates == np.asarray(exclude)[:, None]] = -1.0
        boost = self._structure.boosts(self._structure.encode(facts), candidates)
        score = np.where(candidate_text > 0.0, TEXT_WEIGHT * candidate_text + boost, -1.0)
        score = np.clip(score, -1.0, 1.0)
        order = np.lexsort((self._id_rank[candidates], -np.round(score, 6)), axis=1)[:, :top]
        best = np.take_along_axis(candidates, order, axis=1)
        best_score = np.take_along_axis(score, order, axis=1)
        keep = (best_score >= threshold) & (best_score > 0.0)
        positions, slots = np.nonzero(keep)
        shared = self._shared_terms(vectors, positions, best[positions, slots])
        ranked: list[list[Match]] = [[] for _ in facts]
        for position, slot, top_terms in zip(positions, slots, shared, strict=True):
            other_row = int(best[position, slot])
            other = self.incidents[other_row]
            reasons = describe(facts[position], self._structure.facts[other_row], top_terms)
            value = round(float(best_score[position, slot]), 3)
            ranked[position].append(Match(other.id, other.title, value, reasons))
        return ranked

    def _exact_text(self, vectors: sparse.csr_matrix, candidates: np.ndarray) -> np.ndarray:
        """Text scores of the candidate pairs in double precision, whatever found them."""
        rows = np.repeat(np.arange(candidates.shape[0]), candidates.shape[1])
        products = vectors[rows].multiply(self.matrix[candidates.ravel()])
        return np.asarray(products.sum(axis=1)).reshape(candidates.shape)

    def _text_scores(self, vectors: sparse.csr_matrix) -> np.ndarray:
        """Cosine of each row of ``vectors`` with every indexed incident, as a dense block."""
        if self._dense is not None:
            return vectors.toarray().astype(np.float32) @ self._dense
        return (vectors @ self._transposed).toarray()

    def _shared_terms(
        self, vectors: sparse.csr_matrix, positions: np.ndarray, rows: np.ndarray
    ) -> list[list[str]]:
        """For each pair (query row, indexed row), the three terms adding most to its score."""
        if len(positions) == 0:
            return []
        products = sparse.csr_matrix(vectors[positions].multiply(self.matrix[rows]))
        products.eliminate_zeros()
        pair = np.repeat(np.arange(products.shape[0]), np.diff(products.indptr))
        # One float key sorts by pair, then by product descending; stable: ties by term column.
        scale = float(products.data.max()) * 2.0 if products.nnz else 1.0
        order = np.argsort(pair + (1.0 - products.data / scale), kind="stable")
        rank = np.arange(len(order)) - products.indptr[pair[order]]
        chosen = order[rank < SHARED_TERMS]
        names = self._labels[products.indices[chosen]].tolist()
        bounds = np.searchsorted(pair[chosen], np.arange(products.shape[0] + 1)).tolist()
        return [names[start:stop] for start, stop in itertools.pairwise(bounds)]


@dataclass(frozen=True)
class _Facts:
    """The structured fields of one incident that similarity compares."""

    category: str
    factors: frozenset[str]
    services: frozenset[str]
    tags: frozenset[str]


def _facts(incident: Incident) -> _Facts:
    data = incident.data
    return _Facts(
        str((data.get("root_cause") or {}).get("category", "")),
        frozenset(incident.contributing_categories),
        frozenset(data.get("services") or []),
        frozenset(data.get("tags") or []),
    )


@dataclass(frozen=True)
class _Encoded:
    """Structured facts of some incidents as arrays: category ids, a binary matrix of
    contributing-factor categories, of services and of tags, and each set's size."""

    category: np.ndarray
    factors: sparse.csr_matrix
    services: sparse.csr_matrix
    tags: sparse.csr_matrix
    sizes: tuple[np.ndarray, np.ndarray, np.ndarray]


class _Structure:
    """Structured facts of the indexed incidents, encoded for vectorised boosts."""

    def __init__(self, facts: list[_Facts]) -> None:
        self.facts = facts
        self.columns: dict[str, dict[str, int]] = {"category": {}, "service": {}, "tag": {}}
        for fact in facts:
            for category in (fact.category, *fact.factors):
                self.columns["category"].setdefault(category, len(self.columns["category"]))
            for service in fact.services:
                self.columns["service"].setdefault(service, len(self.columns["service"]))
            for tag in fact.tags:
                self.columns["tag"].setdefault(tag, len(self.columns["tag"]))
        self.encoded = self.encode(facts)

    def encode(self, facts: list[_Facts]) -> _Encoded:
        """Encode facts with the index's columns (values the index lacks still count in sizes)."""
        categories = self.columns["category"]
        return _Encoded(
            np.asarray([categories.get(fact.category, -1) for fact in facts], dtype=np.int64),
            self._binary([fact.factors for fact in facts], categories),
            self._binary([fact.services for fact in facts], self.columns["service"]),
            self._binary([fact.tags for fact in facts], self.columns["tag"]),
            tuple(
                np.asarray([len(getattr(fact, name)) for fact in facts], dtype=np.float64)
                for name in ("factors", "services", "tags")
            ),
        )

    @staticmethod
    def _binary(sets: list[frozenset[str]], columns: dict[str, int]) -> sparse.csr_matrix:
        indptr = [0]
        indices: list[int] = []
        for values in sets:
            indices.extend(sorted(columns[value] for value in values if value in columns))
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float64)
        return sparse.csr_matrix((data, indices, indptr), shape=(len(sets), len(columns) or 1))

    def boosts(self, mine: _Encoded, candidates: np.ndarray) -> np.ndarray:
        """Structural boost of each (query row, candidate) pair, in [0, 0.30]."""
        shape = candidates.shape
        rows = np.repeat(np.arange(shape[0]), shape[1])
        others = candidates.ravel()
        theirs = self.encoded
        my_category, their_category = mine.category[rows], theirs.category[others]
        same = (my_category == their_category) & (my_category >= 0)
        crossed = _lookup(theirs.factors, others, my_category) | _lookup(
            mine.factors, rows, their_category
        )
        category = np.where(same, 1.0, np.where(crossed, 0.5, 0.0))
        boost = CATEGORY_WEIGHT * category
        pairs = zip(
            (mine.factors, mine.services, mine.tags),
            (theirs.factors, theirs.services, theirs.tags),
            mine.sizes,
            theirs.sizes,
            strict=True,
        )
        for weight, (left, right, left_size, right_size) in zip(
            (FACTORS_WEIGHT, SERVICES_WEIGHT, TAGS_WEIGHT), pairs, strict=True
        ):
            common = np.asarray(left[rows].multiply(right[others]).sum(axis=1)).ravel()
            union = left_size[rows] + right_size[others] - common
            boost += weight * np.divide(common, union, out=np.zeros_like(common), where=union > 0)
        return boost.reshape(shape)


def _lookup(matrix: sparse.csr_matrix, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Whether ``matrix[rows[i], columns[i]]`` is set, for each i (columns < 0 are never set)."""
    valid = columns >= 0
    found = np.zeros(len(rows), dtype=bool)
    if valid.any():
        found[valid] = np.asarray(matrix[rows[valid], columns[valid]]).ravel() > 0
    return found


def _normalised(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0.0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)
