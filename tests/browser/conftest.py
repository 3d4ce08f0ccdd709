"""Sites built into temporary folders, served over HTTP on 127.0.0.1, and headless Chromium.

Chromium is Debian's ``/usr/bin/chromium`` (``make browser-deps``); Playwright never downloads
a browser. Without Chromium these tests fail: they are part of ``make test``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from playwright.sync_api import Browser, Playwright, sync_playwright
from postmortems.core.project import PACKAGED_SCHEMAS

REPO = Path(__file__).resolve().parents[1].parent
FIXTURES = REPO / "tests" / "site" / "fixtures"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = REPO / "tests" / "artifacts"


def build_site(config_file: Path, site_dir: Path) -> Path:
    """``mkdocs build --strict`` of ``config_file`` into ``site_dir``, without the check cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NO_MKDOCS_2_WARNING", "1")
        patch.setenv("POSTMORTEMS_NO_CACHE", "1")
        config = load_config(config_file=str(config_file), strict=True, site_dir=str(site_dir))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    return site_dir


@pytest.fixture(scope="session")
def example_site(
    tmp_path_factory: pytest.TempPathFactory, serve_folder: Callable[[Path], str]
) -> str:
    """The repository's own site (its incidents, docs and mkdocs.yml), served."""
    site_dir = build_site(REPO / "mkdocs.yml", tmp_path_factory.mktemp("example") / "site")
    return serve_folder(site_dir)


@pytest.fixture(scope="session")
def public_site(
    tmp_path_factory: pytest.TempPathFactory, serve_folder: Callable[[Path], str]
) -> str:
    """The repository's public site (``mkdocs.public.yml``), served."""
    site_dir = build_site(REPO / "mkdocs.public.yml", tmp_path_factory.mktemp("public") / "site")
    return serve_folder(site_dir)


@pytest.fixture(scope="session")
def example_site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own site, built (for pages opened as files)."""
    return build_site(REPO / "mkdocs.yml", tmp_path_factory.mktemp("example-files") / "site")


@pytest.fixture(scope="session")
def hostile_site(
    tmp_path_factory: pytest.TempPathFactory, serve_folder: Callable[[Path], str]
) -> str:
    """The site tests' fixture project plus its hostile incidents, served."""
    project = tmp_path_factory.mktemp("hostile") / "project"
    shutil.copytree(FIXTURES / "project", project)
    shutil.copytree(FIXTURES / "hostile" / "incidents", project / "incidents", dirs_exist_ok=True)
    shutil.copytree(PACKAGED_SCHEMAS, project / "schema")
    return serve_folder(build_site(project / "mkdocs.yml", project / "site"))


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
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


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
