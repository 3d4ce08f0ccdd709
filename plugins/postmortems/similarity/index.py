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
from postmortems.similarity.text import label, terms, token_term, tokens

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
GATHER_LIMIT = 4_000_000
"""Most values gathered at once when rescoring candidates exactly."""
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
        self._matrix, self.terms = _term_matrix(self.incidents)
        self.vocabulary = {term: column for column, term in enumerate(self.terms)}
        self._labels = np.asarray([label(term) for term in self.terms] or [""], dtype=object)
        document_frequency = np.bincount(self._matrix.indices, minlength=len(self.vocabulary))
        count = len(self.incidents)
        self.idf = np.log((1.0 + count) / (1.0 + document_frequency)) + 1.0
        self._unseen_idf = math.log(1.0 + count) + 1.0
        self.matrix = _normalised(self._matrix @ sparse.diags(self.idf, format="csr"))
        self._best: dict[str, Match | None] = {}
        self._structure = _Structure([_facts(incident) for incident in self.incidents])
        self._id_rank = np.argsort(np.argsort([incident.id for incident in self.incidents]))
        if count * len(self.vocabulary) <= DENSE_LIMIT:
            self._exact: np.ndarray | None = self.matrix.toarray()
            self._dense = self._exact.T.astype(np.float32)
        else:
            self._exact = None
            self._transposed = sparse.csc_matrix(self.matrix.T)

    def __contains__(self, incident_id: str) -> bool:
        return incident_id in self._row

    def similar(
        self, incident_id: str, top: int = 5, threshold: float = DEFAULT_THRESHOLD
    ) -> list[Match]:
        """The incidents most similar to the indexed incident ``incident_id``, best first."""
        row = self._row[incident_id]
        return self._rank_rows(row, row + 1, top, threshold)[0][0]

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
        facts = [_facts(incident)]
        exclude = np.asarray([self._row.get(incident.id, -1)])
        mine = self._structure.encode(facts)
        return self._rank(vector, mine, facts, exclude, top, threshold)[0][0]

    def all_similar(
        self, top: int = 5, threshold: float = DEFAULT_THRESHOLD
    ) -> dict[str, list[Match]]:
        """Every indexed incident's most similar incidents, best first (the fast path)."""
        result: dict[str, list[Match]] = {}
        for start in range(0, len(self.incidents), BLOCK_ROWS):
            stop = min(start + BLOCK_ROWS, len(self.incidents))
            ranked, first_scores = self._rank_rows(start, stop, top, threshold)
            for incident, matches, first in zip(
                self.incidents[start:stop], ranked, first_scores.tolist(), strict=True
            ):
                result[incident.id] = matches
                if top >= 1 and threshold <= RECURRENCE_THRESHOLD:
                    self._best[incident.id] = matches[0] if first >= RECURRENCE_THRESHOLD else None
        return result

    def recurrence(self, incident_id: str) -> Recurrence | None:
        """A possible repeat: the best match is earlier, shares a service and the root-cause
        category, and scores at least ``RECURRENCE_THRESHOLD``."""
        if incident_id not in self._best:
            matches = self.similar(incident_id, top=1, threshold=RECURRENCE_THRESHOLD)
            self._best[incident_id] = matches[0] if matches else None
        best = self._best[incident_id]
        if best is None:
            return None
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

    def _rank_rows(
        self, start: int, stop: int, top: int, threshold: float
    ) -> tuple[list[list[Match]], np.ndarray]:
        """Rank the indexed incidents against the indexed rows ``start:stop``."""
        return self._rank(
            self.matrix[start:stop],
            self._structure.encoded.rows(start, stop),
            self._structure.facts[start:stop],
            np.arange(start, stop),
            top,
            threshold,
        )

    def _rank(
        self,
        vectors: sparse.csr_matrix,
        mine: _Encoded,
        facts: list[_Facts],
        exclude: np.ndarray,
        top: int,
        threshold: float,
    ) -> tuple[list[list[Match]], np.ndarray]:
        """Rank the indexed incidents against each row of ``vectors``: the matches of each row,
        and the unrounded score of each row's first match (-1 for none)."""
        count = len(self.incidents)
        if count == 0 or top <= 0:
            return [[] for _ in facts], np.full(len(facts), -1.0)
        candidates, candidate_text = self._candidates(
            vectors, exclude, min(count, max(CANDIDATES, top))
        )
        candidate_text[candidates == exclude[:, None]] = -1.0
        boost = self._structure.boosts(mine, candidates)
        score = np.where(candidate_text > 0.0, TEXT_WEIGHT * candidate_text + boost, -1.0)
        score = np.clip(score, -1.0, 1.0)
        order = np.lexsort((self._id_rank[candidates], -np.round(score, 6)), axis=1)[:, :top]
        best = np.take_along_axis(candidates, order, axis=1)
        best_score = np.take_along_axis(score, order, axis=1)
        keep = (best_score >= threshold) & (best_score > 0.0)
        positions, slots = np.nonzero(keep)
        shared = self._shared_terms(vectors, positions, best[positions, slots])
        ranked: list[list[Match]] = [[] for _ in facts]
        others = best[positions, slots].tolist()
        values = np.round(best_score[positions, slots], 3).tolist()
        all_facts = self._structure.facts
        for position, other_row, value, top_terms in zip(
            positions.tolist(), others, values, shared, strict=True
        ):
            other = self.incidents[other_row]
            reasons = describe(facts[position], all_facts[other_row], top_terms)
            ranked[position].append(Match(other.id, other.title, value, reasons))
        first = np.where(keep[:, 0], best_score[:, 0], -1.0)
        return ranked, first

    def _candidates(
        self, vectors: sparse.csr_matrix, exclude: np.ndarray, width: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each row's ``width`` best text matches and their text scores in double precision.

        With a dense matrix, candidates are found in single precision and then rescored in
        double precision, so a pair scores the same whichever rows it is scored with."""
        rows = np.arange(vectors.shape[0])
        if self._exact is None:
            text = (vectors @ self._transposed).toarray()
        else:
            text = vectors.toarray().astype(np.float32) @ self._dense
        known = exclude >= 0
        text[rows[known], exclude[known]] = -1.0
        candidates = _top_columns(text, width)
        if self._exact is None:
            return candidates, np.take_along_axis(text, candidates, axis=1)
        queries = vectors.toarray()
        exact = np.empty(candidates.shape)
        step = max(1, GATHER_LIMIT // max(1, candidates.shape[1] * queries.shape[1]))
        for start in range(0, len(rows), step):
            part = slice(start, start + step)
            exact[part] = np.einsum("rv,rcv->rc", queries[part], self._exact[candidates[part]])
        return candidates, exact

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
    """Structured facts of some incidents as arrays: category ids, bit sets (64 values to a
    word) of contributing-factor categories, of services and of tags, and each set's size."""

    category: np.ndarray
    sets: tuple[np.ndarray, np.ndarray, np.ndarray]
    sizes: tuple[np.ndarray, np.ndarray, np.ndarray]

    def rows(self, start: int, stop: int) -> _Encoded:
        """The facts of rows ``start:stop``."""
        return _Encoded(
            self.category[start:stop],
            tuple(bits[start:stop] for bits in self.sets),  # type: ignore[arg-type]
            tuple(size[start:stop] for size in self.sizes),  # type: ignore[arg-type]
        )


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
            (
                _bits([fact.factors for fact in facts], categories),
                _bits([fact.services for fact in facts], self.columns["service"]),
                _bits([fact.tags for fact in facts], self.columns["tag"]),
            ),
            tuple(  # type: ignore[arg-type]
                np.asarray([len(getattr(fact, name)) for fact in facts], dtype=np.float64)
                for name in ("factors", "services", "tags")
            ),
        )

    def boosts(self, mine: _Encoded, candidates: np.ndarray) -> np.ndarray:
        """Structural boost of each (query row, candidate) pair, in [0, 0.30]."""
        theirs = self.encoded
        my_category = mine.category[:, None]
        their_category = theirs.category[candidates]
        same = (my_category == their_category) & (my_category >= 0)
        crossed = _has(theirs.sets[0][candidates], my_category) | _has(
            mine.sets[0][:, None, :], their_category
        )
        boost = CATEGORY_WEIGHT * np.where(same, 1.0, np.where(crossed, 0.5, 0.0))
        for weight, left, right, left_size, right_size in zip(
            (FACTORS_WEIGHT, SERVICES_WEIGHT, TAGS_WEIGHT),
            mine.sets,
            theirs.sets,
            mine.sizes,
            theirs.sizes,
            strict=True,
        ):
            common = np.bitwise_count(left[:, None, :] & right[candidates]).sum(axis=2)
            common = common.astype(np.float64)
            union = left_size[:, None] + right_size[candidates] - common
            boost += weight * np.divide(common, union, out=np.zeros_like(common), where=union > 0)
        return boost


def _bits(sets: list[frozenset[str]], columns: dict[str, int]) -> np.ndarray:
    """One row of bits per set: bit ``c`` is set when the set holds the value of column ``c``."""
    bits = np.zeros((len(sets), max(1, -(-len(columns) // 64))), dtype=np.uint64)
    pairs = [
        (row, columns[value])
        for row, values in enumerate(sets)
        for value in values
        if value in columns
    ]
    if pairs:
        rows, found = np.asarray(pairs, dtype=np.int64).T
        np.bitwise_or.at(bits, (rows, found // 64), np.left_shift(1, found % 64).astype(np.uint64))
    return bits


def _has(bits: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Whether bit ``columns`` is set in ``bits`` (last axis: words), broadcast; columns < 0
    are never set."""
    safe = np.maximum(columns, 0)
    word = np.take_along_axis(bits, (safe // 64)[..., None], axis=-1)[..., 0]
    return (columns >= 0) & ((word >> (safe % 64).astype(np.uint64)) & np.uint64(1) == 1)


def _top_columns(scores: np.ndarray, width: int) -> np.ndarray:
    """The columns of each row's ``width`` highest scores, in no particular order."""
    rows, count = scores.shape
    if width >= count:
        return np.tile(np.arange(count), (rows, 1))
    return np.argpartition(scores, count - width, axis=1)[:, count - width :]


def _term_matrix(incidents: Sequence[Incident]) -> tuple[sparse.csr_matrix, list[str]]:
    """The weighted term frequencies of the incidents (one row each) and the sorted terms."""
    found: list[list[str]] = []
    factors: list[float] = []
    for incident in incidents:
        for field, text in incident_fields(incident.data):
            found.append(tokens(text))
            factors.append(FIELD_WEIGHTS[field])
    term_of = {token: token_term(token) for token in set().union(*found)}
    names = sorted({term for term in term_of.values() if term is not None})
    column = {name: number for number, name in enumerate(names)}
    column_of = {token: column.get(term, -1) for token, term in term_of.items()}  # type: ignore[arg-type]
    lengths = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
    columns = np.fromiter(
        map(column_of.__getitem__, itertools.chain.from_iterable(found)),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    cells = np.repeat(np.arange(len(found)), lengths)[columns >= 0]
    columns = columns[columns >= 0]
    # Occurrences per (incident field, term), then 1 + ln(count) times the field's weight,
    # summed over an incident's fields.
    counts = sparse.coo_matrix(
        (np.ones(len(columns)), (cells, columns)), shape=(len(found), len(names))
    ).tocsr()
    counts = counts.tocoo()
    fields = max(1, len(FIELD_WEIGHTS))
    weights = np.asarray(factors)[counts.row] * (1.0 + np.log(counts.data))
    matrix = sparse.csr_matrix(
        (weights, (counts.row // fields, counts.col)), shape=(len(incidents), len(names))
    )
    matrix.sort_indices()
    return matrix, names


def _normalised(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0.0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)
