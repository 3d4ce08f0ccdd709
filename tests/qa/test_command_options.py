"""Options out of range, or naming what does not exist, are one-line errors with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from postmortems.cli import main
from sitebuild import commit_all

from .conftest import KNOWN_ID


@pytest.mark.parametrize("score", ["nan", "inf", "5", "-0.1", "high"])
def test_similar_refuses_a_threshold_outside_0_to_1(
    project: Path, capsys: pytest.CaptureFixture[str], score: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["similar", KNOWN_ID, "--threshold", score])
    assert exit_info.value.code == 2
    assert f"not a score from 0 to 1: '{score}'" in capsys.readouterr().err


def test_similar_says_a_folder_is_not_an_incident_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "odd.yaml").mkdir()

    assert main(["similar", "odd.yaml"]) == 1
    assert capsys.readouterr().err.strip() == (
        "postmortems similar: odd.yaml: a folder, not an incident file"
    )


def test_similar_changed_refuses_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["similar", "--changed", "--format", "json"]) == 2
    assert "--changed writes Markdown" in capsys.readouterr().err


def test_similar_changed_with_a_base_that_is_no_commit_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_all(project)

    assert main(["similar", "--changed", "--base", "orgin/main"]) == 2
    assert capsys.readouterr().err.strip() == (
        "postmortems similar: error: --base orgin/main: no such commit in this repository"
    )


def test_similar_changed_with_a_base_outside_git_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(project.parent))

    assert main(["similar", "--changed", "--base", "main"]) == 2
    assert "--base main: not a git repository" in capsys.readouterr().err


@pytest.mark.slow
def test_similar_changed_without_a_base_outside_git_reports_untracked_files(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(project.parent))

    assert main(["similar", "--changed"]) == 0
    assert "not a git repository: untracked files only" in capsys.readouterr().out


def test_stats_refuses_a_service_nobody_knows(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--service", "chekout-api"]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("postmortems stats: error: --service: unknown service 'chekout-api'")
    )


def test_stats_accepts_a_catalog_service_without_incidents(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = project / "incidents" / "_services.yaml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8") + "brand-new:\n  name: Brand new\n", encoding="utf-8"
    )

    assert main(["stats", "--service", "brand-new", "--format", "json"]) == 0
    assert '"incidents": 0' in capsys.readouterr().out


def test_new_reports_a_broken_schema_in_one_readable_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "schema" / "incident.schema.json").write_text("{", encoding="utf-8")

    assert main(["new", "--dry-run"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(
        "postmortems new: error: cannot read the schema schema/incident.schema.json: "
        "not valid JSON:"
    )
    assert len(err.splitlines()) == 1
