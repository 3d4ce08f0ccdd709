"""Documents written after the importer, one folder of each house style, import to the facts a
careful reader finds in them; odd input never breaks the importer."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from postmortems.authoring.importer import import_postmortem

UNSEEN = Path(__file__).parent / "unseen"
DOCUMENTS = sorted(path for path in UNSEEN.iterdir() if path.suffix in (".md", ".txt"))
FACTS = ("title", "started_at", "resolved_at", "severity", "services", "category", "timeline",
         "action_items")  # fmt: skip


def draft(text: str, name: str = "input.md") -> dict[str, Any]:
    return yaml.safe_load(import_postmortem(text, source_name=name).yaml_text)


def facts_of(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data.get("title"),
        "started_at": data.get("started_at"),
        "resolved_at": data.get("resolved_at"),
        "severity": data.get("severity"),
        "services": set(data.get("services") or []),
        "category": (data.get("root_cause") or {}).get("category"),
        "timeline": len(data.get("timeline") or []),
        "action_items": len(data.get("action_items") or []),
    }


def expected_facts(path: Path) -> dict[str, Any]:
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text())
    expected["services"] = set(expected["services"])
    for name in ("started_at", "resolved_at"):
        expected[name] = datetime.fromisoformat(expected[name])
    return expected


def test_there_are_three_unseen_documents_per_house_style() -> None:
    styles = [path.name.split("-")[0] for path in DOCUMENTS]
    assert {style: styles.count(style) for style in set(styles)} == {
        "sre": 3, "atl": 3, "notes": 3, "prose": 3,
    }  # fmt: skip


@pytest.mark.parametrize("fact", FACTS)
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.name)
def test_unseen_document_imports_to_the_expected_fact(path: Path, fact: str) -> None:
    got = facts_of(draft(path.read_text(encoding="utf-8"), path.name))
    assert got[fact] == expected_facts(path)[fact]


def test_a_document_without_timeline_entries_has_no_timeline() -> None:
    text = "# Cache outage\n\nDate: 2024-02-02\n\n## Summary\nIt broke.\n\n## Timeline\n\nNone.\n"
    assert "timeline" not in draft(text)


def test_an_end_earlier_on_the_clock_than_the_start_is_the_next_day() -> None:
    data = draft(
        "Title: Queue stall\nDate: 2024-05-01\nTimezone: UTC\nStart: 22:00\nResolved: 21:30\n"
    )
    assert data["started_at"] == datetime.fromisoformat("2024-05-01T22:00:00+00:00")
    assert data["resolved_at"] == datetime.fromisoformat("2024-05-02T21:30:00+00:00")


def test_relative_times_in_prose_count_from_the_last_stated_time() -> None:
    text = (
        "# Login outage\n\nAll times UTC, 3 March 2024.\n\nAt 10:00 logins started failing. "
        "Twenty minutes later we rolled back. By 10:45 the service was fully recovered.\n"
    )
    timeline = draft(text)["timeline"]
    assert [entry["at"].strftime("%H:%M") for entry in timeline] == ["10:00", "10:20", "10:45"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n \n\t\n",
        os.urandom(4096).decode("latin-1"),
        "|||\n|---|\n| a |\n# \n## Timeline\n| Time | Event |\n|\n- [ ]\n- [x]\n99:99 2024-13-45\n",
        pytest.param(
            ("# Big outage\n\nAt 10:00 UTC on 2024-01-01 errors began. " * 20_000)[:1_000_000],
            marks=pytest.mark.slow,
        ),
    ],
    ids=["empty", "blank", "binary", "broken-markdown", "one-megabyte"],
)
def test_odd_input_gives_a_draft_that_yaml_reads(text: str) -> None:
    data = draft(text)
    assert data["status"] == "draft"
    assert len(data.get("timeline") or []) <= 500
