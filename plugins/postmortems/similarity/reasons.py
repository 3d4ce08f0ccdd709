"""Short, human reasons why two incidents look alike: the failure mode first, in words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

PHRASES_SHOWN = 2
"""Most failure modes whose matching phrases are quoted."""


class Facts(Protocol):
    """What is compared between two incidents (read-only)."""

    @property
    def phrases(self) -> Mapping[str, list[str]]:
        """The phrases telling each failure mode in the incident's story."""

    @property
    def category(self) -> str: ...

    @property
    def factors(self) -> frozenset[str]: ...

    @property
    def services(self) -> frozenset[str]: ...

    @property
    def tags(self) -> frozenset[str]: ...


def _listed(label: str, values: frozenset[str]) -> list[str]:
    return [f"{label}: {', '.join(sorted(values))}"] if values else []


def mode_title(mode: str, titles: Mapping[str, str]) -> str:
    """How a failure mode is named to a reader: its vocabulary title, else its slug in words."""
    return titles.get(mode) or mode.replace("-", " ")


def describe(
    mine: Facts,
    theirs: Facts,
    modes: list[str],
    words: list[str],
    titles: Mapping[str, str],
) -> tuple[str, ...]:
    """Reasons in reading order: shared failure modes, the phrases telling them on each side,
    shared story terms, shared contributing-factor categories, then category, services, tags."""
    reasons: list[str] = []
    if modes:
        named = ", ".join([mode_title(mode, titles) for mode in modes])
        reasons.append(f"same failure mode{'s' if len(modes) > 1 else ''}: {named}")
        for mode in modes[:PHRASES_SHOWN]:
            ours, others = mine.phrases.get(mode), theirs.phrases.get(mode)
            if ours and others and ours[0].lower() != others[0].lower():
                reasons.append(f"matching phrases: “{ours[0]}” ~ “{others[0]}”")
    if words:
        reasons.append(f"shared terms: {', '.join(words)}")
    reasons += _listed("shared contributing-factor categories", mine.factors & theirs.factors)
    if mine.category and mine.category == theirs.category:
        reasons.append(f"same root-cause category: {mine.category}")
    reasons += _listed("shared services", mine.services & theirs.services)
    reasons += _listed("shared tags", mine.tags & theirs.tags)
    return tuple(reasons)
