"""A copy of the shipped project, as the working directory, for running commands against."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from postmortems.core.project import PACKAGED_SCHEMAS

REPO = Path(__file__).resolve().parents[2]
KNOWN_ID = "2023-03-14-tracking-api-certificate-expiry"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(PACKAGED_SCHEMAS, root / "schema")  # a site with its own schema
    (root / "docs").mkdir(exist_ok=True)
    (root / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - postmortems:\n      schema: schema/incident.schema.json\n",
        encoding="utf-8",
    )
    shutil.copytree(REPO / "incidents", root / "incidents")
    monkeypatch.chdir(root)
    monkeypatch.setenv("POSTMORTEMS_NO_CACHE", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return root
