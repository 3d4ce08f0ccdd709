"""A site built for the public shows public incidents only, and no ``x-`` field at any depth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sitebuild import RICH_ID, BuiltSite, build_site, copy_project, fixture_incidents

pytestmark = pytest.mark.slow

EXTENSION_VALUES = ("CC-4410", "IMPACT-2211", "checkout-latency-p99", "ANALYSIS-77", "REL-100")


@pytest.fixture(scope="module")
def public_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    project = copy_project(tmp_path_factory.mktemp("public") / "project")
    incident = project / "incidents" / "2024" / f"{RICH_ID}.yaml"
    text = incident.read_text(encoding="utf-8")
    incident.write_text(text.replace("visibility: internal", "visibility: public"), "utf-8")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("cache: false", "cache: false\n      audience: public"), "utf-8")
    return build_site(project, project / "site")


def extension_keys(value: Any, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in (
                [f"{path}.{key}"] if key.startswith("x-") else extension_keys(item, f"{path}.{key}")
            )
        ]
    if isinstance(value, list):
        return [found for item in value for found in extension_keys(item, f"{path}[]")]
    return []


def test_public_site_has_pages_for_public_incidents_only(public_site: BuiltSite) -> None:
    pages = {path.name for path in (public_site.site_dir / "incidents").iterdir() if path.is_dir()}
    assert pages == {RICH_ID}
    assert len(fixture_incidents()) > 1


def test_public_incident_page_shows_no_extension_field(public_site: BuiltSite) -> None:
    page = public_site.page(f"incidents/{RICH_ID}/")
    assert "x-" not in page.article_text
    assert [value for value in EXTENSION_VALUES if value in page.html] == []


def test_public_exports_hold_no_extension_field_at_any_depth(public_site: BuiltSite) -> None:
    exported = json.loads(Path(public_site.site_dir, "incidents.json").read_text("utf-8"))
    assert extension_keys(exported) == []
