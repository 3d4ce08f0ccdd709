"""Rows of listing pages kept from one preview rebuild to the next.

After a save under ``mkdocs serve``, every listing that shows the edited incident is rendered
again; at 10,000 incidents those listings hold tens of thousands of rows, all but a few as they
were. A template cuts its rows into runs (``runs``) and wraps each run in
``{% call fragment(page_src, key...) %}``: the run's text is taken from the last build when the
same page showed a run of the same key, else rendered. A key names everything the rows show
besides the templates and field rendering (the ``signature``: when it changes, everything kept
is dropped). Only what the last build used is kept.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.cache import Carried

RUN_ROWS = 64
"""About how many rows make a run: a save renders one run of each listing showing the edited
incident (a run per row, the first way, cost a template call per row: ~1 s at 10,000)."""


@dataclass(frozen=True)
class Run:
    """Consecutive rows of a listing, with a key of what sets them apart."""

    rows: Sequence[Any]
    key: tuple[Hashable, ...] | bytes
    """Every row's key parts, or ``b""`` when a row has no digest (then never kept)."""


def runs(rows: Iterable[Any], digest: str, *parts: str) -> list[Run]:
    """``rows`` in runs of about ``RUN_ROWS``, keyed by each row's ``digest`` and ``parts``
    (attribute paths such as ``incident.digest``; the digest names the row's incident, the
    parts, whole numbers, tell apart its rows). A run ends after a row chosen by its own key, so
    a row inserted, removed or changed changes the key of its run alone (or merges or splits
    it with a neighbour): every other run is kept."""
    key_of = operator.attrgetter(digest, *parts)
    found: list[Run] = []
    rows_of_run: list[Any] = []
    keys: list[Hashable] = []
    kept = True
    for row in rows:
        key = key_of(row)
        first, rest = (key[0], key[1:]) if parts else (key, ())
        rows_of_run.append(row)
        keys.append(key)
        kept = kept and first != b""
        if first and (first[0] + sum(rest)) % RUN_ROWS == 0:
            found.append(Run(rows_of_run, tuple(keys) if kept else b""))
            rows_of_run, keys, kept = [], [], True
    if rows_of_run:
        found.append(Run(rows_of_run, tuple(keys) if kept else b""))
    return found


class Fragments:
    """Rendered rows by key, from the last build and this one; ``start`` each build."""

    def __init__(self) -> None:
        self._rows: Carried[tuple[Hashable, ...], str] = Carried()

    def start(self, signature: bytes) -> None:
        """A new build, whose templates and field rendering are ``signature``."""
        self._rows.start(signature)

    def __call__(self, *key: Hashable, caller: Callable[[], str]) -> str:
        """The row under ``key``; ``caller`` renders it. A key with an empty part (an incident
        without a digest) is never kept."""
        if any(part == b"" for part in key):
            return caller()
        return self._rows.get(key, caller)


def rendered(*key: Hashable, caller: Callable[[], str]) -> str:
    """``fragment`` when nothing is kept (a build that is not a preview)."""
    return caller()
