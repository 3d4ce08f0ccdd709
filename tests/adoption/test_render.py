"""``postmortems render OUT`` writes the generated site as Markdown that Zensical builds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from postmortems.cli import main
from sitebuild import BIN, copy_repository, run

ROOT = Path(__file__).resolve().parents[2]
INCIDENT = "2024-07-30-messenger-database-replication-outage"


@pytest.fixture
def rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = copy_repository(tmp_path / "project")
    monkeypatch.chdir(project)
    monkeypatch.setenv("POSTMORTEMS_NO_CACHE", "1")
    assert main(["render", str(tmp_path / "site" / "docs")]) == 0
    return tmp_path / "site" / "docs"


def test_render_writes_every_generated_page_with_front_matter_exports_and_stylesheet(
    rendered: Path,
) -> None:
    incidents = list((ROOT / "incidents").rglob("[!_]*.yaml"))
    pages = list((rendered / "incidents").glob("*/index.md"))
    assert len(pages) == len(incidents)
    for name in ("incidents/index.md", "services/index.md", "root-causes/index.md", "stats.md"):
        assert (rendered / name).is_file(), name
    for name in ("incidents.json", "incidents.csv", "feed.xml", "assets/postmortems.css"):
        assert (rendered / name).is_file(), name
    page = (rendered / "incidents" / INCIDENT / "index.md").read_text(encoding="utf-8")
    assert page.startswith("---\ntitle: ")
    assert "render_macros: false" in page
    assert "{{" not in page and "{%" not in page


def test_render_writes_a_front_page_listing_every_rendered_incident_newest_first(
    rendered: Path,
) -> None:
    front = (rendered / "index.md").read_text(encoding="utf-8")
    assert front.startswith('---\ntitle: "Parcelly postmortems"\n')
    linked = re.findall(r"\]\((incidents/[^/)]+/index\.md)\)", front)
    pages = {str(path.relative_to(rendered)) for path in rendered.glob("incidents/*/index.md")}
    assert set(linked) == pages and len(linked) == len(pages)
    assert linked == sorted(linked, reverse=True)  # ids start with the date
    assert (
        f"[Incident Postmortem Report: Online Messenger App Outage](incidents/{INCIDENT}/" in front
    )
    for target in re.findall(r"\]\(([a-z-]+(?:/index)?\.(?:md|json|csv|xml))\)", front):
        assert (rendered / target).is_file(), target


def test_render_never_overwrites(rendered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = {path: path.stat().st_mtime_ns for path in rendered.rglob("*")}
    assert main(["render", str(rendered)]) == 1
    assert "is not an empty folder" in capsys.readouterr().err
    assert {path: path.stat().st_mtime_ns for path in rendered.rglob("*")} == before


@pytest.mark.slow
def test_zensical_builds_the_rendered_folder(rendered: Path) -> None:
    site = rendered.parent
    (site / "mkdocs.yml").write_text(
        "site_name: Postmortems\n"
        "extra_css: [assets/postmortems.css]\n"
        "markdown_extensions: [admonition, attr_list, tables, pymdownx.superfences]\n",
        encoding="utf-8",
    )
    result = run([BIN / "zensical", "build"], site, env={"NO_COLOR": "1"}, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = (site / "site" / "incidents" / INCIDENT / "index.html").read_text(encoding="utf-8")
    assert "Online Messenger App Outage" in html
    assert "pm-badge" in html  # the raw HTML of the page reached the output
    assert "<script>alert" not in html
    listing = (site / "site" / "incidents" / "index.html").read_text(encoding="utf-8")
    assert f"incidents/{INCIDENT}/" in listing
