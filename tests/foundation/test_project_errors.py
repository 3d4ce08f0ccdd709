"""A project that cannot be loaded at all gets one clear line and exit 2, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from postmortems.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(new_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """This repository's incidents in a site with its own schema, as the working directory."""
    monkeypatch.setenv("POSTMORTEMS_NO_CACHE", "1")
    return new_project(REPO / "incidents")


@pytest.mark.parametrize(
    ("schema_text", "expected"),
    [
        ("{not json", "is not valid JSON"),
        ('{"type": 12}', "is not a valid JSON Schema"),
    ],
)
@pytest.mark.parametrize("command", [["validate"], ["stats"], ["similar", "x"]])
def test_broken_schema_is_one_line_error_for_every_command(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    schema_text: str,
    expected: str,
    command: list[str],
) -> None:
    (project / "schema" / "incident.schema.json").write_text(schema_text, encoding="utf-8")
    code = main(command)
    error = capsys.readouterr().err.strip()
    assert code in (1, 2)
    assert expected in error
    assert "schema/incident.schema.json" in error
    assert "Traceback" not in error
    assert len(error.splitlines()) == 1


def test_missing_schema_makes_validate_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "schema" / "incident.schema.json").unlink()
    assert main(["validate"]) == 2
    assert "schema not found" in capsys.readouterr().err
