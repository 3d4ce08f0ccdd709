"""The render probes built once per session, with mkdocs-macros after or before the plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

from .renderprobes import build_project, render_project


@pytest.fixture(scope="session", params=["macros-after", "macros-first"])
def render_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The render probes built, with mkdocs-macros after or before ``postmortems``."""
    folder = tmp_path_factory.mktemp(request.param) / "project"
    return build_project(render_project(folder, macros_first=request.param == "macros-first"))
