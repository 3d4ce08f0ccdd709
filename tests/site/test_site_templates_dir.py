"""A site's own templates replace the packaged ones file by file; a missing folder is an error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from mkdocs.exceptions import Abort
from sitebuild import build_site, copy_project

pytestmark = pytest.mark.slow


def _project(tmp_path: Path, templates_dir: str) -> Path:
    """The fixture project with ``templates_dir``: its ``mkdocs.yml``."""
    config_file = copy_project(tmp_path / "project") / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    # Keep the plugin order: mkdocs-macros keeps registrations across builds in one process.
    config["plugins"] = [
        {"postmortems": {**(entry.get("postmortems") or {}), "templates_dir": templates_dir}}
        if isinstance(entry, dict) and "postmortems" in entry
        else entry
        for entry in config["plugins"]
    ]
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    return config_file


def test_template_in_templates_dir_replaces_the_packaged_one(tmp_path: Path) -> None:
    config_file = _project(tmp_path, "overrides")
    overrides = config_file.parent / "overrides"
    overrides.mkdir()
    (overrides / "timeline.md.j2").write_text(
        "---\ntitle: Our timeline\nrender_macros: false\n---\n\n# Our own timeline page\n",
        encoding="utf-8",
    )
    build_site(config_file.parent, config_file.parent / "site")
    timeline = (config_file.parent / "site" / "timeline" / "index.html").read_text("utf-8")
    assert "Our own timeline page" in timeline
    services = (config_file.parent / "site" / "services" / "index.html").read_text("utf-8")
    assert "Incidents by affected service" in services


def test_missing_templates_dir_fails_the_build_with_its_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config_file = _project(tmp_path, "no-such-folder")
    with pytest.raises(Abort):
        build_site(config_file.parent, config_file.parent / "site")
    assert "templates_dir is not a folder:" in caplog.text
    assert "no-such-folder" in caplog.text


def test_a_template_that_does_not_parse_fails_the_build_with_its_file_and_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config_file = _project(tmp_path, "overrides")
    overrides = config_file.parent / "overrides"
    overrides.mkdir()
    (overrides / "service.md.j2").write_text("# {{ service.name }}\n\n{{ broken\n", "utf-8")
    with pytest.raises(Abort):
        build_site(config_file.parent, config_file.parent / "site")
    assert "overrides/service.md.j2:3: unexpected end of template" in caplog.text
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    ("link", "target"),
    [("sub", ".."), ("creds.md.j2", "/etc/hostname"), ("git.md.j2", "../.git/config")],
    ids=["folder-link", "file-outside", "file-in-git"],
)
def test_a_template_linked_to_a_folder_outside_or_into_git_is_refused_unread(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, link: str, target: str
) -> None:
    config_file = _project(tmp_path, "overrides")
    overrides = config_file.parent / "overrides"
    overrides.mkdir()
    git = config_file.parent / ".git"
    git.mkdir()
    (git / "config").write_text("extraheader = AUTHORIZATION: basic SECRET\n", encoding="utf-8")
    (overrides / "incident.md.j2").write_text(
        '{% include "sub/.git/config" ignore missing %}{% include "git.md.j2" ignore missing %}',
        encoding="utf-8",
    )
    (overrides / link).symlink_to(target)
    with pytest.raises(Abort):
        build_site(config_file.parent, config_file.parent / "site")
    assert "not read" in caplog.text and link in caplog.text
    assert "SECRET" not in caplog.text
    assert not (config_file.parent / "site" / "incidents").exists()


def test_templates_dir_that_is_itself_a_link_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config_file = _project(tmp_path, "overrides")
    (config_file.parent / "elsewhere").mkdir()
    (config_file.parent / "overrides").symlink_to(config_file.parent / "elsewhere")
    with pytest.raises(Abort):
        build_site(config_file.parent, config_file.parent / "site")
    assert "symbolic link or no folder; not read" in caplog.text
