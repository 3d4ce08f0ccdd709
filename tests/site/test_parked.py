"""Pages' Markdown and HTML wait on disk between MkDocs' steps, and come back unchanged."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from postmortems.site.parked import Parked


def test_texts_come_back_once_and_unchanged() -> None:
    parked = Parked()
    parked.put("incidents/a/index.md", "# A\n\nété 🔥 " * 1000)
    parked.put("incidents/b/index.md", "<p>b</p>")
    assert parked.take("incidents/b/index.md") == "<p>b</p>"
    assert parked.take("incidents/a/index.md") == "# A\n\nété 🔥 " * 1000
    assert parked.take("incidents/a/index.md") is None
    parked.close()


def test_without_a_writable_temporary_folder_texts_stay_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    parked = Parked()
    parked.put("page.md", "text")
    assert parked.take("page.md") == "text"
    parked.close()


def test_objects_come_back_once_equal_and_apart_from_texts() -> None:
    parked = Parked()
    toc = {"items": [("Summary", "summary", 2, ["Impact"])]}
    parked.put("incidents/a/index.md", "<h2>Summary</h2>")
    parked.put_object("incidents/a/index.md", toc)
    assert parked.take_object("incidents/a/index.md") == toc
    assert parked.take_object("incidents/a/index.md") is None
    assert parked.take("incidents/a/index.md") == "<h2>Summary</h2>"
    parked.close()


def test_an_object_that_does_not_pickle_stays_in_memory() -> None:
    parked = Parked()
    unpicklable = [lambda: None]
    parked.put_object("page.md", unpicklable)
    assert parked.take_object("page.md") is unpicklable
    parked.close()
