"""The render probes in headless Chromium: no dialog opens, and no page changes its own title."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page

pytestmark = pytest.mark.browser

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


def test_probe_pages_open_no_dialog_and_keep_their_title(
    page: Page, served: str, artifacts: Path
) -> None:
    """Every probe page keeps the title it was served with and has one h1."""
    dialogs: list[str] = []

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
            page.screenshot(path=str(artifacts / "render-probe.png"), full_page=True)
    assert dialogs == []
