"""What a person sees in Chromium: search finds incidents, index pages lead to them, pages look.

Screenshots of an incident page and an index page, light and dark, go to ``tests/artifacts/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page
from sitebuild import REPO

pytestmark = pytest.mark.browser

MESSENGER = "2024-07-30-messenger-database-replication-outage"
MESSENGER_TITLE = "Incident Postmortem Report: Online Messenger App Outage"


def heading(page: Page) -> str:
    """The page's h1 as shown, without its permalink mark."""
    return page.locator("article h1").first.inner_text().removesuffix("¶").strip()


def search(page: Page, words: str) -> None:
    """Type ``words`` into Material's search box, as a person would."""
    page.wait_for_load_state("load")
    page.locator(".md-search__input").click()
    page.locator(".md-search__input").press_sequentially(words, delay=50)
    page.locator(".md-search-result__item").first.wait_for()


def test_search_for_root_cause_words_finds_the_incident_and_opens_it(
    page: Page, example_site: str
) -> None:
    page.goto(example_site)
    search(page, "replication failure overloaded primary")
    result = page.locator(f'.md-search-result__link[href*="incidents/{MESSENGER}/"]').first
    result.wait_for()
    result.click()
    page.wait_for_url(f"**/incidents/{MESSENGER}/**")
    assert heading(page) == MESSENGER_TITLE


def test_services_index_leads_to_a_service_and_then_to_an_incident(
    page: Page, example_site: str
) -> None:
    page.goto(f"{example_site}services/")
    page.locator("article a", has_text="Online messenger database cluster").click()
    page.wait_for_url("**/services/messaging-db/")
    assert heading(page) == "Online messenger database cluster"
    page.locator("article table a", has_text=MESSENGER_TITLE).click()
    page.wait_for_url(f"**/incidents/{MESSENGER}/")
    assert heading(page) == MESSENGER_TITLE
    assert page.locator(".pm-severity").inner_text() == "SEV1: critical"


# How a page looks at first sight: the luminance of the painted background, the contrast of the
# article's first paragraph against what is painted behind it, where the title sits, and how
# far the page reaches past the window's width.
LOOK = """() => {
  const channels = colour => {
    const [r, g, b, a = 1] = colour.match(/[\\d.]+/g).map(Number);
    return [r, g, b, a];
  };
  const over = (colour, behind) => {  // a translucent colour as painted over another
    const [r, g, b, a] = channels(colour);
    return channels(behind).slice(0, 3).map((value, i) => a * [r, g, b][i] + (1 - a) * value);
  };
  const luminance = rgb => {
    const [r, g, b] = rgb.map(value => {
      const share = value / 255;
      return share <= 0.03928 ? share / 12.92 : ((share + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const painted = element => {
    for (let node = element; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (channels(colour)[3] === 1) return colour;
    }
    return "rgb(255, 255, 255)";
  };
  const paragraph = document.querySelector("article p");
  const background = painted(paragraph);
  const text = luminance(over(getComputedStyle(paragraph).color, background));
  const behind = luminance(channels(background).slice(0, 3));
  const title = document.querySelector("article h1").getBoundingClientRect();
  return {
    background: luminance(channels(painted(document.querySelector(".md-main"))).slice(0, 3)),
    contrast: (Math.max(text, behind) + 0.05) / (Math.min(text, behind) + 0.05),
    titleOnFirstScreen: title.height > 0 && title.top >= 0 && title.bottom <= innerHeight,
    overflow: document.documentElement.scrollWidth - innerWidth,
  };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_incident_and_index_pages_follow_the_readers_colour_scheme_and_read_well(
    browser: Browser, example_site: str, artifacts: Path, scheme: str
) -> None:
    """Dark or light as the reader's system asks, text at WCAG AA contrast, the title on the
    first screen, nothing wider than the window; the severity badge and the facts on an
    incident, every incident in the index. Screenshots go to ``tests/artifacts/``."""
    incidents = len(list((REPO / "incidents").rglob("[!_]*.yaml")))
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        color_scheme=scheme,  # type: ignore[arg-type]
    )
    try:
        page = context.new_page()
        for name, url in (("incident", f"incidents/{MESSENGER}/"), ("index", "incidents/")):
            page.goto(example_site + url, wait_until="networkidle")
            page.screenshot(path=str(artifacts / f"{name}-{scheme}.png"), full_page=True)
            look = page.evaluate(LOOK)
            if scheme == "dark":
                assert look["background"] < 0.05, (name, look)
            else:
                assert look["background"] > 0.9, (name, look)
            assert look["contrast"] >= 4.5, (name, look)
            assert look["titleOnFirstScreen"], (name, look)
            assert look["overflow"] <= 0, (name, look)
            if name == "incident":
                assert page.locator(".pm-severity").inner_text() == "SEV1: critical"
                assert page.locator(".pm-facts").is_visible()
            else:
                assert page.locator("article table tbody tr").count() == incidents
    finally:
        context.close()


def test_hostile_text_runs_no_script_in_pages_or_search(page: Page, hostile_site: str) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    for url in (
        "incidents/2025-02-20-markup-probes/",
        "incidents/2025-01-15-template-probes/",
        "incidents/",
        "services/hostile-service/",
        "tags/",
    ):
        page.goto(hostile_site + url)
        page.wait_for_load_state("load")
    search(page, "onerror alert")
    page.locator(".md-search-result__link").first.click()
    page.wait_for_load_state("load")
    assert dialogs == []
    assert heading(page).startswith("</title><script>")


def test_incident_page_shows_its_tags_once_as_links_to_the_tags_page(
    page: Page, example_site: str
) -> None:
    page.goto(f"{example_site}incidents/{MESSENGER}/")
    shown = page.get_by_text("replication", exact=True)
    assert [shown.nth(i).is_visible() for i in range(shown.count())].count(True) == 1
    tag = page.locator("a.md-tag", has_text="replication")
    assert tag.is_visible()
    assert tag.get_attribute("href") == "../../tags/#tag:replication"
    assert not page.locator(".pm-facts .pm-tags").is_visible()


def test_pages_never_ask_a_third_party_for_repository_facts(
    page: Page, example_site: str, example_site_dir: Path
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for url in ("", f"incidents/{MESSENGER}/", "stats/"):
        page.goto(example_site + url, wait_until="networkidle")
    assert requested and all(url.startswith(example_site) for url in requested)
    link = page.locator(".md-header__source a.md-source")
    assert link.get_attribute("href") == "https://github.com/parcelly/postmortems"
    for html in example_site_dir.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert 'data-md-component="source"' not in text, html
        assert "//api.github.com" not in text, html
