"""Ids and slugs that look like page names ("index") still get their own pages and links."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sitebuild import build_site, make_project

pytestmark = pytest.mark.slow


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
    config = {
        "site_name": "Reserved names",
        "theme": {"name": "material", "font": False},
        "plugins": ["search", {"postmortems": {}}],
        "markdown_extensions": ["admonition", "tables"],
    }
    project = make_project(tmp_path / "project", config=yaml.safe_dump(config))
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (project / "incidents" / "2024").mkdir()
    (project / "incidents" / "2024" / "index.yaml").write_text(yaml.safe_dump(INCIDENT), "utf-8")
    site = build_site(project, project / "site").site_dir
    page = (site / "incidents" / "index" / "index.html").read_text(encoding="utf-8")
    assert "Summary of the index incident." in page
    listing = (site / "incidents" / "index.html").read_text(encoding="utf-8")
    assert 'href="../incidents/index/"' in listing
    service = (site / "services" / "index" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../incidents/index/"' in service
    year = (site / "timeline" / "2024" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../incidents/index/"' in year
