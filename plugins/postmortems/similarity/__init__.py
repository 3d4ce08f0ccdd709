"""Similar incidents and possible repeats, from incident text and structure (no MkDocs).

The names below are imported when first used: the failure-mode analysis alone
(``mechanisms``, which ``second_process`` runs in a fresh interpreter) needs none of them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .index import (
        DEFAULT_THRESHOLD,
        RECURRENCE_THRESHOLD,
        Match,
        Recurrence,
        SimilarityIndex,
        forget,
    )

__all__ = [
    "DEFAULT_THRESHOLD",
    "RECURRENCE_THRESHOLD",
    "Match",
    "Recurrence",
    "SimilarityIndex",
    "forget",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module(".index", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
