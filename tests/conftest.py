"""Fixtures every test folder shares: the environment, projects, built sites, a web server and
headless Chromium.

Projects and sites are made by ``sitebuild`` (this folder). Chromium is Debian's
``/usr/bin/chromium`` (``make browser-deps``); Playwright never downloads a browser. Without
Chromium the browser tests fail: they are part of ``make test``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sitebuild import (
    REPO,
    SITE_CONFIG,
    BuiltSite,
    build_site,
    copy_project,
    hostile_project,
    make_project,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = REPO / "tests" / "artifacts"
BROWSER_TIMEOUT = 30_000


@pytest.fixture(scope="session", autouse=True)
def _environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test runs as on a developer's machine, whatever the shell or CI sets: a cache
    folder of the session's own (never the user's), no GitHub Actions output, no banner."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        patch.setenv("NO_MKDOCS_2_WARNING", "1")
        patch.delenv("GITHUB_ACTIONS", raising=False)
        yield


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A browser test is a slow one too: ``pytest -m "not slow"`` (``make test-quick``) leaves
    out every test that builds a site or starts Chromium."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.slow)


# --- projects and sites ---------------------------------------------------------------------


@pytest.fixture
def new_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Make a project in a temporary folder and work in it: call it as ``sitebuild.make_project``
    without the folder (``incidents`` to copy, ``config`` for its ``mkdocs.yml``)."""

    def make(incidents: Path | None = None, *, config: str | None = SITE_CONFIG) -> Path:
        root = make_project(tmp_path / "project", incidents, config=config)
        monkeypatch.chdir(root)
        return root

    return make


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The site tests' fixture project, built."""
    project = copy_project(tmp_path_factory.mktemp("project") / "project")
    return build_site(project, project / "site")


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The fixture project plus hostile-but-valid incidents, with pymdownx.snippets enabled."""
    project = hostile_project(tmp_path_factory.mktemp("hostile") / "project")
    return build_site(project, project / "site")


# --- a web server ---------------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep request lines out of the test output."""


@contextlib.contextmanager
def _serving(folder: Path) -> Iterator[str]:
    handler = partial(_QuietHandler, directory=str(folder))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/"
        finally:
            server.shutdown()
            thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve_folder() -> Iterator[Callable[[Path], str]]:
    """Serve a folder (a built site) over HTTP on a free port of 127.0.0.1: call it with the
    folder, get the base URL. Every server stops at the end of the session."""
    with contextlib.ExitStack() as servers:
        yield lambda folder: servers.enter_context(_serving(folder))


# --- headless Chromium ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: install it with `make browser-deps`")
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A tab of a desktop-sized window (1280 × 900) of its own."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(BROWSER_TIMEOUT)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
