"""The statistics page's charts as shown: text at least 11 px on screen and nothing scrolling
sideways, from a 390 px phone to a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "phone": (390, 844),
    "tablet": (768, 1024),
    "narrow desktop": (1000, 800),
    "desktop": (1280, 800),
}

# For every figure: the charts it shows, the smallest on-screen font size of their text (the
# computed size times the SVG's scale) and how far any text reaches past the viewport or the
# figure scrolls sideways.
MEASURE = """() => [...document.querySelectorAll("figure.pm-chart")].map(figure => {
  const shown = [...figure.querySelectorAll("svg")]
    .filter(svg => svg.getBoundingClientRect().width > 0);
  const texts = shown.flatMap(svg => [...svg.querySelectorAll("text")].map(text => ({
    size: parseFloat(getComputedStyle(text).fontSize) * svg.getScreenCTM().a,
    box: text.getBoundingClientRect(),
  })));
  return {
    shown: shown.map(svg => svg.id),
    texts: texts.length,
    smallest: Math.min(...texts.map(t => t.size)),
    past: Math.max(0, ...texts.map(t => Math.max(-t.box.left, t.box.right - window.innerWidth))),
    scrolls: figure.scrollWidth - figure.clientWidth,
  };
})"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_chart_text_stays_at_least_11_px_and_nothing_scrolls_sideways(
    browser: Browser, example_site: str, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(example_site + "stats/", wait_until="networkidle")
        figures = page.evaluate(MEASURE)
        page_overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    finally:
        context.close()

    assert len(figures) == 6
    for figure in figures:
        assert len(figure["shown"]) == 1, figure
        assert figure["texts"] > 3, figure
        assert figure["smallest"] >= 11, figure
        assert figure["past"] <= 0, figure
        assert figure["scrolls"] <= 0, figure
    assert page_overflow <= 0
    narrow = {figure["shown"][0].endswith("-narrow") for figure in figures}
    assert narrow == {width < 500}
