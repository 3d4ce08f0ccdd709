"""Output that cannot be written or shown ends in one line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

COMMAND = [sys.executable, "-m", "postmortems"]


def _run(arguments: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *arguments], capture_output=True, text=True, check=False, **options
    )


def test_a_full_disk_on_standard_output_is_one_line_and_exit_1(project: Path) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*COMMAND, "stats"], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    assert done.returncode == 1
    assert done.stderr.strip() == "postmortems stats: error: No space left on device"


def test_a_closed_standard_output_is_not_a_traceback(project: Path) -> None:
    script = 'exec "$@" >&-'
    done = _run_shell(script, ["stats"])
    assert done.returncode == 0
    assert done.stderr == ""


def test_a_reader_that_stops_early_ends_quietly(project: Path) -> None:
    for number in range(400):  # far more output than a pipe buffers
        (project / "incidents" / f"broken-{number}.yaml").write_text("id: x\n", encoding="utf-8")
    done = _run_shell('"$@" | head -c 1 >/dev/null', ["validate", "--format", "json"])
    assert done.returncode == 0
    assert done.stderr == ""


def _run_shell(script: str, arguments: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", script, "sh", *COMMAND, *arguments],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("arguments", [["stats"], ["new", "--help"]])
def test_an_ascii_terminal_gets_escapes_instead_of_a_crash(
    project: Path, arguments: list[str]
) -> None:
    environment = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}

    done = _run(arguments, env=environment)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "\\u" in done.stdout
