"""Two builds of the same files give byte-identical generated pages and exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import BuiltSite, build_site, copy_project

pytestmark = pytest.mark.slow

COMPARED = ("incidents", "services", "root-causes", "timeline")


def generated_files(site_dir: Path) -> dict[str, bytes]:
    files = {
        path.relative_to(site_dir).as_posix(): path.read_bytes()
        for folder in COMPARED
        for path in sorted((site_dir / folder).rglob("*.html"))
    }
    files["incidents.json"] = (site_dir / "incidents.json").read_bytes()
    return files


def test_a_second_build_elsewhere_gives_identical_pages(
    site: BuiltSite, tmp_path_factory: pytest.TempPathFactory
) -> None:
    project = copy_project(tmp_path_factory.mktemp("again") / "elsewhere")
    again = build_site(project, project / "site")
    first, second = generated_files(site.site_dir), generated_files(again.site_dir)
    assert len(first) > 20
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
