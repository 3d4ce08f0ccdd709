"""Pagefind search as a reader uses it: the header box, the keyboard, the facets page, its URL.

Screenshots of the box and of the search page, desktop and phone, light and dark, go to
``tests/artifacts/``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Dialog, Page

pytestmark = pytest.mark.browser

TIMEOUT = 30_000
FAILOVER = "2023-08-22-orders-db-failover-promoted-lagging-replica"
FAILOVER_TITLE = (
    "Orders database failover promoted a lagging replica; checkout down 12 minutes and 1,912 "
    "orders reconciled by hand"
)
BLACK_FRIDAY_TITLE = (
    "Black Friday checkout errors as autoscaled pods exhausted database connections"
)
PUBLIC_CERTIFICATE = "2023-03-14-tracking-api-certificate-expiry"


def open_box_and_type(page: Page, words: str) -> None:
    """Open the header box with the ``/`` key and type ``words``, as a person would."""
    page.wait_for_load_state("load")
    page.keyboard.press("/")
    page.keyboard.type(words, delay=40)
    page.locator(".md-search-result__item:not(.pm-search-more)").first.wait_for()


def box_results(page: Page) -> list[str]:
    return page.locator(
        ".md-search-result__item:not(.pm-search-more) .md-search-result__article h1"
    ).all_inner_texts()


def test_header_box_shows_title_date_severity_services_and_the_matching_words(
    page: Page, example_site: str
) -> None:
    page.goto(example_site)
    open_box_and_type(page, "Patroni lagging replica")
    assert page.locator("#__search").is_checked()
    first = page.locator(".md-search-result__item").first
    assert first.locator("h1").inner_text() == FAILOVER_TITLE
    facts = first.locator(".pm-search-facts").inner_text()
    assert "2023-08-22" in facts
    assert "SEV1" in facts
    assert "Orders database, Checkout API" in facts
    marked = {text.strip(".,;").lower() for text in first.locator("mark").all_inner_texts()}
    assert {"patroni's", "lagging", "replica"} & marked
    excerpt = first.locator(".pm-search-excerpt").inner_text()
    assert "Time to detect" not in excerpt and "Duration" not in excerpt
    assert not excerpt.startswith(FAILOVER_TITLE)


def test_keyboard_moves_through_results_opens_one_and_escape_closes(
    page: Page, example_site: str
) -> None:
    page.goto(example_site + "stats/")
    open_box_and_type(page, "failover")
    titles = box_results(page)
    assert len(titles) >= 2
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    active = page.locator(".md-search-result__item.pm-active")
    assert active.locator("h1").inner_text() == titles[1]
    assert active.get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowUp")
    assert page.locator(".md-search-result__item.pm-active h1").inner_text() == titles[0]
    page.keyboard.press("Escape")
    assert not page.locator("#__search").is_checked()
    page.keyboard.press("s")
    assert page.locator("#__search").is_checked()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert page.locator("article h1").first.inner_text().removesuffix("¶").strip() == titles[1]


def test_guides_are_found_too(page: Page, example_site: str) -> None:
    page.goto(example_site)
    open_box_and_type(page, "pre-commit hooks")
    guide = page.locator(".md-search-result__item", has_text="Guide").first
    assert guide.locator("h1").inner_text() == "Run the site"


def test_box_leads_to_the_search_page_with_the_query(page: Page, example_site: str) -> None:
    page.goto(example_site)
    open_box_and_type(page, "failover")
    page.locator(".pm-search-more a").click()
    page.wait_for_url("**/search/?q=failover")
    assert page.locator(".pm-search-input").input_value() == "failover"
    page.locator(".pm-search-results > li").first.wait_for()


def test_facets_narrow_results_and_the_url_keeps_them(page: Page, example_site: str) -> None:
    page.goto(example_site + "search/?q=failover&severity=SEV1")
    page.locator(".pm-search-results > li").first.wait_for()
    severity = page.locator('.pm-facet[data-facet="severity"]')
    assert severity.locator('input[value="SEV1"]').is_checked()
    assert set(page.locator(".pm-search-results .pm-severity").all_inner_texts()) == {"SEV1"}
    sev1_count = page.locator(".pm-search-results > li").count()
    # Other severities keep their counts, so a second one can be added (any of them matches).
    sev2 = severity.locator(".pm-facet-value", has=page.locator('input[value="SEV2"]'))
    expected = sev1_count + int(sev2.locator(".pm-facet-count").inner_text())
    sev2.locator("input").check()
    page.wait_for_function(
        f"document.querySelectorAll('.pm-search-results > li').length === {expected}"
    )
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"q": ["failover"], "severity": ["SEV1", "SEV2"]}
    page.reload()
    page.locator(".pm-search-results > li").first.wait_for()
    assert page.locator(".pm-search-results > li").count() == expected


def test_an_empty_query_with_facets_lists_matching_incidents_newest_first(
    page: Page, example_site: str
) -> None:
    page.goto(example_site + "search/?service=orders-db&year=2023")
    page.wait_for_function("document.querySelectorAll('.pm-search-results > li').length === 2")
    assert page.locator(".pm-search-results h1").all_inner_texts() == [
        BLACK_FRIDAY_TITLE,
        FAILOVER_TITLE,
    ]
    assert "(newest first)" not in page.locator(".pm-search-meta").inner_text()
    years = page.locator('.pm-facet[data-facet="year"] .pm-facet-value').all_inner_texts()
    assert [year.split() for year in years] == [["2026", "1"], ["2023", "2"]]


def test_hostile_titles_show_as_text_in_the_box_and_the_page(page: Page, hostile_site: str) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(hostile_site)
    open_box_and_type(page, "onerror alert title")
    title = "</title><script>alert('title')</script><img src=x onerror=alert('title')>"
    assert title in box_results(page)
    assert page.locator(".md-search-result img, .md-search-result script").count() == 0
    page.goto(hostile_site + "search/?q=onerror")
    page.locator(".pm-search-results > li").first.wait_for()
    assert title in page.locator(".pm-search-results h1").all_inner_texts()
    assert page.locator(".pm-search-results img, .pm-search-results script").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []


def test_opened_as_files_the_search_says_how_to_preview(page: Page, example_site_dir: Path) -> None:
    page.goto((example_site_dir / "search" / "index.html").as_uri())
    assert "mkdocs serve" in page.locator(".pm-search-meta").inner_text()
    page.goto((example_site_dir / "index.html").as_uri())
    page.keyboard.press("/")
    page.keyboard.type("failover")
    assert "mkdocs serve" in page.locator(".md-search-result__meta").inner_text()


def test_public_site_search_finds_public_incidents_only(page: Page, public_site: str) -> None:
    page.goto(public_site)
    open_box_and_type(page, "certificate expired")
    assert any("certificate" in title.lower() for title in box_results(page))
    page.goto(public_site + "search/?q=Patroni")
    page.wait_for_function(
        "document.querySelector('.pm-search-meta').textContent.startsWith('No results')"
    )
    page.goto(public_site + "search/")
    page.locator(".pm-search-results > li").first.wait_for()
    page.wait_for_function("!document.querySelector('.pm-search-show-more').offsetParent || true")
    links = page.locator(".pm-search-results a").evaluate_all("links => links.map(a => a.href)")
    assert any(PUBLIC_CERTIFICATE in link for link in links)
    assert not any(FAILOVER in link for link in links)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_of_the_search_box_and_page(
    browser: Browser, example_site: str, artifacts: Path, scheme: str, device: str
) -> None:
    width, height = (1280, 900) if device == "desktop" else (390, 844)
    context = browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme=scheme,  # type: ignore[arg-type]
        is_mobile=device == "phone",
        has_touch=device == "phone",
    )
    context.set_default_timeout(TIMEOUT)
    try:
        page = context.new_page()
        page.goto(example_site + "write-a-postmortem/")
        page.wait_for_load_state("load")
        if device == "phone":
            page.locator('label.md-header__button[for="__search"]').click()
            page.keyboard.type("replication failover", delay=30)
            page.locator(".md-search-result__item").first.wait_for()
        else:
            open_box_and_type(page, "replication failover")
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(300)
        assert page.locator(".md-search-result__item.pm-active").first.is_visible()
        page.screenshot(path=str(artifacts / f"search-box-{device}-{scheme}.png"))
        page.goto(example_site + "search/?q=failover&severity=SEV1&severity=SEV2")
        page.locator(".pm-search-results > li").first.wait_for()
        page.wait_for_timeout(300)
        assert page.locator(".pm-facet").first.is_visible()
        page.screenshot(path=str(artifacts / f"search-page-{device}-{scheme}.png"), full_page=True)
    finally:
        context.close()
