"""Build fixture projects into real sites and read their pages back."""

from __future__ import annotations

import shutil
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

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = FIXTURES / "project"
HOSTILE = FIXTURES / "hostile"
RICH_ID = "2024-03-12-checkout-payment-timeouts"
BUILD_DATE = date(2024, 9, 1)
SOURCE_DATE_EPOCH = str(int(datetime.combine(BUILD_DATE, datetime.min.time(), UTC).timestamp()))


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


def build_site(project: Path, site_dir: Path) -> BuiltSite:
    """``mkdocs build --strict`` of ``project`` into ``site_dir``, as of ``BUILD_DATE``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        patch.setenv("NO_MKDOCS_2_WARNING", "1")
        config = load_config(
            config_file=str(project / "mkdocs.yml"), strict=True, site_dir=str(site_dir)
        )
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    return BuiltSite(project, site_dir)
