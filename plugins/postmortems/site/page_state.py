"""What MkDocs keeps of each generated page between its steps, kept small.

MkDocs converts every page before it renders any template, and keeps each page's HTML, table
of contents and anchors until the build ends (at 10,000 incidents the tables of contents alone
are about 65 MB, the anchors about 48 MB). A generated
page's HTML and table of contents wait in ``Parked`` (on disk) from conversion to its template,
and are dropped once it is written; of its anchors, it keeps only what MkDocs' check of anchor
links can still report on.
"""

from __future__ import annotations

import sys

from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from .parked import Parked


class ParkedToc(TableOfContents):
    """A generated page's table of contents while it is parked: read back from ``parked`` only
    if something reads it before the page's template runs (Material's blog plugin looks up the
    anchors of pages its posts link to). Without ``parked``, empty (a written page's)."""

    def __init__(self, parked: Parked | None = None, name: str = "") -> None:
        # TableOfContents.__init__ would set ``items``, which reads it back.
        self._parked, self._name = parked, name
        self._whole: TableOfContents | None = None

    def whole(self) -> TableOfContents:
        """The page's own table of contents, read back on first use."""
        if self._whole is None:
            taken = self._parked.take_object(self._name) if self._parked is not None else None
            self._whole = taken if isinstance(taken, TableOfContents) else TableOfContents([])
            self._parked = None
        return self._whole

    @property
    def items(self) -> list[AnchorLink]:
        return self.whole().items

    @items.setter
    def items(self, value: list[AnchorLink]) -> None:
        self.whole().items = value


def park(page: Page, html: str, parked: Parked) -> None:
    """Park ``page``'s HTML and table of contents; keep its anchors compactly."""
    name = page.file.src_uri
    parked.put(name, html)
    parked.put_object(name, page.toc)
    page.toc = ParkedToc(parked, name)
    _compact_anchors(page)


def unpark(page: Page, parked: Parked) -> None:
    """Give ``page`` back what ``park`` took. A table of contents another plugin has set
    meanwhile stays; what it changed in the parked one is kept."""
    html = parked.take(page.file.src_uri)
    if html is not None:
        page.content = html
    if isinstance(page.toc, ParkedToc):
        page.toc = page.toc.whole()


def release(page: Page) -> None:
    """Drop what nothing needs once ``page`` is written (its anchors stay for MkDocs' check)."""
    page.content = ""
    page.toc = ParkedToc()


def _compact_anchors(page: Page) -> None:
    """Links from the page to its own anchors that exist can never be reported: dropped. The
    anchors' names are shared between pages (most are the same section names)."""
    present = page.present_anchor_ids
    if present is None:
        return
    page.present_anchor_ids = {sys.intern(anchor) for anchor in present}
    links = page.links_to_anchors
    own = links.get(page.file) if links else None
    if links is None or own is None:
        return
    missing = {anchor: link for anchor, link in own.items() if anchor not in present}
    if missing:
        links[page.file] = missing
    else:
        del links[page.file]
