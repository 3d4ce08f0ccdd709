"""A project that cannot be loaded at all gets one clear line and exit 2, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from postmortems.cli import main
from postmortems.core.project import PACKAGED_SCHEMAS

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # A site with its own copy of the schema, named in its mkdocs.yml.
    shutil.copytree(PACKAGED_SCHEMAS, tmp_path / "schema")
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - postmortems:\n      schema: schema/incident.schema.json\n",
        encoding="utf-8",
    )
    shutil.copytree(REPO / "incidents", tmp_path / "incidents")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POSTMORTEMS_NO_CACHE", "1")
    return tmp_path


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
