"""Short, human reasons why two incidents look alike."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class Facts(Protocol):
    """The structured fields compared between two incidents."""

    category: str
    factors: frozenset[str]
    services: frozenset[str]
    tags: frozenset[str]


def _listed(label: str, values: Iterable[str]) -> list[str]:
    names = sorted(values)
    return [f"{label}: {', '.join(names)}"] if names else []


def describe(mine: Facts, theirs: Facts, shared_terms: list[str]) -> tuple[str, ...]:
    """Reasons in reading order: category, factors, services, tags, then shared terms."""
    reasons: list[str] = []
    if mine.category and mine.category == theirs.category:
        reasons.append(f"same root-cause category: {mine.category}")
    elif mine.category in theirs.factors or theirs.category in mine.factors:
        reasons.append(f"related root-cause categories: {mine.category} and {theirs.category}")
    reasons += _listed("shared contributing-factor categories", mine.factors & theirs.factors)
    reasons += _listed("shared services", mine.services & theirs.services)
    reasons += _listed("shared tags", mine.tags & theirs.tags)
    if shared_terms:
        reasons.append(f"shared terms: {', '.join(shared_terms)}")
    return tuple(reasons)
