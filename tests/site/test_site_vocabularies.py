"""A site extends the packaged vocabularies from mkdocs.yml, without a schema of its own."""

from __future__ import annotations

import subprocess
import sys
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


@pytest.mark.parametrize("value", ["../../outside", "a/b", "<b>x</b>", ".hidden", "open."])
def test_a_value_that_cannot_name_a_page_fails_the_build_and_writes_nothing(
    tmp_path: Path, value: str
) -> None:
    """A vocabulary's values become folders of the site: one that would climb out of its
    folder (or read as markup) is refused before any page is written."""
    project = copy_project(tmp_path / "project")
    config = project / "mkdocs.yml"
    added = f"      vocabularies:\n        rootCauseCategory:\n          - value: '{value}'\n"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("      schema: schema/incident.schema.json\n", added), encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert f"vocabulary rootCauseCategory: the value {value!r} cannot name a page" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "outside").exists() and not (project / "outside").exists()
    assert not (project / "site").exists()


def test_an_action_status_named_index_gets_its_own_page_beside_the_overview(
    tmp_path: Path,
) -> None:
    """Each status's page is a folder of its own: a status called ``index`` cannot take the
    place of the action-items overview."""
    project = copy_project(tmp_path / "project")
    config = project / "mkdocs.yml"
    added = (
        "      vocabularies:\n        actionStatus:\n"
        "          - value: index\n            title: Indexed\n"
    )
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("      schema: schema/incident.schema.json\n", added), encoding="utf-8"
    )

    site = build_site(project, project / "site")

    assert '<h1 id="action-items">Action items<' in site.html("action-items/")
    assert "Action items: Indexed" in site.html("action-items/index/")
