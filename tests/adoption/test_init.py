"""``postmortems init DIR`` creates a knowledge base that validates and builds at once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from postmortems import __version__
from postmortems.authoring import knowledge_base as starter_kit
from postmortems.authoring.knowledge_base import requirement
from postmortems.cli import main
from sitebuild import BIN, run


@pytest.fixture
def knowledge_base(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "kb"
    assert main(["init", str(folder), "--name", "Acme postmortems"]) == 0
    capsys.readouterr()
    return folder


def test_init_writes_a_complete_knowledge_base(knowledge_base: Path) -> None:
    written = {path.relative_to(knowledge_base).as_posix() for path in knowledge_base.rglob("*")}
    assert {
        "mkdocs.yml",
        "README.md",
        "requirements.txt",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".github/workflows/validate.yml",
        ".github/workflows/publish.yml",
        "docs/index.md",
        "docs/write-a-postmortem.md",
        "incidents/_services.yaml",
    } <= written
    assert any(path.startswith("incidents/2025/") for path in written)
    config = (knowledge_base / "mkdocs.yml").read_text(encoding="utf-8")
    assert "site_name: Acme postmortems" in config
    requirements = (knowledge_base / "requirements.txt").read_text(encoding="utf-8")
    installed_as = requirement()[0]  # this very package, as it is installed here
    assert installed_as in requirements.splitlines()
    hooks = yaml.safe_load((knowledge_base / ".pre-commit-config.yaml").read_text("utf-8"))
    (hook,) = hooks["repos"][0]["hooks"]
    assert hook["language"] == "python"
    assert hook["additional_dependencies"] == [installed_as]


class _Installed:
    """What pip recorded of an installed package (``direct_url.json``, PEP 610)."""

    def __init__(self, direct_url: dict[str, object] | None) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return None if self.direct_url is None else json.dumps(self.direct_url)


@pytest.mark.parametrize(
    ("direct_url", "expected", "note"),
    [
        (None, f"mkdocs-postmortems=={__version__}", False),  # from a package index
        (
            {
                "url": "https://github.com/acme/mkdocs-postmortems",
                "vcs_info": {"vcs": "git", "commit_id": "0123abc"},
            },
            "mkdocs-postmortems @ git+https://github.com/acme/mkdocs-postmortems@0123abc",
            False,
        ),
        (
            {"url": "file:///home/me/mkdocs-postmortems", "dir_info": {"editable": True}},
            "mkdocs-postmortems @ file:///home/me/mkdocs-postmortems",
            True,
        ),
    ],
)
def test_the_requirement_installs_this_package_as_it_was_installed(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    direct_url: dict[str, object] | None,
    expected: str,
    note: bool,
) -> None:
    """Not yet on a package index, the package is installed from a repository or a folder: a
    new knowledge base installs it the same way, and is told when that only works here."""
    monkeypatch.setattr(starter_kit.metadata, "distribution", lambda name: _Installed(direct_url))
    assert main(["init", str(tmp_path / "kb")]) == 0
    requirements = (tmp_path / "kb" / "requirements.txt").read_text(encoding="utf-8")
    assert requirements.splitlines()[-1] == expected
    out = capsys.readouterr().out
    assert ("Note: requirements.txt installs mkdocs-postmortems from file:///" in out) == note


@pytest.mark.slow
def test_the_new_knowledge_base_validates(knowledge_base: Path) -> None:
    result = run([BIN / "postmortems", "validate"], knowledge_base)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "1 incident checked, 0 problems"


@pytest.mark.slow
def test_the_new_knowledge_base_builds_strictly(knowledge_base: Path) -> None:
    result = run([BIN / "mkdocs", "build", "--strict"], knowledge_base)
    assert result.returncode == 0, result.stderr[-3000:]
    site = knowledge_base / "site"
    page = site / "incidents" / "2025-01-15-example-orders-db-disk-full" / "index.html"
    assert "Orders could not be saved" in page.read_text(encoding="utf-8")
    assert "Orders could not be saved" in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["validate.yml", "publish.yml"])
def test_its_workflows_pass_the_github_workflow_schema(knowledge_base: Path, name: str) -> None:
    workflow = knowledge_base / ".github" / "workflows" / name
    checker = BIN / "check-jsonschema"
    result = run([checker, "--builtin-schema", "vendor.github-workflows", workflow], knowledge_base)
    assert result.returncode == 0, result.stdout + result.stderr


def test_init_never_overwrites_and_then_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "kb"
    (folder / "docs").mkdir(parents=True)
    (folder / "mkdocs.yml").write_text("site_name: mine\n", encoding="utf-8")

    assert main(["init", str(folder)]) == 1

    err = capsys.readouterr().err
    assert "mkdocs.yml: error: already exists; not overwritten" in err
    assert (folder / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: mine\n"
    assert sorted(path.name for path in folder.rglob("*")) == ["docs", "mkdocs.yml"]


@pytest.mark.slow
def test_any_material_site_that_adds_the_plugin_builds_strictly(
    knowledge_base: Path, tmp_path: Path
) -> None:
    """The minimal adoption: an existing Material site lists the plugin and gets an incidents
    folder; nothing else of the starter kit (no schema, no templates, no macros)."""
    site = tmp_path / "docs-site"
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "index.md").write_text("# Our docs\n", encoding="utf-8")
    (site / "mkdocs.yml").write_text(
        "site_name: Our docs\ntheme:\n  name: material\n  font: false\n"
        "plugins:\n  - search\n  - postmortems\n",
        encoding="utf-8",
    )
    shutil.copytree(knowledge_base / "incidents", site / "incidents")
    result = run([BIN / "mkdocs", "build", "--strict"], site)
    assert result.returncode == 0, result.stderr[-3000:]
    built = site / "site" / "incidents" / "2025-01-15-example-orders-db-disk-full" / "index.html"
    assert "Orders could not be saved" in built.read_text(encoding="utf-8")
