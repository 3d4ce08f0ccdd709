"""Rows of listing pages kept from one preview rebuild to the next.

After a save under ``mkdocs serve``, every listing that shows the edited incident is rendered
again; at 10,000 incidents those listings hold tens of thousands of rows, all but a few as they
were. A template wraps each row in ``{% call fragment(page_src, key...) %}``: the row's text is
taken from the last build when the same page showed a row of the same key, else rendered. A key
names everything the row shows besides the templates and field rendering (the ``signature``:
when it changes, every kept row is dropped). Only the rows the last build used are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from ..core.cache import Carried


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
