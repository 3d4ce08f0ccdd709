"""axe-core (bundled by axe-playwright-python) finds no serious or critical problem inside the
content area of any page kind, in the light and the dark palette, on a desktop and a phone."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

PAGE_KINDS = {
    "home": "",
    "incidents index": "incidents/",
    "incident": "incidents/2024-07-30-messenger-database-replication-outage/",
    "draft incident": "incidents/2026-10-30-checkout-api-intermittent-502s/",
    "services index": "services/",
    "service": "services/messaging-db/",
    "root cause": "root-causes/capacity/",
    "failure mode": "failure-modes/connection-exhaustion/",
    "timeline": "timeline/",
    "year": "timeline/2024/",
    "action items": "action-items/",
    "statistics": "stats/",
    "quality": "quality/",
    "search": "search/",
}
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_problem_in_the_content_of_any_page_kind(
    browser: Browser, example_site: str, scheme: str, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme=scheme,  # type: ignore[arg-type]
    )
    axe = Axe()
    found: list[str] = []
    try:
        page = context.new_page()
        for kind, path in PAGE_KINDS.items():
            page.goto(example_site + path, wait_until="networkidle")
            results = axe.run(page, context={"include": [[".md-content"]]})
            for violation in results.response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    found.append(f"{kind}: {violation['id']} ({violation['impact']}) at {targets}")
    finally:
        context.close()
    assert not found, "\n".join(found)
