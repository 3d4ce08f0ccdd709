"""``postmortems stats`` in a project folder."""

from __future__ import annotations

import json

import pytest
from postmortems.cli import main


def _stats(*argv: str) -> int:
    return main(["stats", *argv])


def test_text_tables_fit_100_columns(project, capsys):
    assert _stats() == 0
    out = capsys.readouterr().out
    assert out.startswith("Incidents: 2, from 2024-03 to 2024-03")
    assert "checkout-api" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_json_figures_name_their_filters(project, capsys):
    assert _stats("--format", "json", "--since", "2024-03-01", "--service", "checkout-api") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["since"] == "2024-03-01"
    assert data["service"] == "checkout-api"
    assert data["incidents"] == 2
    assert data["overall"]["time_to_detect"]["median_seconds"] == 300


def test_filters_can_leave_nothing(project, capsys):
    assert _stats("--format", "json", "--since", "2025-01-01") == 0
    assert json.loads(capsys.readouterr().out)["incidents"] == 0


def test_a_bad_date_is_a_usage_error(project, capsys):
    with pytest.raises(SystemExit) as exit_info:
        _stats("--since", "yesterday")
    assert exit_info.value.code == 2
    assert "not a date (YYYY-MM-DD): 'yesterday'" in capsys.readouterr().err


def test_a_missing_schema_is_one_line_not_a_traceback(project, capsys):
    (project / "schema" / "incident.schema.json").unlink()

    assert _stats() == 2
    err = capsys.readouterr().err
    assert err.startswith("postmortems stats: cannot load the project:")
    assert "Traceback" not in err
