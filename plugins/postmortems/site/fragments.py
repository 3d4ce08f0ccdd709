"""Rows of listing pages kept from one preview rebuild to the next, and for the next preview.

After a save under ``mkdocs serve``, every listing that shows the edited incident is rendered
again; at 10,000 incidents those listings hold tens of thousands of rows, all but a few as they
were. A template cuts its rows into runs (``runs``) and wraps each run in
``{% call fragment(page_src, key...) %}``: in a preview, the run's text is taken from the last
build, or from the page store (where earlier previews of the site left theirs: the first save
of a later preview finds them), else rendered. A key names everything the rows show besides
the templates and field rendering (the ``signature``: when it changes, nothing kept is used). A
preview keeps in memory only what its last build used.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.cache import Carried, TextStore, fingerprint

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
    """A preview's rendered runs by key: from its last build and this one, else from the page
    store (what an earlier preview of the site rendered); ``start`` each build. A plain build
    keeps none: storing them cost a cold build of 10,000 incidents 18 MB of peak memory."""

    def __init__(self) -> None:
        self._runs: Carried[tuple[Hashable, ...], str] = Carried()
        self._store = TextStore(None)
        self._signature = b""

    def start(self, signature: bytes, store: TextStore) -> None:
        """A new build, whose templates and field rendering are ``signature``, whose texts are
        kept in ``store``."""
        self._signature, self._store = signature, store
        self._runs.start(signature)

    def __call__(self, *key: Hashable, caller: Callable[[], str]) -> str:
        """The run under ``key``; ``caller`` renders it. A key with an empty part (an incident
        without a digest) is never kept."""
        if any(part == b"" for part in key):
            return caller()
        return self._runs.get(key, lambda: self._stored(key, caller))

    def _stored(self, key: tuple[Hashable, ...], caller: Callable[[], str]) -> str:
        digest = fingerprint(self._signature, key)
        text = self._store.get(digest)
        if text is None:
            text = caller()
            self._store.put(digest, text)
        return text


def rendered(*key: Hashable, caller: Callable[[], str]) -> str:
    """``fragment`` when nothing is kept (a build that is not a preview)."""
    return caller()
