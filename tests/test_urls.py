"""Links in raw HTML listings point where MkDocs puts the pages, with or without directory URLs."""

from __future__ import annotations

import pytest
from postmortems.core.urls import page_url, relative_url


@pytest.mark.parametrize(
    ("src", "directory_urls", "url"),
    [
        ("index.md", True, ""),
        ("stats.md", True, "stats/"),
        ("stats.md", False, "stats.html"),
        ("incidents/index.md", True, "incidents/"),
        ("incidents/index.md", False, "incidents/"),
        ("incidents/2024-07-30-db/index.md", True, "incidents/2024-07-30-db/"),
        ("guides/write.md", True, "guides/write/"),
    ],
)
def test_page_url_follows_mkdocs(src: str, directory_urls: bool, url: str) -> None:
    assert page_url(src, directory_urls=directory_urls) == url


@pytest.mark.parametrize(
    ("source", "target", "directory_urls", "link"),
    [
        ("services/api/index.md", "incidents/a/index.md", True, "../../incidents/a/"),
        ("services/api/index.md", "incidents/a/index.md", False, "../../incidents/a/index.html"),
        ("stats.md", "incidents/a/index.md", True, "../incidents/a/"),
        ("stats.md", "incidents/a/index.md", False, "incidents/a/index.html"),
        ("incidents/index.md", "incidents/a/index.md", True, "../incidents/a/"),
        ("index.md", "services/api/index.md", True, "services/api/"),
        ("services/api/index.md", "services/api/index.md", True, "../../services/api/"),
        ("index.md", "index.md", True, "./"),
        ("guides/write.md", "stats.md", True, "../../stats/"),
    ],
)
def test_relative_url_between_generated_pages(
    source: str, target: str, directory_urls: bool, link: str
) -> None:
    assert relative_url(source, target, directory_urls=directory_urls) == link
