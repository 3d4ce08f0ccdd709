"""No command lets a control character through to the terminal: file names, titles and
arguments holding ESC (cursor moves, OSC 52 clipboard writes) come out as visible escapes."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from postmortems.cli import main
from postmortems.core.terminal import inert
from sitebuild import REPO

CLEAN = REPO / "tests" / "foundation" / "fixtures" / "project" / "incidents" / "2024"
CLIPBOARD = "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07"
HOSTILE_NAME = f"2024-05-01-{CLIPBOARD}\x1b[2K\u202e.yaml"


@pytest.fixture
def project(new_project: Callable[..., Path]) -> Path:
    """A project with one clean incident and one file whose name holds escape sequences."""
    root = new_project(config="site_name: T\nplugins:\n  - postmortems\n")
    incidents = root / "incidents" / "2024"
    incidents.mkdir()
    shutil.copy(CLEAN / "2024-02-01-clean.yaml", incidents)
    clean = (CLEAN / "2024-02-01-clean.yaml").read_text("utf-8")
    (incidents / HOSTILE_NAME).write_text(clean.replace("Checkout was slow", "Slow"), "utf-8")
    return root


def output_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with contextlib.suppress(SystemExit):  # usage errors exit from argparse
        main(argv)
    captured = capsys.readouterr()
    return captured.out + captured.err


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "--no-cache"],
        ["validate", "--no-cache", "--format", "github"],
        ["validate", "--no-cache", "--format", "json"],
        ["stats"],
        ["quality"],
        ["similar", f"incidents/2024/{HOSTILE_NAME}"],
        ["similar", f"2024-02-01-{CLIPBOARD}"],
        [
            "new",
            "--dry-run",
            "--title",
            f"Checkout {CLIPBOARD} down",
            "--started-at",
            "2024-07-30T00:50:00Z",
            "--severity",
            "SEV2",
            "--service",
            f"checkout{CLIPBOARD}",
            "--category",
            "capacity",
        ],
        ["stats", "--since", f"2024{CLIPBOARD}"],
    ],
    ids=lambda argv: "-".join(part for part in argv if part.isalnum() or part.startswith("--")),
)
def test_no_command_prints_a_control_character(
    project: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    shown = output_of(argv, capsys)
    assert shown
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown


def test_a_file_name_with_escapes_is_shown_escaped(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = output_of(["validate", "--no-cache"], capsys)
    assert (
        "2024-05-01-\\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07\\x1b[2K\\u202e.yaml:1:5: id:" in shown
    )


def test_import_prints_no_control_character(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / f"notes{CLIPBOARD}.md"
    source.write_text(f"# Checkout {CLIPBOARD} outage\n\nStart: 2024-07-30 10:00 UTC\n", "utf-8")
    shown = output_of(["import", str(source), "--output", str(tmp_path / "out")], capsys)
    assert "->" in shown
    assert "\x1b" not in shown and "\x07" not in shown


def test_inert_escapes_controls_and_bidi_but_keeps_lines_and_tabs() -> None:
    assert inert("a\tb\nc\x1b[2Jd\x07\x7f\x9b\u202e\u2066é") == (
        "a\tb\nc\\x1b[2Jd\\x07\\x7f\\x9b\\u202e\\u2066é"
    )


FORGED = "::error file=x::injected"


def test_a_crafted_field_name_never_begins_a_line_of_its_own(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key holding a line feed stays inside its problem's line: in a CI log a line starting
    ``::error`` is a workflow command, and a forged ``path:line:column:`` line misleads."""
    clean = (CLEAN / "2024-02-01-clean.yaml").read_text("utf-8")
    forged = clean.replace("Checkout was slow", "Forged") + f'"a\\n{FORGED}": 1\n'
    (project / "incidents" / "2024" / "2024-02-03-forged.yaml").write_text(forged, "utf-8")
    shown = output_of(["validate", "--no-cache"], capsys)
    assert f"unknown field 'a\\x0a{FORGED}'" in shown
    assert not any(line.startswith(FORGED) for line in shown.splitlines())
