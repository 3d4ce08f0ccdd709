"""Generated pages' HTML kept between builds, so an unchanged page skips Markdown conversion.

MkDocs converts every page on every build (and ``serve`` rebuilds the whole site on each save).
A generated page's HTML depends only on its Markdown, its place in the site, the Markdown
settings, the link checks and the hand-written pages it may link to; the key hashes exactly
those, so an entry is reused only where a conversion would give the same HTML. A page whose
conversion logged a warning is never stored: every rebuild converts it again and warns again,
so ``--strict`` fails exactly as on a clean build.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents
from mkdocs.utils import CountHandler

from ..core.cache import TextStore, code_fingerprint, fingerprint, versions

log = get_plugin_logger(__name__)


def _toc_data(links: list[AnchorLink]) -> list[dict[str, Any]]:
    return [
        {
            "title": link.title,
            "id": link.id,
            "level": link.level,
            "children": _toc_data(link.children),
        }
        for link in links
    ]


def _toc(data: list[dict[str, Any]]) -> list[AnchorLink]:
    links = []
    for item in data:
        link = AnchorLink(item["title"], item["id"], item["level"])
        link.children = _toc(item["children"])
        links.append(link)
    return links


class PageCache:
    """One build's lookups and entries; ``close`` once the build is done."""

    def __init__(self, store: TextStore, config: MkDocsConfig, files: Files) -> None:
        self._store = store
        hand_written = sorted(f.src_uri for f in files.documentation_pages() if not f.generated_by)
        self._site = fingerprint(
            code_fingerprint(),  # the entries' own format, and the plugin's hooks around them
            *versions("mkdocs", "markdown", "pymdown-extensions", "pygments"),
            list(config.markdown_extensions),
            dict(config.mdx_configs),
            config.use_directory_urls,
            dict(config.validation),
            hand_written,
        )
        self._keys: dict[str, bytes] = {}
        self._hits: dict[str, dict[str, Any]] = {}
        self._warnings = CountHandler(level=logging.WARNING)  # what MkDocs and plugins log
        self._warnings_before: dict[str, int] = {}
        self._pages = 0
        self._reused = 0
        logging.getLogger("mkdocs").addHandler(self._warnings)

    def markdown(self, page: Page, markdown: str) -> str:
        """What MkDocs should convert: nothing when the page's HTML is already known."""
        src_uri = page.file.src_uri
        key = fingerprint(self._site, src_uri, markdown.encode())
        stored = self._store.get(key)
        self._pages += 1
        if stored is not None:
            self._hits[src_uri] = json.loads(stored)
            self._reused += 1
            return ""
        self._keys[src_uri] = key
        self._warnings_before[src_uri] = self._warning_count()
        return markdown

    def content(self, page: Page, html: str, files: Files) -> str:
        """The page's HTML: restored with its table of contents and anchors, or stored."""
        src_uri = page.file.src_uri
        hit = self._hits.pop(src_uri, None)
        if hit is not None:
            page.toc = TableOfContents(_toc(hit["toc"]))
            page.present_anchor_ids = set(hit["anchors"])
            page._title_from_render = hit["title"]  # as render() sets it: the first heading
            if hit["links"] is not None:
                targets = ((files.get_file_from_path(uri), links) for uri, links in hit["links"])
                page.links_to_anchors = {file: links for file, links in targets if file}
            return str(hit["html"])
        key = self._keys.pop(src_uri, None)
        count = self._warning_count()
        warned = count > self._warnings_before.pop(src_uri, count)
        if key is not None and not warned:
            links = page.links_to_anchors
            entry = {
                "html": html,
                "toc": _toc_data(list(page.toc)),
                "anchors": sorted(page.present_anchor_ids or ()),
                "title": page._title_from_render,
                "links": None
                if links is None
                else sorted((file.src_uri, anchors) for file, anchors in links.items()),
            }
            # Encoded when written (by a preview's background writer): nothing changes the
            # entry after this (its lists are new, and MkDocs is done with the page's anchors).
            entry_text = functools.partial(json.dumps, entry, ensure_ascii=False)
            self._store.put_lazily(key, entry_text, size=len(html))
        return html

    def _warning_count(self) -> int:
        return sum(self._warnings.counts.values())

    def close(self) -> None:
        logging.getLogger("mkdocs").removeHandler(self._warnings)
        log.debug(f"page cache: {self._reused} of {self._pages} generated pages reused")
