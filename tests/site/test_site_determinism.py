"""Two builds of the same files give byte-identical generated pages, exports and search index."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import BuiltSite, build_site, copy_project

pytestmark = pytest.mark.slow

COMPARED = ("incidents", "services", "root-causes", "timeline")


@pytest.fixture(scope="module")
def again(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The fixture project copied elsewhere and built a second time."""
    project = copy_project(tmp_path_factory.mktemp("again") / "elsewhere")
    return build_site(project, project / "site")


def generated_files(site_dir: Path) -> dict[str, bytes]:
    files = {
        path.relative_to(site_dir).as_posix(): path.read_bytes()
        for folder in COMPARED
        for path in sorted((site_dir / folder).rglob("*.html"))
    }
    files["incidents.json"] = (site_dir / "incidents.json").read_bytes()
    return files


def bundle_files(site_dir: Path) -> dict[str, bytes]:
    bundle = site_dir / "pagefind"
    return {
        path.relative_to(bundle).as_posix(): path.read_bytes()
        for path in sorted(bundle.rglob("*"))
        if path.is_file()
    }


def test_a_second_build_elsewhere_gives_identical_pages(site: BuiltSite, again: BuiltSite) -> None:
    first, second = generated_files(site.site_dir), generated_files(again.site_dir)
    assert len(first) > 20
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_a_second_build_elsewhere_gives_an_identical_search_index(
    site: BuiltSite, again: BuiltSite
) -> None:
    first, second = bundle_files(site.site_dir), bundle_files(again.site_dir)
    assert sum(name.startswith("fragment/") for name in first) > 5
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
