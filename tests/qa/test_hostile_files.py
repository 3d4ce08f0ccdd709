"""Odd files and folders under incidents/ are reported in one line, never as a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from postmortems.cli import main
from postmortems.core import collection


def test_a_symbolic_link_loop_is_a_located_problem_of_that_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "incidents" / "a.yaml").symlink_to("b.yaml")
    (project / "incidents" / "b.yaml").symlink_to("a.yaml")

    assert main(["validate"]) == 1
    err_and_out = "".join(capsys.readouterr())
    assert "incidents/a.yaml:1:1: (file): cannot read file:" in err_and_out
    assert "Traceback" not in err_and_out


def test_a_symbolic_link_loop_does_not_break_validating_one_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "incidents" / "a.yaml").symlink_to("b.yaml")
    (project / "incidents" / "b.yaml").symlink_to("a.yaml")

    assert main(["validate", "incidents/2023"]) == 0
    assert "incidents checked, 0 problems" in capsys.readouterr().out


def test_a_folder_that_cannot_be_listed_stops_with_exit_2_instead_of_hiding_incidents(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_walk = os.walk

    def walk(folder: Path, onerror: object = None) -> object:
        denied = PermissionError(13, "Permission denied", str(project / "incidents" / "2025"))
        onerror(denied)  # type: ignore[operator]
        return real_walk(folder)

    monkeypatch.setattr(collection.os, "walk", walk)

    assert main(["validate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "postmortems validate: error: cannot read the folder incidents/2025: Permission denied"
    )


@pytest.mark.parametrize("command", [["stats"], ["quality"], ["similar", "anything"]])
def test_reports_without_an_incidents_folder_are_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    (project / "incidents").rename(project / "elsewhere")

    assert main(command) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(": cannot load the project: no incidents folder: incidents")
    assert len(err.splitlines()) == 1


def test_running_in_a_sub_folder_says_where_to_run(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / "incidents")

    assert main(["validate"]) == 2
    assert "run postmortems in the folder that holds mkdocs.yml" in capsys.readouterr().err
