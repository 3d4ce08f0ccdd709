"""Ids and slugs that look like page names ("index") still get their own pages and links."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from postmortems.core.project import PACKAGED_SCHEMAS

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]

INCIDENT = {
    "id": "index",
    "title": "An incident whose id is index",
    "status": "final",
    "severity": "SEV3",
    "summary": "Summary of the index incident.",
    "services": ["index"],
    "started_at": "2024-05-01T08:00:00Z",
    "resolved_at": "2024-05-01T09:00:00Z",
    "impact": {"summary": "Some impact."},
    "root_cause": {"category": "unknown", "summary": "Not found yet"},
    "resolution": "Restarted.",
}


def test_incident_and_service_named_index_have_pages_linked_from_the_indexes(
    tmp_path: Path,
) -> None:
    shutil.copytree(PACKAGED_SCHEMAS, tmp_path / "schema")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (tmp_path / "incidents" / "2024").mkdir(parents=True)
    (tmp_path / "incidents" / "2024" / "index.yaml").write_text(yaml.safe_dump(INCIDENT), "utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        yaml.safe_dump(
            {
                "site_name": "Reserved names",
                "theme": {"name": "material", "font": False},
                "plugins": ["search", {"postmortems": {}}],
                "markdown_extensions": ["admonition", "tables"],
            }
        ),
        encoding="utf-8",
    )
    build(load_config(config_file=str(tmp_path / "mkdocs.yml"), strict=True))
    site = tmp_path / "site"
    page = (site / "incidents" / "index" / "index.html").read_text(encoding="utf-8")
    assert "Summary of the index incident." in page
    listing = (site / "incidents" / "index.html").read_text(encoding="utf-8")
    assert 'href="../incidents/index/"' in listing
    service = (site / "services" / "index" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../incidents/index/"' in service
    year = (site / "timeline" / "2024" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../incidents/index/"' in year
