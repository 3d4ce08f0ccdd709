"""Built sites shared by the site tests: the fixture project, and the same with hostile incidents.

Each site is built once per test session with ``load_config(..., strict=True)`` + ``build`` (a
warning fails the build), with the build date fixed through ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import BuiltSite, build_site, copy_project, hostile_project


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The fixture project, built."""
    project = copy_project(tmp_path_factory.mktemp("project") / "project")
    return build_site(project, project / "site")


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The fixture project plus hostile-but-valid incidents, with pymdownx.snippets enabled."""
    project = hostile_project(tmp_path_factory.mktemp("hostile") / "project")
    return build_site(project, project / "site")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh, writable copy of the fixture project."""
    return copy_project(tmp_path / "project")
