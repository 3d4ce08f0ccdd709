"""A generated page's state between MkDocs' steps: parked, given back whole, and its anchors
still checked as MkDocs checks them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from postmortems.site import page_state
from postmortems.site.parked import Parked
from sitebuild import RICH_ID, build_site, copy_project

MARKDOWN = """# Title

## Summary

[to summary](#summary) [to nowhere](#nowhere) [to other](../../other.md#absent)
"""


def _rendered(tmp_path: Path) -> tuple[Page, Files]:
    docs, site = tmp_path / "docs", tmp_path / "site"
    docs.mkdir()
    config = MkDocsConfig()
    config.load_dict({"site_name": "t", "docs_dir": str(docs), "site_dir": str(site)})
    assert config.validate() == ([], [])
    (docs / "other.md").write_text("# Other\n", encoding="utf-8")
    page_file = File("incidents/a/index.md", None, str(site), use_directory_urls=True)
    page_file.content_string, page_file.generated_by = MARKDOWN, "postmortems"
    other = File("other.md", str(docs), str(site), use_directory_urls=True)
    files = Files([page_file, other])
    page = Page(None, page_file, config)
    Page(None, other, config).read_source(config)
    other.page.render(config, files)  # type: ignore[union-attr]
    page.read_source(config)
    page.render(config, files)
    return page, files


def _anchor_warnings(page: Page, files: Files, caplog: pytest.LogCaptureFixture) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        page.validate_anchor_links(files=files, log_level=logging.WARNING)
    return sorted(record.getMessage() for record in caplog.records)


def test_parked_page_comes_back_whole_and_its_anchor_links_are_still_checked(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    page, files = _rendered(tmp_path)
    html, toc = page.content or "", page.toc
    before = _anchor_warnings(page, files, caplog)
    assert len(before) == 2  # #nowhere on the page itself, #absent on the other page
    parked = Parked()
    page_state.park(page, html, parked)
    assert isinstance(page.toc, page_state.ParkedToc)
    assert page.links_to_anchors is not None
    assert page.links_to_anchors[page.file] == {"nowhere": "#nowhere"}  # only what can fail
    assert _anchor_warnings(page, files, caplog) == before
    page.content = ""
    page_state.unpark(page, parked)
    assert page.content == html
    assert [(link.title, link.id) for link in page.toc] == [(link.title, link.id) for link in toc]
    assert [link.id for link in page.toc.items[0].children] == ["summary"]
    page_state.release(page)
    assert page.content == "" and not page.toc.items
    assert _anchor_warnings(page, files, caplog) == before
    parked.close()


def test_entries_another_plugin_adds_meanwhile_follow_the_pages_own(tmp_path: Path) -> None:
    page, _ = _rendered(tmp_path)
    own = [link.id for link in page.toc]
    parked = Parked()
    page_state.park(page, page.content or "", parked)
    page.toc.items.append(AnchorLink("Added", "added", 2))
    page_state.unpark(page, parked)
    assert [link.id for link in page.toc] == [*own, "added"]
    parked.close()


def test_a_blog_post_links_to_an_incident_pages_section(tmp_path: Path) -> None:
    """Material's blog plugin reads the linked page's table of contents while it is parked."""
    project = copy_project(tmp_path / "project")
    posts = project / "docs" / "blog" / "posts"
    posts.mkdir(parents=True)
    (project / "docs" / "blog" / "index.md").write_text("# Blog\n", encoding="utf-8")
    (posts / "lessons.md").write_text(
        f"---\ndate: 2024-04-01\nlinks:\n  - incidents/{RICH_ID}/index.md#impact\n---\n\n"
        "# Lessons from the checkout timeouts\n\nText.\n",
        encoding="utf-8",
    )
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace("\n  - tags\n", "\n  - tags\n  - blog\n", 1)
    config.write_text(text + "  - Blog:\n      - blog/index.md\n", encoding="utf-8")
    site = build_site(project, tmp_path / "site")  # strict: a lost anchor fails it
    post = site.page("blog/2024/04/01/lessons-from-the-checkout-timeouts/").html
    assert f'../../../../../incidents/{RICH_ID}/#impact"' in post
