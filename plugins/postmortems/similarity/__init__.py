"""Similar incidents and possible repeats, from incident text and structure (no MkDocs)."""

from __future__ import annotations

from .index import (
    DEFAULT_THRESHOLD,
    RECURRENCE_THRESHOLD,
    Match,
    Recurrence,
    SimilarityIndex,
)

__all__ = ["DEFAULT_THRESHOLD", "RECURRENCE_THRESHOLD", "Match", "Recurrence", "SimilarityIndex"]
