"""Pagefind's indexing service as the build speaks to it: pages in, files back, failures told."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from postmortems.site import pagefind_service
from postmortems.site.pagefind_service import Page, index_pages

CONFIG = {"force_language": "en"}


def page(name: str, words: str) -> Page:
    return Page(
        f"{name}/index.html",
        f"<!DOCTYPE html><html><body><main data-pagefind-body><h1>{words}</h1></main>"
        "</body></html>",
    )


def test_pages_come_back_as_urls_in_order_and_the_bundle_as_files() -> None:
    indexed = index_pages([page("b", "replica lag"), page("a", "disk full")], CONFIG)
    assert indexed.urls == ["/b/", "/a/"]
    assert sum(name.startswith("fragment/") for name in indexed.files) == 2
    assert indexed.files["pagefind.js"].startswith(b"const pagefind_version")
    assert all(indexed.files.values())


def test_a_configuration_pagefind_refuses_is_reported_in_its_words() -> None:
    with pytest.raises(RuntimeError, match="pagefind answered NewIndex with"):
        index_pages([page("a", "disk full")], {"force_language": 5})


def test_a_service_that_stops_at_once_is_reported_and_nothing_is_left_waiting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pagefind_service.pagefind_bin, "get_executable", lambda: Path("/bin/true"))
    threads = threading.active_count()
    with pytest.raises(RuntimeError, match="pagefind stopped before answering NewIndex"):
        index_pages([page(str(n), "words " * 200) for n in range(2000)], CONFIG)
    assert threading.active_count() == threads


def test_an_error_while_making_the_pages_comes_through_as_it_is() -> None:
    def pages() -> Iterator[Page]:
        yield page("a", "disk full")
        raise ValueError("no such incident")

    threads = threading.active_count()
    with pytest.raises(ValueError, match="no such incident"):
        index_pages(pages(), CONFIG)
    assert threading.active_count() == threads
