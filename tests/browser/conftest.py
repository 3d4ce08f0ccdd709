"""The sites the browser tests open, each built once and served on 127.0.0.1.

Chromium and its tabs come from ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sitebuild import REPO, BuiltSite, build_site


@pytest.fixture(scope="session")
def example_site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own site (its incidents, docs and mkdocs.yml), built as of today."""
    folder = tmp_path_factory.mktemp("example") / "site"
    return build_site(REPO, folder, build_date=None).site_dir


@pytest.fixture(scope="session")
def example_site(example_site_dir: Path, serve_folder: Callable[[Path], str]) -> str:
    """The repository's own site, served: its base URL."""
    return serve_folder(example_site_dir)


@pytest.fixture(scope="session")
def public_site(
    tmp_path_factory: pytest.TempPathFactory, serve_folder: Callable[[Path], str]
) -> str:
    """The repository's public site (``mkdocs.public.yml``), served: its base URL."""
    folder = tmp_path_factory.mktemp("public") / "site"
    built = build_site(REPO, folder, config="mkdocs.public.yml", build_date=None)
    return serve_folder(built.site_dir)


@pytest.fixture(scope="session")
def hostile_site(hostile_site: BuiltSite, serve_folder: Callable[[Path], str]) -> str:
    """The hostile site of ``tests/conftest.py``, served: its base URL."""
    return serve_folder(hostile_site.site_dir)
