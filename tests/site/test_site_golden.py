"""The Markdown of generated pages, compared with golden files.

The pages come from ``pages.site_pages`` on the fixture files, loaded as the plugin loads them.
After an intended change, rewrite the golden files with ``UPDATE_GOLDEN=1 pytest tests/site``
and review the diff.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from goldens import assert_matches_golden
from postmortems.core.collection import Collection, load_collection
from postmortems.core.project import PACKAGED_SCHEMAS, ProjectPaths
from postmortems.site.pages import GeneratedPage, all_similar, site_pages, template_environment
from sitebuild import BUILD_DATE, HOSTILE, PROJECT

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).parent / "golden"
SCHEMA = PACKAGED_SCHEMAS / "incident.schema.json"
SECTIONS = ("incidents/", "services/", "root-causes/", "failure-modes/", "timeline/")


def collection(*folders: Path) -> Collection:
    """The incidents under ``folders`` merged into one incidents folder (the last catalog wins),
    loaded as the plugin loads them; every file valid."""
    incidents = Path(_MERGED.name) / "-".join(folder.parent.name for folder in folders)
    for folder in folders:
        shutil.copytree(folder, incidents / "incidents", dirs_exist_ok=True)
    catalog = incidents / "incidents" / "_services.yaml"
    paths = ProjectPaths(incidents, incidents / "incidents", SCHEMA, catalog)
    loaded = load_collection(paths, use_cache=False)
    assert not loaded.errors, loaded.errors
    return loaded


_MERGED = tempfile.TemporaryDirectory(prefix="golden-")
"""Where ``collection`` merges folders; removed when the test session ends."""


def generated(*folders: Path) -> dict[str, GeneratedPage]:
    pages_of = collection(*folders)
    similar, recurrences, told = all_similar(pages_of, 5)
    pages = site_pages(
        pages_of,
        template_environment(),
        today=BUILD_DATE,
        similar=similar,
        recurrences=recurrences,
        told=told,
    )
    return {page.src_uri: page for page in pages}


PAGES = {
    name: page
    for name, page in generated(PROJECT / "incidents").items()
    if name.startswith(SECTIONS)
}
HOSTILE_PAGES = {
    f"hostile/{name}": page
    for name, page in generated(PROJECT / "incidents", HOSTILE / "incidents").items()
    if name.startswith("incidents/") and "probes" in name
}


@pytest.mark.parametrize("name", sorted(PAGES | HOSTILE_PAGES))
def test_generated_markdown_matches_its_golden_file(name: str) -> None:
    assert_matches_golden((PAGES | HOSTILE_PAGES)[name].content, GOLDEN / name)


def test_every_golden_file_still_has_its_page() -> None:
    goldens = {path.relative_to(GOLDEN).as_posix() for path in GOLDEN.rglob("*.md")}
    assert goldens == set(PAGES | HOSTILE_PAGES)


def test_only_index_pages_are_in_the_nav_and_incident_pages_name_their_file() -> None:
    top_indexes = {"incidents/index.md", "services/index.md", "root-causes/index.md"}
    top_indexes |= {"failure-modes/index.md"}
    top_indexes |= {"timeline/index.md", "stats.md", "action-items.md", "quality.md"}
    for name, page in PAGES.items():
        if name in top_indexes:
            assert (page.in_nav, page.source) == (True, None), name
        elif name.startswith("incidents/"):
            incident_id = name.removeprefix("incidents/").removesuffix("/index.md")
            assert (page.in_nav, page.source) == (False, f"{incident_id[:4]}/{incident_id}.yaml")
        else:
            assert (page.in_nav, page.source) == (False, None), name
