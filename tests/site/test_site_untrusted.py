"""Incident text is data: hostile-but-valid incidents build with --strict and nothing in them runs.

The hostile site is the fixture project plus two incidents full of probes (raw HTML, scripts,
event handlers, ``javascript:`` links of every Markdown kind, template syntax in every text
field, headings, attribute lists, snippet markers) and a catalog service with a hostile name;
it enables pymdownx.snippets, with a secret file next to ``mkdocs.yml``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from htmlpage import Page
from postmortems.site.search_index import bundle_records
from sitebuild import HOSTILE, BuiltSite, fixture_incidents

pytestmark = pytest.mark.slow

TEMPLATE_ID = "2025-01-15-template-probes"
MARKUP_ID = "2025-02-20-markup-probes"
PROBES = fixture_incidents(HOSTILE / "incidents")
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "xlink:href", "poster"}


@pytest.fixture(scope="module")
def pages(hostile_site: BuiltSite) -> dict[str, Page]:
    return {url: hostile_site.page(url) for url in hostile_site.urls()}


def strings(value: Any) -> list[str]:
    """Every string in an incident, keys of ``x-`` fields left out."""
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return [value] if isinstance(value, str) else []


def test_hostile_incidents_get_their_pages(pages: dict[str, Page]) -> None:
    for incident_id, incident in PROBES.items():
        assert pages[f"incidents/{incident_id}/"].texts("h1") == [incident["title"]]


def test_no_page_runs_a_script_from_incident_text(pages: dict[str, Page]) -> None:
    for url, page in pages.items():
        for src, content in page.scripts:
            assert "alert" not in content, url
            assert not src or re.fullmatch(
                r"(\.\./)*assets/(javascripts/[\w./-]+|postmortems-search)\.js", src
            ), src
        assert not re.search(r"<script>\s*alert", page.html, re.IGNORECASE), url


def test_no_element_gets_an_event_handler_attribute(pages: dict[str, Page]) -> None:
    for url, page in pages.items():
        handlers = [(tag, name) for tag, name, _ in page.attributes if name.startswith("on")]
        assert handlers == [], url


def test_no_link_or_source_points_at_a_script_or_data_url(pages: dict[str, Page]) -> None:
    for url, page in pages.items():
        for tag, name, value in page.attributes:
            if name in URL_ATTRIBUTES:
                cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
                assert not cleaned.startswith(UNSAFE_SCHEMES), (url, tag, value)
        assert not re.search(r"<a\b[^>]*href=\"\s*javascript:", page.html, re.IGNORECASE), url


def test_raw_html_in_text_is_shown_as_text(pages: dict[str, Page]) -> None:
    page = pages[f"incidents/{MARKUP_ID}/"]
    for shown in (
        '<script>alert("summary")</script>',
        "<img src=x onerror=\"alert('img')\">",
        '<iframe src="https://evil.example/"></iframe>',
        "<style>body{display:none}</style>",
        "<svg onload=alert('impact')></svg>",
    ):
        assert shown in page.article_text
    assert not re.search(r"<(iframe|object|embed|svg onload)\b", page.html)
    assert "<style>body" not in page.html


def test_markdown_links_to_other_schemes_keep_only_their_text(pages: dict[str, Page]) -> None:
    page = pages[f"incidents/{MARKUP_ID}/"]
    names = ("inline", "reference", "collapsed", "Mixed", "angled", "entity")
    assert all(name in page.article_text for name in names)
    assert not [link for link in page.links if link.in_article and link.text in names]
    assert "<javascript:alert('autolink')>" in page.article_text
    assert [link.text for link in page.links if link.in_article and link.href.startswith("http")]


def test_only_the_http_link_in_text_becomes_a_link(pages: dict[str, Page]) -> None:
    page = pages[f"incidents/{MARKUP_ID}/"]
    external = {link.href for link in page.links if link.in_article and "//" in link.href}
    assert external == {
        "https://example.com/fine",
        f"https://github.com/fixture/postmortems/edit/main/incidents/2025/{MARKUP_ID}.yaml",
    }


def test_template_syntax_in_every_field_is_shown_literally(pages: dict[str, Page]) -> None:
    page = pages[f"incidents/{TEMPLATE_ID}/"]
    # Markdown still applies around template syntax: ``{{ 7*7 }} ... {{ 8*8 }}`` has emphasis.
    written = sum(text.count("{{") for text in strings(PROBES[TEMPLATE_ID]))
    assert page.article_text.count("{{") >= written - 1  # one is a link target, which is dropped
    for shown in ("{% raw %}{{ 8*8 }}{% endraw %}", "{# hidden #}", "{{ config.site_name }}"):
        assert shown in page.article_text
    assert "{{ pm_count() }}" in page.article_text
    assert "49" not in page.article_text
    assert "64" not in page.article_text
    assert "Fixture postmortems" not in page.article_text


def test_template_syntax_in_titles_is_literal_on_index_pages(pages: dict[str, Page]) -> None:
    title = PROBES[TEMPLATE_ID]["title"]
    for url in ("incidents/", "services/checkout-api/", "timeline/2025/", "root-causes/"):
        assert "49" not in pages[url].article_text, url
    assert title in pages["incidents/"].article_text
    assert title in pages["root-causes/software-bug/"].article_text


def test_title_with_pipes_and_backticks_is_the_h1(pages: dict[str, Page]) -> None:
    page = pages[f"incidents/{TEMPLATE_ID}/"]
    assert page.texts("h1") == [PROBES[TEMPLATE_ID]["title"]]
    assert page.title == f"{PROBES[TEMPLATE_ID]['title']} - Fixture postmortems"


def test_every_table_row_has_as_many_cells_as_its_header(pages: dict[str, Page]) -> None:
    for url, page in pages.items():
        for table in page.tables:
            widths = {len(row) for row in table.rows}
            assert len(widths) == 1, (url, table.heading, table.rows)
    index = pages["incidents/"].table("Incidents")
    assert all(len(row) == 6 for row in index.rows)
    row = next(row for row in index.body if row[1].startswith(PROBES[TEMPLATE_ID]["title"]))
    assert row[2:] == ["SEV3", "checkout-api", "Software bug", "30 min"]
    actions = pages[f"incidents/{TEMPLATE_ID}/"].table("Action items").body
    assert actions[0][1:3] == ["Action {{ 7*7 }} | pipe | pipe", "Owner {{ 7*7 }} | team"]


def test_headings_in_text_cannot_replace_the_page_title(pages: dict[str, Page]) -> None:
    page = pages[f"incidents/{MARKUP_ID}/"]
    assert page.texts("h1") == [PROBES[MARKUP_ID]["title"]]
    assert "Injected top heading" in page.texts("h4")
    headings = [text for tag in ("h1", "h2", "h3") for text in page.texts(tag)]
    assert not [text for text in headings if "Setext" in text or "Injected" in text]
    assert {"Setext heading one", "Injected top heading"} <= set(page.texts("h4"))
    assert "Setext heading two" in page.texts("h5")


def test_attribute_lists_in_text_are_shown_as_text(pages: dict[str, Page]) -> None:
    page = pages[f"incidents/{MARKUP_ID}/"]
    assert "{: onclick=\"alert('attr')\" }" in page.article_text
    assert "{: onclick=alert('impact') }" in page.article_text


def test_snippet_markers_include_no_file(hostile_site: BuiltSite, pages: dict[str, Page]) -> None:
    for path in hostile_site.site_dir.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".csv"}:
            text = path.read_text(encoding="utf-8")
            assert "TOP-SECRET-SNIPPET" not in text, path
            assert "root:x:0:0" not in text, path
    page = pages[f"incidents/{MARKUP_ID}/"]
    assert '--8<-- "/etc/passwd" --8<-- "secret.txt"' in page.article_text
    assert page.article_text.count('--8<-- "secret.txt"') >= 2


def test_window_title_and_description_stay_inside_the_head(pages: dict[str, Page]) -> None:
    page = pages[f"incidents/{MARKUP_ID}/"]
    assert page.title == f"{PROBES[MARKUP_ID]['title']} - Fixture postmortems"
    descriptions = [
        value
        for tag, name, value in page.attributes
        if tag == "meta" and name == "content" and "description" in value
    ]
    assert descriptions == [PROBES[MARKUP_ID]["root_cause"]["summary"]]
    service = pages["services/hostile-service/"]
    name = "</title><script>alert('service')</script> {{ 7*7 }}"
    assert service.title == f"{name} - Fixture postmortems"


def test_hostile_title_is_text_in_the_tags_index(pages: dict[str, Page]) -> None:
    links = [link for link in pages["tags/"].links if MARKUP_ID in link.href]
    assert [link.text for link in links] == [PROBES[MARKUP_ID]["title"]]


def test_search_index_holds_hostile_markup_as_the_text_written(hostile_site: BuiltSite) -> None:
    records = bundle_records(hostile_site.site_dir / "pagefind")
    [record] = [record for record in records if MARKUP_ID in record["url"]]
    assert record["meta"]["title"] == PROBES[MARKUP_ID]["title"]
    assert record["content"].startswith(PROBES[MARKUP_ID]["title"])
