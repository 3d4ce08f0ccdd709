"""Rebuilds reuse generated pages' HTML, and give the same site as a clean build."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from mkdocs.exceptions import Abort
from postmortems.site.render import PACKAGE_TEMPLATES
from sitebuild import RICH_ID, build_site, copy_project

pytestmark = pytest.mark.slow


def site_files(site_dir: Path) -> dict[str, bytes]:
    """Every file of a built site but the search bundle (Pagefind names its chunks freely)."""
    return {
        path.relative_to(site_dir).as_posix(): path.read_bytes()
        for path in sorted(site_dir.rglob("*"))
        if path.is_file() and path.relative_to(site_dir).parts[0] != "pagefind"
    }


@dataclass
class Builds:
    """Builds of one project with the cache on, in a cache folder of its own."""

    project: Path
    out: Path
    monkeypatch: pytest.MonkeyPatch
    caplog: pytest.LogCaptureFixture

    def build(self, name: str) -> tuple[Path, int, int]:
        """The site built into ``name``, the pages reused from the cache, the pages generated."""
        self.caplog.clear()
        site_dir = build_site(self.project, self.out / name).site_dir
        found = re.findall(r"page cache: (\d+) of (\d+) generated pages reused", self.caplog.text)
        assert found, "the build did not report its page cache"
        return site_dir, int(found[-1][0]), int(found[-1][1])

    def clean(self) -> Path:
        """The site built without any cache."""
        with self.monkeypatch.context() as patch:
            patch.setenv("POSTMORTEMS_NO_CACHE", "1")
            return build_site(self.project, self.out / "clean").site_dir


@pytest.fixture
def builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> Builds:
    project = copy_project(tmp_path / "project")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("POSTMORTEMS_NO_CACHE", raising=False)
    config_file = project / "mkdocs.yml"
    text = config_file.read_text(encoding="utf-8").replace("cache: false", "cache: true")
    config_file.write_text(text, encoding="utf-8")
    caplog.set_level(logging.DEBUG, logger="mkdocs.plugins.postmortems.site.page_cache")
    return Builds(project, tmp_path, monkeypatch, caplog)


def test_a_rebuild_with_nothing_changed_reuses_every_page_and_equals_a_clean_build(
    builds: Builds,
) -> None:
    assert builds.build("first")[1] == 0
    cached, reused, pages = builds.build("second")
    assert pages > 20
    assert reused == pages
    assert site_files(cached) == site_files(builds.clean())


def test_an_edited_incident_is_converted_again_with_the_pages_that_show_it(builds: Builds) -> None:
    builds.build("first")
    incident = next(builds.project.glob(f"incidents/**/{RICH_ID}.yaml"))
    text = incident.read_text(encoding="utf-8")
    incident.write_text(text.replace("\ntitle: ", "\ntitle: Edited — ", 1), encoding="utf-8")
    cached, reused, pages = builds.build("second")
    assert 0 < reused < pages - 1  # its page, and the listings that show its title
    assert "Edited — " in (cached / "incidents" / RICH_ID / "index.html").read_text("utf-8")
    assert site_files(cached) == site_files(builds.clean())


def test_changed_markdown_settings_convert_every_page_again(builds: Builds) -> None:
    builds.build("first")
    config_file = builds.project / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["markdown_extensions"][3] = {"toc": {"permalink": "¶"}}
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    cached, reused, _ = builds.build("second")
    assert reused == 0
    assert "¶</a>" in (cached / "incidents" / RICH_ID / "index.html").read_text("utf-8")
    assert site_files(cached) == site_files(builds.clean())


def test_a_page_whose_conversion_warns_fails_strict_builds_from_a_warm_cache_too(
    builds: Builds,
) -> None:
    overrides = builds.project / "overrides"
    overrides.mkdir()
    template = (PACKAGE_TEMPLATES / "incident.md.j2").read_text(encoding="utf-8")
    (overrides / "incident.md.j2").write_text(
        template + "\nSee [the runbook](../../no-such-runbook.md).\n", encoding="utf-8"
    )
    config_file = builds.project / "mkdocs.yml"
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text.replace("cache: true", "cache: true\n      templates_dir: overrides"),
        encoding="utf-8",
    )
    incidents = len(list(builds.project.glob("incidents/**/2*.yaml")))
    for attempt in ("first", "second"):  # the second with every other page from the cache
        with pytest.raises(Abort, match=f"Aborted with {incidents} warnings in strict mode"):
            build_site(builds.project, builds.out / attempt)


def test_reordered_extension_fields_and_a_title_from_the_first_heading_survive_the_cache(
    builds: Builds,
) -> None:
    overrides = builds.project / "overrides"
    overrides.mkdir()
    (overrides / "incidents.md.j2").write_text(
        "---\nrender_macros: false\n---\n\n# All our incidents\n", encoding="utf-8"
    )
    config_file = builds.project / "mkdocs.yml"
    text = config_file.read_text(encoding="utf-8")
    text = text.replace("cache: true", "cache: true\n      templates_dir: overrides")
    config_file.write_text(text, encoding="utf-8")
    builds.build("first")
    incident = next(builds.project.glob(f"incidents/**/{RICH_ID}.yaml"))
    lines = incident.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("x-cost-centre:"))
    moved = [*lines[:start], *lines[start + 1 :], lines[start]]  # x-cost-centre last
    incident.write_text("".join(moved), encoding="utf-8")
    cached, reused, _ = builds.build("second")
    assert reused > 0
    listing = (cached / "incidents" / "index.html").read_text("utf-8")
    assert "<title>All our incidents - " in listing
    assert site_files(cached) == site_files(builds.clean())
