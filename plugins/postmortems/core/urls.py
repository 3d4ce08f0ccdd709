"""Where generated pages end up, and relative links between them for raw HTML tables.

Large listings are written as raw HTML (Python-Markdown converts big Markdown tables in
super-linear time, raw HTML in linear time), and MkDocs only rewrites links in Markdown, so
these links are computed here the way MkDocs computes page URLs.
"""

from __future__ import annotations

import functools
import posixpath


def incident_page(incident_id: str) -> str:
    """The source path of an incident's generated page."""
    return f"incidents/{incident_id}/index.md"


def absolute_url(site_url: str, path: str) -> str:
    """``path`` (relative to the site root) under the published ``site_url``."""
    return f"{site_url.rstrip('/')}/{path}"


def page_url(src_uri: str, *, directory_urls: bool = True) -> str:
    """The URL (relative to the site root) of the page built from ``src_uri``."""
    stem, _ = posixpath.splitext(src_uri)
    name = posixpath.basename(stem)
    if name in ("index", "README"):
        folder = posixpath.dirname(stem)
        return f"{folder}/" if folder else ""
    return f"{stem}/" if directory_urls else f"{stem}.html"


def relative_url(from_src: str, to_src: str, *, directory_urls: bool = True) -> str:
    """The link from the page built from ``from_src`` to the one built from ``to_src``.

    Always by way of the site root (``../../incidents/x/``): one string join per link, which
    matters in listings of thousands of rows.
    """
    target = file_url(to_src, directory_urls=directory_urls)
    return (_to_root(from_src, directory_urls) + target) or "./"


@functools.lru_cache(maxsize=65536)  # a listing links each incident from many pages
def file_url(src_uri: str, *, directory_urls: bool = True) -> str:
    """The URL of that page's file from the site root: ``index.html`` spelt out without
    directory URLs (a site opened as files needs it)."""
    target = page_url(src_uri, directory_urls=directory_urls)
    if not directory_urls and (target.endswith("/") or not target):
        target += "index.html"
    return target


@functools.lru_cache(maxsize=1024)
def _to_root(src_uri: str, directory_urls: bool) -> str:
    return "../" * page_url(src_uri, directory_urls=directory_urls).count("/")
