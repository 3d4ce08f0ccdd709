"""Reading the site: postmortems not yet final are marked and can be filtered out, action-item
titles show their inline Markdown (sanitised), the facts of an incident come after its story."""

from __future__ import annotations

import re

import pytest
from postmortems.site.pages import template_environment
from sitebuild import RICH_ID, BuiltSite

pytestmark = pytest.mark.slow


def test_incidents_index_marks_unfinished_postmortems_and_offers_a_status_filter(
    site: BuiltSite,
) -> None:
    page = site.page("incidents/")
    filters = re.findall(r'<a href="#(all|final|unfinished)">([^<]+)</a>', page.html)
    assert filters == [
        ("all", "all (5)"),
        ("final", "final postmortems (3)"),
        ("unfinished", "drafts and in review (2)"),
    ]
    rows = re.findall(r'<tr class="pm-(final|unfinished)">.*?</tr>', page.html, re.DOTALL)
    assert sorted(rows) == ["final"] * 3 + ["unfinished"] * 2
    badges = re.findall(
        r'<span class="pm-badge pm-status pm-([a-z-]+)"[^>]*>([^<]+)</span>', page.html
    )
    assert sorted(badges) == [("draft", "Draft"), ("in-review", "In review")]


def test_incident_page_puts_summary_and_impact_before_the_facts(site: BuiltSite) -> None:
    html = site.page(f"incidents/{RICH_ID}/").html
    assert html.index('id="summary"') < html.index('id="impact"') < html.index('class="pm-facts"')
    assert html.index('class="pm-facts"') < html.index('id="detection"')


def test_action_item_titles_render_inline_markdown_and_nothing_active() -> None:
    phrase = template_environment().filters["phrase"]
    assert phrase("Turn off `retry_all` for *shop* | now") == (
        "Turn off <code>retry_all</code> for <em>shop</em> &#124; now"
    )
    hostile = phrase("<img src=x onerror=alert(1)> [x](javascript:alert(1))")
    assert hostile == (
        '&lt;img src=x onerror=alert(1)&gt; <a rel="noopener noreferrer nofollow">x</a>'
    )
    assert phrase("First paragraph\n\nsecond").startswith("<p>")


def test_incident_table_of_contents_starts_with_summary_and_impact(site: BuiltSite) -> None:
    html = site.page(f"incidents/{RICH_ID}/").html
    toc = html[html.index('aria-label="Table of contents"') : html.index("<article")]
    anchors = re.findall(r'<a href="#([^"]+)" class="md-nav__link">', toc)
    assert anchors[:6] == [
        "summary",
        "impact",
        "business-impact",
        "reputation-impact",
        "detection",
        "trigger",
    ]
    impact = toc[toc.index('href="#impact"') : toc.index('href="#detection"')]
    assert 'aria-label="Impact"' in impact  # business and reputation impact nest under it
