"""Score incident pairs by failure mechanism: BM25-weighted root-cause story plus failure modes.

Each incident becomes one row of three blocks, each L2-normalised:

- the *story*: BM25 term weights (saturating term frequency, length-normalised, smoothed IDF)
  over the fields that tell how it failed (trigger, root cause, contributing factors,
  resolution; title and summary count less), after phrase, stem and synonym normalisation;
- its *failure modes*: the declared ``failure_modes`` plus the modes inferred from the story by
  the lexicon in ``mechanisms.py``, weighted by how often each is told and by IDF;
- its *structure*: root-cause category, services and tags, one column each.

The score of a pair is the weighted sum of the three cosines, so it stays in [0, 1]:

    score = 0.70 cos(story) + 0.25 cos(failure modes) + 0.05 cos(structure)

Structure only breaks near-ties: look-alikes usually sit in different categories and
services (on tests/similarity_eval larger structure weights lose more hard pairs than they win
easy ones). All incidents are scored at once in row blocks of ``X @ X.T`` (never a dense
N x N matrix); in each row, only the columns that can hold its best scores (found from the
maxima of column chunks) are rescored exactly and ranked. Ties are broken by id, so results
are deterministic.

Document frequencies above 99 are rounded to two significant digits and the average story
length to three, so one edit seldom changes any other incident's row. ``all_similar`` then
ranks again only the rows an edit changed and those whose best matches it touched; every other
row merges its last ranking with its scores against the changed rows (``mkdocs serve`` ranks
the same incidents after each save), which gives exactly what ranking it afresh gives.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from scipy import sparse

from ..core.cache import Carried, derived_digest
from ..core.collection import garbage_collection_paused
from ..core.model import Incident
from . import mechanisms
from .reasons import describe
from .second_process import Analysis
from .text import label, token_term, tokenise

FIELD_WEIGHTS: dict[str, float] = {
    "title": 1.0,
    "summary": 1.0,
    "trigger": 1.0,
    "root_cause.summary": 2.0,
    "root_cause.description": 1.5,
    "root_cause.five_whys": 1.0,
    "contributing_factors": 1.0,
    "resolution": 0.5,
}
STORY_WEIGHT = 0.7
MODES_WEIGHT = 0.25
STRUCTURE_WEIGHT = 0.05
BM25_K1 = 1.2
BM25_B = 0.75
STORY, MODES, STRUCTURE = 0, 1, 2
"""The blocks of an index row."""
BLOCK_WEIGHTS = {STORY: STORY_WEIGHT, MODES: MODES_WEIGHT, STRUCTURE: STRUCTURE_WEIGHT}
DECLARED_HITS = 3
"""A declared failure mode counts as this many phrasings of it."""
MODE_PREFIX = "failure-mode:"
"""Failure-mode columns are named with this prefix (no word term contains a colon)."""
STRUCTURE_PREFIXES = ("category:", "service:", "tag:")
"""Prefixes of the columns for the root-cause category, services and tags."""

DEFAULT_THRESHOLD = 0.15
"""Lowest score reported as a match (chosen on tests/similarity_eval, see its README)."""
RECURRENCE_THRESHOLD = 0.3
"""Lowest score at which an earlier best match is called a possible repeat."""
CANDIDATES = 32
"""Most candidate matches per incident rescored exactly and ranked (only reached with many
near-ties: usually a few are)."""
CHUNK_COLUMNS = 64
"""Width of the column chunks whose maxima bound each row's best scores from below."""
MARGIN = 3e-4
"""How far below that bound a single-precision score may be and still be a candidate (far more
than single-precision rounding)."""
NEAR = MARGIN / 2
"""Columns scoring within this of a row's ``top``-th best are near it: when few are, ranking the
row gives the exact order (by score to six decimals, then id), near-ties included."""
NEAR_LIMIT = CANDIDATES // 2
"""A row with this many near columns or more is always ranked again, never merged."""
CHANGED_SHARE = 8
"""``all_similar`` ranks every row again when more than 1/CHANGED_SHARE of them changed."""
FREQUENCY_DIGITS = 2
"""Significant digits kept of a document frequency (smaller ones are exact)."""
LENGTH_DIGITS = 3
"""Significant digits kept of the average story length."""
TIE_DECIMALS = 6
"""Scores equal to this many decimals are tied: ranked by id (also when choosing among more
than ``CANDIDATES`` near-ties)."""
SCORE_DECIMALS = 3
"""A match's score is shown to this many decimals."""
BLOCK_CELLS = 2_500_000
"""Most scores computed at once (rows of a block x indexed incidents): large blocks are faster,
and this one holds 10 MB in single precision (a larger one raised a build's peak memory)."""
SHARED_TERMS = 3
GENERIC_SHARE = 0.2
"""Words found in more than this share of incidents are too common to name as a reason."""
COMMON_SHARE = 32
"""A column is scored densely when its word is in more than 1/COMMON_SHARE of the incidents
(measured on a Zipf-like vocabulary of 28,000 words at 10,000 incidents: fastest near 32)."""
TERM_CHARACTERS = 1 << 20
"""Characters of text whose tokens are counted at once: the arrays take tens of MB for prose,
up to about 120 MB for text made only of phrases ("lb lb lb ...")."""

_PairKey = tuple[bytes, bytes, tuple[str, ...], tuple[str, ...], float]
"""Two incidents' digests, with the failure modes and story terms they share most, and their
score."""


@dataclass(frozen=True)
class Match:
    """One similar incident, with why it is similar."""

    id: str
    title: str
    score: float
    reasons: tuple[str, ...]
    digest: bytes = field(default=b"", compare=False, repr=False)
    """Of everything above, when the incident has a digest: a page's key names the match by it."""


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


def told_modes(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The failure modes an incident's story tells, each with the phrases telling it."""
    return mechanisms.analyse(_story(data))


def _story(data: Mapping[str, Any]) -> str:
    """The text whose failure modes count: the resolution adds nothing (tests/similarity_eval)
    and costs time."""
    return "\n".join(text for field, text in incident_fields(data) if field != "resolution")


def _unanalysed(incidents: Sequence[Incident]) -> list[Incident]:
    """The incidents whose stories the last call did not analyse (by digest: ``mkdocs serve``
    ranks the same incidents after each edit)."""
    return [incident for incident in incidents if incident.digest not in _last_told]


def _told_by_incident(
    incidents: Sequence[Incident], analysed: Iterable[dict[str, list[str]]]
) -> list[dict[str, list[str]]]:
    """``told_modes`` of each incident: ``analysed`` holds those of ``_unanalysed(incidents)``,
    in order; the others are the last call's."""
    global _last_told
    fresh = iter(analysed)
    told = [
        _last_told[incident.digest] if incident.digest in _last_told else next(fresh)
        for incident in incidents
    ]
    _last_told = {incident.digest: modes for incident, modes in zip(incidents, told, strict=True)}
    _last_told.pop(b"", None)
    return [{mode: list(phrases) for mode, phrases in modes.items()} for modes in told]


_last_told: dict[bytes, dict[str, list[str]]] = {}
"""What the stories of the last call's incidents tell, by the incidents' digests."""


def counted_columns(
    data: Mapping[str, Any], told: Mapping[str, list[str]]
) -> Iterator[tuple[str, int]]:
    """An incident's failure-mode and structure columns with their counts (a name repeated
    adds up): each mode its story tells (``told``) as many times as told, each declared mode
    ``DECLARED_HITS`` times, then its root-cause category, services and tags once each."""
    for mode, phrases in told.items():
        yield MODE_PREFIX + mode, len(phrases)
    for mode in data.get("failure_modes") or []:
        yield MODE_PREFIX + str(mode), DECLARED_HITS
    category = str((data.get("root_cause") or {}).get("category", ""))
    values = ([category] if category else [], data.get("services") or [], data.get("tags") or [])
    for prefix, listed in zip(STRUCTURE_PREFIXES, values, strict=True):
        for value in listed:
            yield prefix + str(value), 1


class SimilarityIndex:
    """Similar incidents within one collection; built once, queried many times.

    ``mode_titles`` names failure modes in reasons (the schema's ``failureMode`` titles);
    ``weights`` replaces ``BLOCK_WEIGHTS`` (to measure each block alone)."""

    @garbage_collection_paused()
    def __init__(
        self,
        incidents: Sequence[Incident],
        mode_titles: Mapping[str, str] | None = None,
        weights: Mapping[int, float] = BLOCK_WEIGHTS,
    ) -> None:
        self.incidents = list(incidents)
        self.weights = dict(weights)
        self.mode_titles = dict(mode_titles or {})
        self._row = {incident.id: row for row, incident in enumerate(self.incidents)}
        # The stories' failure modes are analysed while the terms are counted (see
        # ``second_process``); the counts of the modes they tell are added last.
        unanalysed = _unanalysed(self.incidents)
        with Analysis([_story(incident.data) for incident in unanalysed]) as analysis:
            telling = functools.cache(lambda: _told_by_incident(self.incidents, analysis.result()))
            counts, self.terms = _remembered_term_matrix(self.incidents, telling)
            told = telling()
        self.vocabulary = {term: column for column, term in enumerate(self.terms)}
        self._labels = np.asarray([label(term) for term in self.terms] or [""], dtype=object)
        self._names = np.asarray(
            [term.removeprefix(MODE_PREFIX) for term in self.terms] or [""], dtype=object
        )
        self._kind = _kinds(self.terms)
        self._is_mode = self._kind == MODES
        document_frequency = np.bincount(counts.indices, minlength=len(self.vocabulary))
        count = len(self.incidents)
        self._document_frequency = np.minimum(_rounded_frequencies(document_frequency), count)
        self.idf = _idf(self._document_frequency, count)
        self._unseen_idf = float(_idf(np.zeros(1), count)[0])
        lengths = _story_lengths(counts, self._kind)
        average = float(lengths.mean()) if count else 0.0
        self._average_length = float(f"{average:.{LENGTH_DIGITS}g}") if average > 0 else 1.0
        self.matrix = _weighed(counts, self.idf, self._kind, self._average_length, self.weights)
        self._best: dict[str, Match | None] = {}
        _matches.start(self.mode_titles)  # reasons name modes by these titles
        _last_facts.start(None)  # a function of the incident (its digest): kept for the next
        _last_recurrences.start(None)
        self._facts = [
            _last_facts.get(incident.digest, functools.partial(_facts, incident, modes))
            if incident.digest
            else _facts(incident, modes)
            for incident, modes in zip(self.incidents, told, strict=True)
        ]
        self._id_rank = np.argsort(np.argsort([incident.id for incident in self.incidents]))
        # Candidates are scored in single precision with a dense matrix product over the
        # columns of words found in many incidents, and a sparse one over the rest (cheap: a
        # word in d incidents costs d * d there). Candidates are rescored exactly as sparse
        # rows.
        common = document_frequency * COMMON_SHARE > count
        self._common = np.flatnonzero(common)
        self._dense = self.matrix[:, self._common].toarray().T.astype(np.float32)
        rare = self.matrix.copy()
        rare.data[common[rare.indices]] = 0.0
        rare.eliminate_zeros()
        self._rare = sparse.csc_matrix(rare.T)

    @functools.cached_property
    def _telling(self) -> np.ndarray:
        """Whether each column may be named as a reason: a failure mode, or a story word in at
        most ``GENERIC_SHARE`` of the incidents."""
        common = max(2, GENERIC_SHARE * len(self.incidents))
        return np.asarray(
            self._is_mode | ((self._kind == STORY) & (self._document_frequency <= common)), bool
        )

    def told(self, incident_id: str) -> list[str]:
        """The failure modes the indexed incident's story tells, first told first."""
        return list(self._facts[self._row[incident_id]].phrases)

    def similar(
        self, incident_id: str, top: int = 5, threshold: float = DEFAULT_THRESHOLD
    ) -> list[Match]:
        """The incidents most similar to the indexed incident ``incident_id``, best first."""
        return self._rank_rows(np.asarray([self._row[incident_id]]), top, threshold)[0].matches

    def query(
        self, incident: Incident, top: int = 5, threshold: float = DEFAULT_THRESHOLD
    ) -> list[Match]:
        """Incidents most similar to ``incident``, which need not be indexed (its own id is
        never returned, so a changed version of an indexed incident does not match itself)."""
        if not self.terms:  # nothing indexed, or nothing to compare
            return []
        modes = told_modes(incident.data)
        counts, names = _term_matrix([incident], lambda: [modes])
        known = np.asarray([self.vocabulary.get(name, -1) for name in names], dtype=np.int64)
        idf = np.where(known >= 0, self.idf[np.maximum(known, 0)], self._unseen_idf)
        own = _weighed(counts, idf, _kinds(names), self._average_length, self.weights).tocoo()
        keep = known[own.col] >= 0
        vector = sparse.csr_matrix(
            (own.data[keep], (own.row[keep], known[own.col[keep]])),
            shape=(1, len(self.vocabulary)),
        )
        facts = [_facts(incident, modes)]
        exclude = np.asarray([self._row.get(incident.id, -1)])
        return self._rank(vector, facts, exclude, top, threshold)[0].matches

    @garbage_collection_paused()
    def all_similar(
        self, top: int = 5, threshold: float = DEFAULT_THRESHOLD
    ) -> dict[str, list[Match]]:
        """Every indexed incident's most similar incidents, best first (the fast path)."""
        context = _Context(top, threshold, self.weights, self.mode_titles, len(self.incidents))
        terms = _term_ids(self.terms)  # numbered once per call (``forget`` numbers afresh)
        rankings = _last_rankings.merged(self, terms, context) if top >= 1 else {}
        rest = np.asarray(
            [row for row in range(len(self.incidents)) if row not in rankings], dtype=np.int64
        )
        block = max(1, BLOCK_CELLS // max(1, len(self.incidents)))
        for start in range(0, len(rest), block):
            rows = rest[start : start + block]
            rankings.update(zip(rows.tolist(), self._rank_rows(rows, top, threshold), strict=True))
        ordered = [rankings[row] for row in range(len(self.incidents))]
        _last_rankings.remember(self, terms, context, ordered)
        if top >= 1 and threshold <= RECURRENCE_THRESHOLD:
            for incident, ranking in zip(self.incidents, ordered, strict=True):
                first = ranking.entries[0] if ranking.entries else None
                repeat = first is not None and first.score >= RECURRENCE_THRESHOLD
                self._best[incident.id] = first.match if first is not None and repeat else None
        return {
            incident.id: ranking.matches
            for incident, ranking in zip(self.incidents, ordered, strict=True)
        }

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
        if not (incident.digest and earlier.digest and best.digest):
            return _recurrence(incident, earlier, best)
        # A function of the two incidents and the match (the same again after most saves).
        key = (incident.digest, earlier.digest, best.digest)
        return _last_recurrences.get(key, lambda: _recurrence(incident, earlier, best))

    def _rank_rows(self, rows: np.ndarray, top: int, threshold: float) -> list[_Ranking]:
        """Rank the indexed incidents against the indexed ``rows``."""
        facts = [self._facts[row] for row in rows.tolist()]
        return self._rank(self.matrix[rows], facts, rows, top, threshold)

    def _rank(
        self,
        vectors: sparse.csr_matrix,
        facts: list[_Facts],
        exclude: np.ndarray,
        top: int,
        threshold: float,
    ) -> list[_Ranking]:
        """Rank the indexed incidents against each row of ``vectors``."""
        count = len(self.incidents)
        if count == 0 or top <= 0:
            return [_Ranking([], 0) for _ in facts]
        candidates, score = self._candidates(vectors, exclude, top, max(CANDIDATES, top))
        score[candidates == exclude[:, None]] = -1.0
        score = np.clip(np.where(score > 0.0, score, -1.0), -1.0, 1.0)
        rounded = np.round(score, TIE_DECIMALS)
        order = np.lexsort((self._id_rank[candidates], -rounded), axis=1)[:, :top]
        best = np.take_along_axis(candidates, order, axis=1)
        best_score = np.take_along_axis(score, order, axis=1)
        full = best_score[:, -1] > 0.0 if best.shape[1] == top else np.zeros(len(facts), bool)
        floor = np.where(full, best_score[:, -1] - NEAR, 0.0)
        near = ((score > 0.0) & (score >= floor[:, None])).sum(axis=1).tolist()
        keep = (best_score >= threshold) & (best_score > 0.0)
        positions, slots = np.nonzero(keep)
        shared = self._shared_terms(vectors, positions, best[positions, slots])
        values = np.round(best_score[positions, slots], SCORE_DECIMALS).tolist()
        made = {
            (position, slot): self._match(
                facts[position], self._facts[other], self.incidents[other], value, modes, words
            )
            for position, slot, other, value, (modes, words) in zip(
                positions.tolist(),
                slots.tolist(),
                best[positions, slots].tolist(),
                values,
                shared,
                strict=True,
            )
        }
        rankings = []
        for position, (columns, scores) in enumerate(
            zip(best.tolist(), best_score.tolist(), strict=True)
        ):
            entries = []
            for slot, (column, value) in enumerate(zip(columns, scores, strict=True)):
                if value <= 0.0:
                    break  # the positive scores come first
                match, key = made.get((position, slot), (None, None))
                entries.append(_Entry(column, value, match, key))
            rankings.append(_Ranking(entries, near[position]))
        return rankings

    def _match(
        self,
        mine: _Facts,
        theirs: _Facts,
        other: Incident,
        score: float,
        modes: list[str],
        words: list[str],
    ) -> tuple[Match, _PairKey | None]:
        """``other`` as a match, or what the last index gave for the same pair and score: facts
        are a function of their incident's digest (``mkdocs serve`` ranks the same incidents
        after each edit: 50,000 pairs at 10,000 incidents); and its key there, if it has one."""

        def made() -> Match:
            reasons = describe(mine, theirs, modes, words, self.mode_titles)
            digest = derived_digest(theirs.digest, score, reasons)
            return Match(other.id, other.title, score, reasons, digest)

        if not (mine.digest and theirs.digest):
            return made(), None
        key = (mine.digest, theirs.digest, tuple(modes), tuple(words), score)
        return _matches.get(key, made), key

    def _exact_pairs(
        self, vectors: sparse.csr_matrix, pair: np.ndarray, columns: np.ndarray
    ) -> np.ndarray:
        """The exact score of each row ``pair`` of ``vectors`` with the indexed row ``columns``
        at the same position (sparse rows: a pair scores the same whichever rows it is
        scored with)."""
        products = vectors[pair].multiply(self.matrix[columns])
        return np.asarray(products.sum(axis=1)).ravel()

    def _candidates(
        self, vectors: sparse.csr_matrix, exclude: np.ndarray, top: int, width: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each row, the columns that may hold its ``top`` best matches (see
        ``_candidate_columns``; -1 pads) and their scores in double precision (-1 for pads).

        Candidates are found in single precision, then each pair is rescored exactly on its
        own, so a pair scores the same whichever rows it is scored with."""
        rows = np.arange(vectors.shape[0])
        text = vectors[:, self._common].toarray().astype(np.float32) @ self._dense
        rare = sparse.csr_matrix(vectors @ self._rare)
        at = np.repeat(rows * text.shape[1], np.diff(rare.indptr)) + rare.indices
        # Added where they are, at flat indices (fastest): a product is C-ordered, so its flat
        # view is itself.
        text.reshape(-1)[at] += rare.data
        known = exclude >= 0
        text[rows[known], exclude[known]] = -1.0

        def precise(rows: np.ndarray) -> np.ndarray:
            """Double-precision scores of ``rows`` (each row's own sums: the same whichever
            rows are scored together, unlike a single-precision product's)."""
            scores = np.asarray((vectors[rows] @ self.matrix.T).toarray())
            own = known[rows]
            scores[np.flatnonzero(own), exclude[rows][own]] = -1.0
            return scores

        candidates = _candidate_columns(text, top, width, self._id_rank, precise)
        found = candidates >= 0
        columns = np.where(found, candidates, 0)
        exact = np.full(candidates.shape, -1.0)
        pair, slot = np.nonzero(found)
        exact[pair, slot] = self._exact_pairs(vectors, pair, columns[pair, slot])
        return candidates, exact

    def _shared_terms(
        self, vectors: sparse.csr_matrix, positions: np.ndarray, rows: np.ndarray
    ) -> list[tuple[list[str], list[str]]]:
        """For each pair (query row, indexed row): the three failure modes and the three telling
        story terms adding most to its score, each best first."""
        if len(positions) == 0:
            return []
        products = sparse.csr_matrix(vectors[positions].multiply(self.matrix[rows]))
        products.eliminate_zeros()
        telling = self._telling
        pairs = products.shape[0]
        pair = np.repeat(np.arange(pairs), np.diff(products.indptr))
        keep = telling[products.indices]
        columns, values, pair = products.indices[keep], products.data[keep], pair[keep]
        # By pair, then the largest product first, then by column: deterministic.
        order = np.lexsort((columns, -values, pair))
        columns, pair = columns[order], pair[order]
        mode = self._is_mode[columns]
        modes = _first(self._names, columns[mode], pair[mode], pairs)
        words = _first(self._labels, columns[~mode], pair[~mode], pairs)
        return list(zip(modes, words, strict=True))


def _first(names: np.ndarray, columns: np.ndarray, pair: np.ndarray, pairs: int) -> list[list[str]]:
    """The names of the first ``SHARED_TERMS`` columns of each pair ``0 .. pairs - 1``
    (``columns`` sorted by ``pair``)."""
    starts = np.searchsorted(pair, np.arange(pairs))
    chosen = (np.arange(len(pair)) - starts[pair]) < SHARED_TERMS
    bounds = np.searchsorted(pair[chosen], np.arange(pairs + 1)).tolist()
    listed = names[columns[chosen]].tolist()
    return [listed[start:stop] for start, stop in itertools.pairwise(bounds)]


@dataclass(frozen=True)
class _Facts:
    """What reasons compare between two incidents."""

    phrases: Mapping[str, list[str]]
    category: str
    factors: frozenset[str]
    services: frozenset[str]
    tags: frozenset[str]
    digest: bytes
    """The incident's (empty for an incident without one): the facts are a function of it."""


def _recurrence(incident: Incident, earlier: Incident, best: Match) -> Recurrence | None:
    """``incident`` as a possible repeat of ``earlier``, its best match ``best``, if it is one."""
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


def _facts(incident: Incident, told: Mapping[str, list[str]]) -> _Facts:
    data = incident.data
    return _Facts(
        told,
        str((data.get("root_cause") or {}).get("category", "")),
        frozenset(incident.contributing_categories),
        frozenset(data.get("services") or []),
        frozenset(data.get("tags") or []),
        incident.digest,
    )


class _Context(NamedTuple):
    """What an ``all_similar`` ranking depends on besides the index's rows."""

    top: int
    threshold: float
    weights: dict[int, float]
    mode_titles: dict[str, str]
    incidents: int
    """How many: which words are too common to name as reasons depends on it."""


@dataclass(frozen=True, slots=True)
class _Entry:
    """One of a row's best columns: its exact score, and its match when at the threshold (with
    its key in ``_matches``, if it has one)."""

    column: int
    score: float
    match: Match | None
    key: _PairKey | None


@dataclass(frozen=True, slots=True)
class _Ranking:
    """A row's best columns (at most ``top``, positive scores, best first), and ``near``: at
    most how many columns score within ``NEAR`` of the ``top``-th of them (all positive ones
    when fewer score)."""

    entries: list[_Entry]
    near: int

    @property
    def matches(self) -> list[Match]:
        return [entry.match for entry in self.entries if entry.match is not None]


class _LastRankings:
    """The last ``all_similar``'s rankings, with the index rows they come from (by incidents'
    digests): the next one merges them with the scores against the rows that changed.

    A row that did not change scores the same as last time with every other such row, so its
    best such columns are its last best less the changed ones; added to its best columns among
    the changed rows, they are its best columns. That holds unless a changed column was among
    its last best and they were ``top`` (the next best is unknown), or near-ties are many (see
    ``NEAR``): such rows are ranked again (every full one when ``top`` reaches ``NEAR_LIMIT``).
    One caller thread at a time."""

    context: _Context | None
    rows: dict[bytes, int]
    indptr: np.ndarray
    terms: np.ndarray
    """Each cell's term number (``_term_id``), then one that never matches."""
    values: np.ndarray
    telling: np.ndarray
    """Whether each cell's term may be named as a reason (``SimilarityIndex._telling``)."""
    rankings: list[_Ranking]
    """Each row's ranking, its columns numbered as the rows of that index."""
    columns: np.ndarray
    """The columns of each ranking's entries, ranking after ranking."""
    scores: np.ndarray
    """Their scores."""
    lengths: np.ndarray
    """How many entries each ranking has."""
    nears: np.ndarray
    """Each ranking's ``near``."""

    def __init__(self) -> None:
        self.forget()

    def forget(self) -> None:
        self.context = None
        self.rows = {}
        self.indptr = np.zeros(1, np.int64)
        self.terms = np.zeros(1, np.int64) - 1
        self.values = np.full(1, np.nan)
        self.telling = np.zeros(1, bool)
        self.rankings = []
        self.columns = self.lengths = self.nears = np.zeros(0, np.int64)
        self.scores = np.zeros(0)

    def remember(
        self,
        index: SimilarityIndex,
        terms: np.ndarray,
        context: _Context,
        rankings: Sequence[_Ranking],
    ) -> None:
        """Keep ``rankings`` of ``index`` (whose columns' term numbers are ``terms``) made in
        ``context`` (only of an index whose incidents each have their own digest)."""
        digests = [incident.digest for incident in index.incidents]
        self.forget()
        if not all(digests) or len(set(digests)) < len(digests):
            return
        self.context = context
        self.rows = {digest: row for row, digest in enumerate(digests)}
        self.indptr = index.matrix.indptr.astype(np.int64)
        self.terms = np.append(terms[index.matrix.indices], -1)
        self.values = np.append(index.matrix.data, np.nan)
        self.telling = np.append(index._telling[index.matrix.indices], False)
        self.rankings = list(rankings)
        count = len(rankings)
        self.lengths = np.fromiter((len(r.entries) for r in rankings), np.int64, count)
        self.nears = np.fromiter((r.near for r in rankings), np.int64, count)
        cells = int(self.lengths.sum())
        entries = [entry for ranking in rankings for entry in ranking.entries]
        self.columns = np.fromiter((entry.column for entry in entries), np.int64, cells)
        self.scores = np.fromiter((entry.score for entry in entries), np.float64, cells)

    def merged(
        self, index: SimilarityIndex, terms: np.ndarray, context: _Context
    ) -> dict[int, _Ranking]:
        """The rankings of ``index``'s rows (its columns' term numbers: ``terms``) that merging
        gives (see the class), by row."""
        count = len(index.incidents)
        digests = {incident.digest for incident in index.incidents}
        unknown = not count or not self.rows or len(digests) < count or b"" in digests
        if context != self.context or unknown:
            return {}
        previous = np.fromiter(
            (self.rows.get(incident.digest, -1) for incident in index.incidents), np.int64, count
        )
        same = self._same_rows(index, terms, previous)
        changed = np.flatnonzero(~same)
        if len(changed) * CHANGED_SHARE > count:
            return {}
        # Each last entry's column in this index (-1: gone), and whether it is kept (its row
        # did not change); a ranking whose every entry is kept, when the rows kept their
        # numbers, is kept as it is.
        last_count = len(self.rankings)
        now = np.full(last_count, -1, np.int64)
        present = np.flatnonzero(previous >= 0)
        now[previous[present]] = present
        renumbered = bool(np.any(previous[present] != present))
        moved = now[self.columns]
        kept_cell = (moved >= 0) & same[np.maximum(moved, 0)]
        owner = np.repeat(np.arange(last_count), self.lengths)
        kept_counts = np.bincount(owner[kept_cell], minlength=last_count)
        full = self.lengths == context.top
        # A full ranking that lost an entry does not know its next best: ranked again.
        usable = (self.nears < NEAR_LIMIT) & ~(full & (kept_counts < self.lengths))
        rows = np.flatnonzero(same)
        rows = rows[usable[previous[rows]]]
        lasts = previous[rows]
        ends = np.cumsum(self.lengths)
        worst = np.append(self.scores, 0.0)[np.where(self.lengths > 0, ends - 1, len(self.scores))]
        floors = np.where(full, worst - NEAR, 0.0)[lasts]
        whole = (kept_counts == self.lengths) & (not renumbered)
        kept: list[list[_Entry]] = []
        moved_list, kept_list, starts = moved.tolist(), kept_cell.tolist(), ends - self.lengths
        for last, as_it_is, start in zip(
            lasts.tolist(), whole[lasts].tolist(), starts[lasts].tolist(), strict=True
        ):
            entries = self.rankings[last].entries
            if as_it_is:
                kept.append(list(entries))
                continue
            kept.append(
                [
                    _Entry(moved_list[at], entry.score, entry.match, entry.key)
                    for at, entry in enumerate(entries, start)
                    if kept_list[at]
                ]
            )
        _matches.put_all(
            (entry.key, entry.match)
            for entries in kept
            for entry in entries
            if entry.key is not None and entry.match is not None
        )
        added = self._scores_against(index, rows, changed, floors.tolist())
        return self._merge(index, context, rows.tolist(), kept, added, self.nears[lasts].tolist())

    def _same_rows(
        self, index: SimilarityIndex, terms: np.ndarray, previous: np.ndarray
    ) -> np.ndarray:
        """Whether each row of ``index`` is the row ``previous`` (-1: none) of the last one."""
        matrix = index.matrix
        lengths = np.diff(matrix.indptr)
        last = np.maximum(previous, 0)
        same = (previous >= 0) & (np.diff(self.indptr)[last] == lengths)
        cell_row = np.repeat(np.arange(len(lengths)), lengths)
        checked = same[cell_row]
        at = self.indptr[last][cell_row] + np.arange(matrix.nnz) - matrix.indptr[cell_row]
        at = np.where(checked, at, len(self.terms) - 1)
        telling = index._telling[matrix.indices]
        differs = checked & (
            (self.terms[at] != terms[matrix.indices])
            | (self.values[at] != matrix.data)
            | (self.telling[at] != telling)
        )
        same[cell_row[differs]] = False
        return np.asarray(same, bool)

    @staticmethod
    def _scores_against(
        index: SimilarityIndex, rows: np.ndarray, changed: np.ndarray, floors: list[float]
    ) -> list[list[tuple[int, float]]]:
        """For each of ``rows``, the ``changed`` rows scoring more than 0 and at least its
        floor, with their exact scores."""
        added: list[list[tuple[int, float]]] = [[] for _ in range(len(rows))]
        if not len(rows) or not len(changed):
            return added
        vectors = index.matrix[rows]
        rough = sparse.coo_matrix(vectors @ index.matrix[changed].T)
        floor = np.asarray(floors)[rough.row] - 1e-9  # far more than a rounding's difference
        wanted = (rough.data > 0.0) & (rough.data >= floor)
        pair, column = rough.row[wanted], changed[rough.col[wanted]]
        exact = index._exact_pairs(vectors, pair, column)
        for position, other, score in zip(
            pair.tolist(), column.tolist(), exact.tolist(), strict=True
        ):
            if score > 0.0:
                added[position].append((other, min(score, 1.0)))
        return added

    @staticmethod
    def _merge(
        index: SimilarityIndex,
        context: _Context,
        rows: list[int],
        kept: list[list[_Entry]],
        added: list[list[tuple[int, float]]],
        nears: list[int],
    ) -> dict[int, _Ranking]:
        """Each row's kept entries and added scores, ranked; rows with many near-ties left out."""
        top, threshold = context.top, context.threshold
        new_pairs: list[tuple[int, int, int, float]] = []  # row, slot, column, score
        result: dict[int, _Ranking] = {}
        for row, entries, scores, near in zip(rows, kept, added, nears, strict=True):
            if scores:
                candidates = [*entries, *(_Entry(c, s, None, None) for c, s in scores)]
                rounded = np.round([entry.score for entry in candidates], TIE_DECIMALS)
                ids = index._id_rank[[entry.column for entry in candidates]]
                order = np.lexsort((ids, -rounded))[:top].tolist()
                entries = [candidates[slot] for slot in order]
                if len(entries) == top:
                    last = entries[-1].score - NEAR
                    near += sum(score >= last for _, score in scores)
                else:
                    near = len(entries)
                if near >= NEAR_LIMIT:
                    continue
                new_pairs.extend(
                    (row, slot, entry.column, entry.score)
                    for slot, entry in enumerate(entries)
                    if entry.key is None and entry.match is None and entry.score >= threshold
                )
            result[row] = _Ranking(entries, near)
        if new_pairs:
            pair_rows = np.asarray([row for row, _, _, _ in new_pairs], np.int64)
            columns = np.asarray([column for _, _, column, _ in new_pairs], np.int64)
            shared = index._shared_terms(index.matrix, pair_rows, columns)
            values = np.round([score for _, _, _, score in new_pairs], SCORE_DECIMALS).tolist()
            for (row, slot, column, score), value, (modes, words) in zip(
                new_pairs, values, shared, strict=True
            ):
                match, key = index._match(
                    index._facts[row],
                    index._facts[column],
                    index.incidents[column],
                    value,
                    modes,
                    words,
                )
                result[row].entries[slot] = _Entry(column, score, match, key)
        return result


def _term_ids(terms: Sequence[str]) -> np.ndarray:
    """The term number (``_term_id``) of each of ``terms``."""
    return np.fromiter(map(_term_id, terms), np.int64, len(terms))


def _candidate_columns(
    scores: np.ndarray,
    top: int,
    width: int,
    id_rank: np.ndarray,
    precise: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """For each row, the columns that may hold its ``top`` best positive scores: every column
    scoring at least a lower bound of its ``top``-th best (the ``top``-th best of the maxima of
    ``CHUNK_COLUMNS``-wide chunks) less ``MARGIN``; when there are more than ``width`` (many
    near-ties), the ``width`` best by their ``precise`` scores (of the rows given), ties by id
    (``id_rank``, the rank of each column's id). Rows are padded with -1 (cheaper than
    partitioning every row)."""
    rows, count = scores.shape
    if count <= width:
        return np.tile(np.arange(count), (rows, 1))
    full = count // CHUNK_COLUMNS
    maxima = scores[:, : full * CHUNK_COLUMNS].reshape(rows, full, CHUNK_COLUMNS).max(axis=2)
    if count > full * CHUNK_COLUMNS:
        maxima = np.column_stack([maxima, scores[:, full * CHUNK_COLUMNS :].max(axis=1)])
    chunks = maxima.shape[1]
    bound = (
        np.partition(maxima, chunks - top, axis=1)[:, chunks - top]
        if top <= chunks
        else np.zeros(rows)
    )
    # Only chunks whose maximum reaches the bound can hold candidates: look inside those.
    lowest = bound - MARGIN
    row, chunk = np.nonzero((maxima >= lowest[:, None]) & (maxima > 0.0))
    column = (chunk * CHUNK_COLUMNS)[:, None] + np.arange(CHUNK_COLUMNS)
    inside = column < count
    column = np.where(inside, column, 0)
    value = scores[row[:, None], column]
    pair, slot = np.nonzero(inside & (value >= lowest[row][:, None]) & (value > 0.0))
    row, column = row[pair], column[pair, slot]
    per_row = np.bincount(row, minlength=rows)
    crowded = per_row > width
    shape = (rows, width if crowded.any() else max(top, int(per_row.max(initial=0))))
    chosen = np.full(shape, -1, dtype=np.int64)
    keep = ~crowded[row]
    row, column = row[keep], column[keep]
    slot = np.arange(len(row)) - np.searchsorted(row, row)
    chosen[row, slot] = column
    if crowded.any():
        # Many near-ties (such as copies of one incident): the best, then the first by id.
        near = np.round(precise(np.flatnonzero(crowded)), TIE_DECIMALS)
        by_id = np.broadcast_to(id_rank, near.shape)
        chosen[crowded] = np.lexsort((by_id, -near), axis=1)[:, :width]
    return chosen


def _remembered_term_matrix(
    incidents: Sequence[Incident], told: Callable[[], Sequence[Mapping[str, list[str]]]]
) -> tuple[sparse.csr_matrix, list[str]]:
    """``_term_matrix``, counting again only the incidents the last call did not count (by
    digest: ``mkdocs serve`` indexes the same incidents after each edit). Each row's counts are
    exact sums, so the matrix is the one ``_term_matrix`` makes."""
    global _last_rows
    fresh = [row for row, incident in enumerate(incidents) if incident.digest not in _last_rows]
    counted, names = _term_matrix(
        [incidents[row] for row in fresh], lambda: [told()[row] for row in fresh]
    )
    term_ids = np.fromiter(map(_term_id, names), np.int64, len(names))
    bounds = counted.indptr.tolist()
    new_rows = {
        row: (term_ids[counted.indices[start:stop]], counted.data[start:stop])
        for row, start, stop in zip(fresh, bounds, bounds[1:], strict=False)
    }
    rows = [
        new_rows[row] if row in new_rows else _last_rows[incident.digest]
        for row, incident in enumerate(incidents)
    ]
    _last_rows = {incident.digest: counts for incident, counts in zip(incidents, rows, strict=True)}
    _last_rows.pop(b"", None)
    if len(fresh) == len(incidents):
        return counted, names
    ids = np.concatenate([np.zeros(0, np.int64), *(ids for ids, _ in rows)])
    present = np.unique(ids)
    by_name = sorted(present.tolist(), key=_term_names.__getitem__)
    column_of = np.zeros(len(_term_names), np.int64)
    column_of[np.asarray(by_name, np.int64)] = np.arange(len(by_name))
    lengths = np.fromiter((len(ids) for ids, _ in rows), np.int64, len(rows))
    matrix = sparse.csr_matrix(
        (
            np.concatenate([np.zeros(0), *(values for _, values in rows)]),
            column_of[ids],
            np.concatenate([[0], np.cumsum(lengths)]),
        ),
        shape=(len(incidents), len(by_name)),
    )
    matrix.sort_indices()
    return matrix, [_term_names[term] for term in by_name]


def _term_id(name: str) -> int:
    """A number for the column name ``name``, the same for the life of the process."""
    number = _term_numbers.get(name)
    if number is None:
        number = _term_numbers[name] = len(_term_names)
        _term_names.append(name)
    return number


def forget() -> None:
    """Drop what is kept for the next index in this process (a build that makes no other:
    tens of megabytes at 10,000 incidents); the indexes and results made stay as they are."""
    global _last_told, _last_rows
    _last_told, _last_rows = {}, {}
    _term_numbers.clear()
    _term_names.clear()
    _matches.forget()
    _last_rankings.forget()
    _last_facts.forget()
    _last_recurrences.forget()


_matches: Carried[_PairKey, Match] = Carried()
"""The matches the last index with the same mode titles gave, by pair and score (one caller
thread at a time)."""
_last_rankings = _LastRankings()
_last_facts: Carried[bytes, _Facts] = Carried()
"""Each incident's facts of the last index, by its digest."""
_last_recurrences: Carried[tuple[bytes, bytes, bytes], Recurrence | None] = Carried()
"""The last index's possible repeats, by the digests of the incident, the earlier one and the
best match."""
_last_rows: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
"""The last call's rows (term numbers, counts) by the incidents' digests."""
_term_numbers: dict[str, int] = {}
_term_names: list[str] = []


def _term_matrix(
    incidents: Sequence[Incident], told: Callable[[], Sequence[Mapping[str, list[str]]]]
) -> tuple[sparse.csr_matrix, list[str]]:
    """Per incident (one row each): the field-weighted counts of its story terms, the counts
    of its failure modes (declared, and ``told`` by its story: asked for once the terms are
    counted) and its structure; and the sorted column names. Terms are counted a run of
    incidents at a time (memory stays flat); the field weights are sums of halves, so adding
    them in any order gives the same counts. No term is a mode or structure column (those
    names hold a colon), so each cell sums one kind."""
    numbers: dict[str, int] = {}  # each column's number, first seen first
    token_columns: dict[str, int] = {}  # each token's column number (-1: a stop word)
    rows: list[np.ndarray] = []
    columns: list[np.ndarray] = []
    counts: list[np.ndarray] = []

    def add(cell_rows: np.ndarray, cell_columns: np.ndarray, values: np.ndarray) -> None:
        """Add cells, summing those of one (row, column)."""
        width = len(numbers)
        cells, where = np.unique(cell_rows * width + cell_columns, return_inverse=True)
        rows.append(cells // width)
        columns.append(cells % width)
        counts.append(np.bincount(where, weights=values, minlength=len(cells)))

    field_weights = np.asarray(list(FIELD_WEIGHTS.values()))
    fields = len(field_weights)
    for start, texts in _runs(incidents):
        tokens, field, vocabulary = tokenise(texts)
        for token in vocabulary:
            if token not in token_columns:
                term = token_term(token)
                token_columns[token] = (
                    -1 if term is None else numbers.setdefault(term, len(numbers))
                )
        column = np.fromiter(map(token_columns.__getitem__, vocabulary), np.int64, len(vocabulary))
        token_column = column[tokens]
        kept = token_column >= 0
        add(field[kept] // fields + start, token_column[kept], field_weights[field[kept] % fields])
    listed = np.asarray(
        [
            (row, numbers.setdefault(name, len(numbers)), hits)
            for row, (incident, modes) in enumerate(zip(incidents, told(), strict=True))
            for name, hits in counted_columns(incident.data, modes)
        ],
        dtype=np.int64,
    ).reshape(-1, 3)
    add(listed[:, 0], listed[:, 1], listed[:, 2].astype(float))
    by_number = list(numbers)
    names = sorted(by_number)
    position = {name: index for index, name in enumerate(names)}
    moved = np.fromiter(map(position.__getitem__, by_number), np.int64, len(by_number))
    cell_rows = np.concatenate([np.zeros(0, np.int64), *rows])
    cell_columns = moved[np.concatenate([np.zeros(0, np.int64), *columns])]
    matrix = sparse.csr_matrix(
        (np.concatenate([np.zeros(0), *counts]), (cell_rows, cell_columns)),
        shape=(len(incidents), len(names)),
    )
    matrix.sort_indices()
    return matrix, names


def _runs(incidents: Sequence[Incident]) -> Iterator[tuple[int, list[str]]]:
    """The incidents' texts (``incident_fields``) in runs of about ``TERM_CHARACTERS``: the
    row of each run's first incident, and the run's texts."""
    start, texts, size = 0, [], 0
    for row, incident in enumerate(incidents):
        for _, text in incident_fields(incident.data):
            texts.append(text)
            size += len(text)
        if size >= TERM_CHARACTERS:
            yield start, texts
            start, texts, size = row + 1, [], 0
    if texts:
        yield start, texts


def _rounded_frequencies(frequency: np.ndarray) -> np.ndarray:
    """Document frequencies to ``FREQUENCY_DIGITS`` significant digits, halves up."""
    digits = np.searchsorted(_POWERS_OF_TEN, frequency, side="right")
    step = _POWERS_OF_TEN[np.maximum(digits - FREQUENCY_DIGITS, 0)]
    return (frequency + step // 2) // step * step


_POWERS_OF_TEN = 10 ** np.arange(19, dtype=np.int64)


def _idf(document_frequency: np.ndarray, count: int) -> np.ndarray:
    """BM25's inverse document frequency, always positive."""
    return np.log(1.0 + (count - document_frequency + 0.5) / (document_frequency + 0.5))


def _kinds(names: Sequence[str]) -> np.ndarray:
    """The block of each column: ``STORY``, ``MODES`` or ``STRUCTURE``."""
    return np.asarray(
        [
            MODES
            if name.startswith(MODE_PREFIX)
            else STRUCTURE
            if name.startswith(STRUCTURE_PREFIXES)
            else STORY
            for name in names
        ],
        dtype=np.int8,
    )


def _story_lengths(counts: sparse.csr_matrix, kind: np.ndarray) -> np.ndarray:
    """The field-weighted number of story terms of each row."""
    story_counts = counts.multiply((kind == STORY)[None, :]) if counts.nnz else counts
    return np.asarray(story_counts.sum(axis=1), dtype=np.float64).ravel()


def _weighed(
    counts: sparse.csr_matrix,
    idf: np.ndarray,
    kind: np.ndarray,
    average_length: float,
    weights: Mapping[int, float],
) -> sparse.csr_matrix:
    """Rows of the index: BM25 weights of story terms, weighted failure-mode counts and
    structure, each block L2-normalised and scaled so that a dot product is the weighted sum
    of the blocks' cosines."""
    cells = counts.tocoo()
    kinds = kind[cells.col]
    lengths = _story_lengths(counts, kind)
    norm = BM25_K1 * (1.0 - BM25_B + BM25_B * lengths[cells.row] / average_length)
    story_weight = cells.data * (BM25_K1 + 1.0) / (cells.data + norm)
    other_weight = 1.0 + np.log(np.maximum(cells.data, 1.0))
    values = np.where(kinds == STORY, story_weight, other_weight) * idf[cells.col]
    rows = counts.shape[0]
    for block, weight in weights.items():
        inside = kinds == block
        squares = np.bincount(cells.row[inside], weights=values[inside] ** 2, minlength=rows)
        norms = np.sqrt(squares)
        norms[norms == 0.0] = 1.0
        values[inside] = values[inside] / norms[cells.row[inside]] * math.sqrt(weight)
    matrix = sparse.csr_matrix((values, (cells.row, cells.col)), shape=counts.shape)
    matrix.eliminate_zeros()
    matrix.sort_indices()
    return matrix
