"""A site extends the packaged vocabularies from mkdocs.yml, without a schema of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import build_site, copy_project

pytestmark = pytest.mark.slow

EXTENSION = """      vocabularies:
        rootCauseCategory:
          - value: third-party-saas
            title: Third-party SaaS
            description: A software-as-a-service vendor we depend on failed.
        severity:
          - value: SEV5
            title: Cosmetic
"""


def test_an_added_root_cause_category_validates_and_gets_its_pages(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("      schema: schema/incident.schema.json\n", EXTENSION), encoding="utf-8"
    )
    incident = project / "incidents" / "2023" / "2023-06-02-search-index-rebuild-stalled.yaml"
    incident.write_text(
        incident.read_text(encoding="utf-8").replace(
            "  category: software-bug", "  category: third-party-saas"
        ),
        encoding="utf-8",
    )

    site = build_site(project, project / "site")

    page = site.html("root-causes/third-party-saas/")
    assert "Third-party SaaS" in page
    assert "A software-as-a-service vendor we depend on failed." in page
    assert "2023-06-02-search-index-rebuild-stalled" in page
    assert "Third-party SaaS" in site.html("root-causes/")
    assert "Third-party SaaS" in site.html("incidents/2023-06-02-search-index-rebuild-stalled/")
