"""Measure a ranking on labelled look-alike pairs: recall@1, recall@3 and mean reciprocal rank.

Also holds the baseline every ranking is compared with: plain BM25 over each incident file's
whole text (no fields, no boosts, no synonyms).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_WORD = re.compile(r"[a-z0-9]+")
BM25_K1 = 1.2
BM25_B = 0.75


@dataclass(frozen=True)
class Scores:
    """How well a ranking finds each incident's partner."""

    recall_at_1: float
    recall_at_3: float
    mrr: float
    ranks: dict[str, int]
    """The partner's rank (1 = first) for each incident of a pair."""

    def line(self, name: str) -> str:
        """One printable line: name, recall@1, recall@3, MRR."""
        count = len(self.ranks)
        first = round(self.recall_at_1 * count)
        top3 = round(self.recall_at_3 * count)
        return (
            f"{name:<36} recall@1 {first:>2}/{count} ({self.recall_at_1:5.1%})  "
            f"recall@3 {top3:>2}/{count} ({self.recall_at_3:5.1%})  MRR {self.mrr:.3f}"
        )


def score(rankings: Mapping[str, Sequence[str]], pairs: Iterable[Sequence[str]]) -> Scores:
    """Recall@1, recall@3 and MRR of ``rankings`` over both directions of every pair."""
    ranks: dict[str, int] = {}
    for first, second in pairs:
        for mine, partner in ((first, second), (second, first)):
            ranked = list(rankings.get(mine, ()))
            ranks[mine] = ranked.index(partner) + 1 if partner in ranked else math.inf  # type: ignore[assignment]
    count = max(1, len(ranks))
    return Scores(
        sum(rank == 1 for rank in ranks.values()) / count,
        sum(rank <= 3 for rank in ranks.values()) / count,
        sum(1.0 / rank for rank in ranks.values()) / count,
        ranks,
    )


def whole_text(path: Path) -> str:
    """An incident file's whole text, as the baseline reads it."""
    return path.read_text(encoding="utf-8")


def bm25_rankings(texts: Mapping[str, str]) -> dict[str, list[str]]:
    """Plain BM25 (k1 1.2, b 0.75) of every text used as a query against all the others."""
    bags = {key: Counter(_WORD.findall(text.lower())) for key, text in texts.items()}
    count = len(bags)
    lengths = {key: sum(bag.values()) for key, bag in bags.items()}
    average = sum(lengths.values()) / max(1, count)
    frequency: Counter[str] = Counter()
    for bag in bags.values():
        frequency.update(bag.keys())
    idf = {
        term: math.log(1.0 + (count - seen + 0.5) / (seen + 0.5))
        for term, seen in frequency.items()
    }
    rankings: dict[str, list[str]] = {}
    for key, query in bags.items():
        scored = []
        for other, bag in bags.items():
            if other == key:
                continue
            norm = BM25_K1 * (1.0 - BM25_B + BM25_B * lengths[other] / average)
            total = sum(
                weight * idf[term] * bag[term] * (BM25_K1 + 1.0) / (bag[term] + norm)
                for term, weight in query.items()
                if term in bag
            )
            scored.append((-total, other))
        rankings[key] = [other for _, other in sorted(scored)]
    return rankings
