"""``postmortems validate``: output formats (golden files), exit codes and what it checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from goldens import assert_matches_golden
from postmortems.cli import main
from sitebuild import copy_project

from .conftest import Project
from .documents import OLDER, OLDER_ID, VALID, VALID_ID, edit

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
FIXTURE = HERE / "fixtures" / "project"
GOLDEN_FILES = {"text": "validate.txt", "json": "validate.json", "github": "validate-github.txt"}


@pytest.fixture
def fixture_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture project (several invalid files) with the real schema, as working directory."""
    root = copy_project(tmp_path / "project", FIXTURE)
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("output_format", list(GOLDEN_FILES))
def test_output_matches_the_golden_file(
    fixture_project: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    code = main(["validate", "--format", output_format])
    out = capsys.readouterr().out
    assert code == 1
    assert_matches_golden(out, GOLDEN / GOLDEN_FILES[output_format])


def test_github_actions_selects_the_github_format(
    fixture_project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["validate"]) == 1
    assert capsys.readouterr().out == (GOLDEN / "validate-github.txt").read_text("utf-8")


def test_summary_counts_incidents_problems_files_and_warnings(
    fixture_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["validate"])
    summary = capsys.readouterr().out.splitlines()[-1]
    assert summary == "6 incidents checked, 17 problems in 4 files, 1 warning"


def test_second_run_from_the_cache_prints_the_same(
    fixture_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["validate"])
    first = capsys.readouterr().out
    assert main(["validate"]) == 1
    assert capsys.readouterr().out == first
    assert main(["validate", "--no-cache"]) == 1
    assert capsys.readouterr().out == first


def test_clean_project_exits_0(valid_project: Project) -> None:
    assert valid_project.validate() == (0, "2 incidents checked, 0 problems\n", "")


def test_missing_path_exits_2(valid_project: Project) -> None:
    code, out, err = valid_project.validate("incidents/nope.yaml")
    assert (code, out) == (2, "")
    assert err == "postmortems validate: error: no such file or folder: incidents/nope.yaml\n"


def test_unknown_option_exits_2_with_one_line(
    valid_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--colour"])
    assert exit_info.value.code == 2
    assert "error: unrecognized arguments: --colour" in capsys.readouterr().err


def test_unknown_format_exits_2(valid_project: Project) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--format", "xml"])
    assert exit_info.value.code == 2


def test_no_path_reads_the_incidents_folder_named_in_mkdocs_yml(project: Project) -> None:
    project.write(
        "mkdocs.yml",
        "site_name: X\nplugins:\n  - postmortems:\n      incidents_dir: content/postmortems\n",
    )
    project.write(f"content/postmortems/{OLDER_ID}.yaml", OLDER)
    project.incident(edit("severity: SEV2", "severity: SEV9"))  # in ./incidents: not read
    assert project.validate() == (0, "1 incident checked, 0 problems\n", "")


def test_no_path_and_no_mkdocs_yml_reads_the_incidents_folder(project: Project) -> None:
    project.incident(OLDER, OLDER_ID)
    assert project.validate() == (0, "1 incident checked, 0 problems\n", "")


def test_missing_incidents_folder_exits_2(project: Project) -> None:
    shutil.rmtree(project.root / "incidents")
    code, _, err = project.validate()
    assert code == 2
    assert "no incidents folder" in err


def test_single_file_is_checked_against_the_whole_tree(valid_project: Project) -> None:
    valid_project.write("incidents/2023/2023-01-01-broken.yaml", "id: [")
    code, out, _ = valid_project.validate(f"incidents/2024/{VALID_ID}.yaml")
    assert (code, out) == (0, "1 incident checked, 0 problems\n")  # its related id resolves


def test_single_file_outside_the_tree_is_checked_against_the_tree(project: Project) -> None:
    project.incident(OLDER, OLDER_ID)
    project.write(
        f"pull-request/{VALID_ID}.yaml", edit("  summary: Card payments failed.", "  summary: TODO")
    )
    code, out, _ = project.validate(f"pull-request/{VALID_ID}.yaml")
    assert code == 1
    assert out.splitlines() == [
        f"pull-request/{VALID_ID}.yaml:14:12: impact.summary: placeholder 'TODO' not filled in",
        "1 incident checked, 1 problem in 1 file",
    ]


def test_folder_argument_reports_only_its_files(valid_project: Project) -> None:
    valid_project.write("incidents/2023/2023-01-01-broken.yaml", "id: [")
    code, out, _ = valid_project.validate("incidents/2024")
    assert (code, out) == (0, "2 incidents checked, 0 problems\n")


def test_problems_are_one_line_each_without_traceback(project: Project) -> None:
    text = VALID.replace("A deploy.", '"line\\nbreak"\nbad: "\\u0001\x01"')
    project.incident(text)
    project.write("incidents/2024/2024-09-09-nine.yaml", "id: [\n")
    code, out, err = project.validate()
    assert (code, err) == (1, "")
    *problems, summary = out.splitlines()
    assert summary == "2 incidents checked, 2 problems in 2 files"
    assert problems == [
        "incidents/2024/2024-03-05-payment-timeouts.yaml:23:13: (file): character U+0001 is not "
        "allowed: control characters are not allowed (hint: remove it, or write it as an escape "
        "in a double-quoted string)",
        "incidents/2024/2024-09-09-nine.yaml:1:5: (file): YAML syntax error: the '[' here is not "
        "closed before line 2 (hint: close it with ']')",
    ]
