"""The render probes in headless Chromium: no dialog opens, and no page changes its own title."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, sync_playwright

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PROBES = (
    "",
    "incidents/2025-03-01-non-bmp-title-probe/",
    "incidents/2025-03-02-fence-disagreement-probe/",
    "incidents/2025-03-03-link-scheme-probe/",
    "incidents/2025-03-04-unicode-planes-probe/",
    "services/render-probe/",
    "incidents/",
    "tags/",
)


@pytest.fixture
def served(render_site: Path, serve_folder: Callable[[Path], str]) -> str:
    return serve_folder(render_site)


def test_probe_pages_open_no_dialog_and_keep_their_title(served: str) -> None:
    dialogs: list[str] = []
    failures: list[BaseException] = []

    def visit() -> None:
        # In its own thread: the browser tests keep a sync Playwright loop in the main thread.
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM),
                    args=["--no-sandbox", "--disable-gpu"],
                    headless=True,
                )
                try:
                    visit_probes(browser.new_page(), served, dialogs)
                finally:
                    browser.close()
        except BaseException as error:  # re-raised in the test's own thread
            failures.append(error)

    thread = threading.Thread(target=visit)
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive()
    if failures:
        raise failures[0]
    assert dialogs == []


def visit_probes(page: Page, served: str, dialogs: list[str]) -> None:
    """Open every probe page; each keeps the title it was served with and has one h1."""

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    for url in PROBES:
        page.goto(served + url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(200)
        served_title = page.evaluate(
            "html => new DOMParser().parseFromString(html, 'text/html').title",
            page.request.get(served + url).text(),
        )
        assert page.title() == served_title, url
        assert page.locator("article h1").count() == 1, url
        if url.endswith("fence-disagreement-probe/"):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "render-probe.png"), full_page=True)
