"""Projects to run commands and builds in, and the sites built from them.

Every test folder makes its projects here: ``make_project`` (a schema, incidents, ``mkdocs.yml``),
``copy_project`` (a fixture project), ``copy_repository`` (this repository's own site); and
builds them with ``build_site``, as ``mkdocs build --strict`` does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from htmlpage import Page
from mkdocs.commands.build import build
from mkdocs.config import load_config
from postmortems.core.project import PACKAGED_SCHEMAS

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
"""Where the test environment's commands are (``mkdocs``, ``postmortems``, ``twine``...)."""
FIXTURES = REPO / "tests" / "site" / "fixtures"
PROJECT = FIXTURES / "project"
HOSTILE = FIXTURES / "hostile"
RICH_ID = "2024-03-12-checkout-payment-timeouts"
BUILD_DATE = date(2024, 9, 1)


def source_date_epoch(day: date) -> str:
    """``SOURCE_DATE_EPOCH`` for a build as of ``day`` (midnight UTC)."""
    return str(int(datetime.combine(day, datetime.min.time(), UTC).timestamp()))


SOURCE_DATE_EPOCH = source_date_epoch(BUILD_DATE)
SITE_CONFIG = (
    "site_name: t\nplugins:\n  - postmortems:\n      schema: schema/incident.schema.json\n"
)
"""The smallest ``mkdocs.yml`` of a project with its own copy of the schemas."""


@dataclass(frozen=True)
class BuiltSite:
    """A project folder and the site built from it."""

    project: Path
    site_dir: Path

    def html(self, url: str) -> str:
        """The HTML of the page at ``url`` (``incidents/<id>/``; ``""`` for the home page)."""
        return (self.site_dir / url / "index.html").read_text(encoding="utf-8")

    def page(self, url: str) -> Page:
        return Page(self.html(url), url)

    def urls(self) -> list[str]:
        """The URL of every HTML page of the site."""
        folders = (path.parent.relative_to(self.site_dir) for path in self.site_dir.rglob("*.html"))
        return sorted("" if folder == Path() else f"{folder.as_posix()}/" for folder in folders)


def fixture_incidents(folder: Path = PROJECT / "incidents") -> dict[str, dict[str, Any]]:
    """The incident files under ``folder`` as PyYAML reads them, by id (newest first)."""
    documents = [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted(folder.rglob("*.yaml"))
        if not path.name.startswith("_")
    ]
    documents.sort(key=lambda document: document["started_at"], reverse=True)
    return {document["id"]: document for document in documents}


def make_project(
    root: Path, incidents: Path | None = None, *, config: str | None = SITE_CONFIG
) -> Path:
    """A project in ``root``: its own copy of the packaged schemas, ``incidents/`` (a copy of
    ``incidents``, else empty), ``docs/``, and a ``mkdocs.yml`` holding ``config`` (none if
    ``None``)."""
    shutil.copytree(PACKAGED_SCHEMAS, root / "schema")
    if incidents is None:
        (root / "incidents").mkdir()
    else:
        shutil.copytree(incidents, root / "incidents")
    (root / "docs").mkdir()
    if config is not None:
        (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    return root


def run(
    command: Sequence[str | Path],
    cwd: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """``command`` in a process of its own, as from a shell in ``cwd``, with ``env`` added to
    the environment; its output captured as text, its exit status left to the caller."""
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def git(project: Path, *arguments: str) -> None:
    """Run ``git ARGUMENTS`` in ``project``, as an author of the tests."""
    done = run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *arguments], project)
    assert done.returncode == 0, done.stderr


def commit_all(project: Path) -> None:
    """The project as the first commit of a new repository, on ``main``."""
    git(project, "init", "-q", "-b", "main")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "base")


def copy_repository(destination: Path) -> Path:
    """A copy of this repository's site (incidents, docs, ``mkdocs.yml``), without its tests."""
    ignored = shutil.ignore_patterns(".git", ".venv", "site", "site-public", "tests")
    shutil.copytree(REPO, destination, ignore=ignored)
    return destination


def copy_project(destination: Path, source: Path = PROJECT) -> Path:
    """A writable copy of a fixture project, with the repository's schemas."""
    shutil.copytree(source, destination)
    shutil.copytree(PACKAGED_SCHEMAS, destination / "schema", dirs_exist_ok=True)
    return destination


def hostile_project(destination: Path) -> Path:
    """The fixture project plus the hostile incidents, a secret file and pymdownx.snippets."""
    project = copy_project(destination)
    shutil.copytree(HOSTILE / "incidents", project / "incidents", dirs_exist_ok=True)
    shutil.copy(HOSTILE / "secret.txt", project / "secret.txt")
    config = project / "mkdocs.yml"
    snippets = (
        "  - pymdownx.superfences\n"
        "  - pymdownx.snippets:\n"
        f"      base_path: [{str(project)!r}]\n"
        "      check_paths: false\n"
    )
    text = config.read_text(encoding="utf-8").replace("  - pymdownx.superfences\n", snippets)
    config.write_text(text, encoding="utf-8")
    return project


def build_site(
    project: Path,
    site_dir: Path,
    *,
    config: str = "mkdocs.yml",
    build_date: date | None = BUILD_DATE,
) -> BuiltSite:
    """``mkdocs build --strict`` of ``project``'s ``config`` into ``site_dir``, in this process,
    as of ``build_date`` (``None``: today).

    mkdocs-macros keeps its registrations across builds in one process: builds whose plugins
    come in another order run ``mkdocs`` in a process of their own.
    """
    with pytest.MonkeyPatch.context() as patch:
        if build_date is not None:
            patch.setenv("SOURCE_DATE_EPOCH", source_date_epoch(build_date))
        config_file = project / config
        loaded = load_config(config_file=str(config_file), strict=True, site_dir=str(site_dir))
        loaded.plugins.on_startup(command="build", dirty=False)
        try:
            build(loaded)
        finally:
            loaded.plugins.on_shutdown()
    return BuiltSite(project, site_dir)
