"""The incidents shipped in the repository are valid, and an independent validator agrees."""

from __future__ import annotations

import json

import jsonschema_rs
import pytest
from postmortems.cli import main
from postmortems.core.loader import load_bytes, to_json
from postmortems.core.project import PACKAGED_SCHEMAS
from sitebuild import REPO

from .documents import OLDER, VALID

SCHEMA = json.loads((PACKAGED_SCHEMAS / "incident.schema.json").read_text("utf-8"))
SHIPPED = sorted(p for p in (REPO / "incidents").rglob("*.y*ml") if not p.name.startswith("_"))


def test_every_shipped_incident_validates_clean(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["validate", "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert out == f"{len(SHIPPED)} incidents checked, 0 problems\n"


@pytest.mark.parametrize(
    "raw",
    [path.read_bytes() for path in SHIPPED] + [VALID.encode(), OLDER.encode()],
    ids=[path.stem for path in SHIPPED] + ["VALID", "OLDER"],
)
def test_independent_validator_accepts_every_valid_file(raw: bytes) -> None:
    loaded = load_bytes(raw, "x.yaml")
    assert loaded.problems == []
    validator = jsonschema_rs.Draft202012Validator(SCHEMA, validate_formats=True)
    assert list(validator.iter_errors(to_json(loaded.data))) == []
