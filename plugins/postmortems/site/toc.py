"""Headings written as raw HTML in a page's table of contents.

The incident page's story (Summary, Impact) is raw HTML so that it can sit beside the facts
panel, and Python-Markdown's ``toc`` extension only sees Markdown headings: without this, the
page's table of contents starts at the first section after the story.
"""

from __future__ import annotations

import re

from mkdocs.structure.toc import AnchorLink, TableOfContents

_HEADING = re.compile(r'<h([1-6])\b[^>]*?\sid="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _ids(links: list[AnchorLink]) -> set[str]:
    return {link.id for link in links} | {i for link in links for i in _ids(link.children)}


def add_lead_headings(toc: TableOfContents, html: str) -> None:
    """Put the ``h2`` and ``h3`` headings that ``html`` holds before the first section already
    in ``toc`` at the start of its entries (under the page title), ``h3`` under their ``h2``."""
    known = _ids(toc.items)
    lead: list[AnchorLink] = []
    for level_text, anchor, inner in _HEADING.findall(html):
        level = int(level_text)
        if anchor in known:
            if level == 1:
                continue
            break
        if level not in (2, 3):
            continue
        link = AnchorLink(_TAG.sub("", inner).strip(), anchor, level)
        if level == 3 and lead:
            lead[-1].children.append(link)
        else:
            lead.append(link)
    top = toc.items
    entries = top[0].children if len(top) == 1 and top[0].level == 1 else top
    entries[0:0] = lead
