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
from mkdocs.structure.toc import TableOfContents

from .parked import Parked


class ParkedToc(TableOfContents):
    """A generated page's table of contents while its own is parked, or once it is written."""

    def __init__(self) -> None:
        super().__init__([])


def park(page: Page, html: str, parked: Parked) -> None:
    """Park ``page``'s HTML and table of contents; keep its anchors compactly."""
    name = page.file.src_uri
    parked.put(name, html)
    parked.put_object(name, page.toc)
    page.toc = ParkedToc()
    _compact_anchors(page)


def unpark(page: Page, parked: Parked) -> None:
    """Give ``page`` back what ``park`` took. A table of contents another plugin has set
    meanwhile stays; entries it added to the placeholder follow the page's own."""
    name = page.file.src_uri
    html = parked.take(name)
    if html is not None:
        page.content = html
    toc = parked.take_object(name)
    if toc is not None and isinstance(page.toc, ParkedToc):
        toc.items.extend(page.toc.items)
        page.toc = toc


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
