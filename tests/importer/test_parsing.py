"""Times, zones, sections and YAML output of the importer, piece by piece."""

from __future__ import annotations

from datetime import datetime

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from postmortems.authoring.importer import import_postmortem
from postmortems.authoring.importer.emit import Commented, Todo, emit, plain
from postmortems.authoring.importer.times import find_zone


def started(text: str) -> datetime:
    return yaml.safe_load(import_postmortem(text, source_name="t.md").yaml_text)["started_at"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Title: A outage\nStart: June 15, 2023, 10:00 AM (UTC−5)", "2023-06-15T10:00:00-05:00"),
        ("Title: A outage\nStart: 15 June 2023 22:10 GMT+2", "2023-06-15T22:10:00+02:00"),
        ("Title: A outage\nStart: 2023-06-15 9:05 pm IST", "2023-06-15T21:05:00+05:30"),
        ("Title: A outage\nStart: 2023-06-15T10:00:00Z", "2023-06-15T10:00:00+00:00"),
        (
            "Title: A outage\nDate: 2023-06-15\nTimezone: CEST\nStart: 08:30",
            "2023-06-15T08:30:00+02:00",
        ),
        ("Title: A outage in 2024\nStart: July 30th at 1:05 AM AEST", "2024-07-30T01:05:00+10:00"),
    ],
)
def test_start_time_keeps_the_stated_zone(text: str, expected: str) -> None:
    value = started(text)
    assert value == datetime.fromisoformat(expected)
    assert value.utcoffset() == datetime.fromisoformat(expected).utcoffset()


def test_zone_abbreviations_need_capitals() -> None:
    assert find_zone("the best estimate") is None
    assert find_zone("at 10:00 EST")[1].label == "EST"


def test_timeline_crossing_midnight_rolls_the_date() -> None:
    text = "# Cache outage\n\nDate: 2024-01-31 (UTC)\n\n## Timeline\n\n- 23:50 errors begin\n"
    text += "- 00:20 resolved\n"
    data = yaml.safe_load(import_postmortem(text, source_name="t.md").yaml_text)
    assert [entry["at"].isoformat() for entry in data["timeline"]] == [
        "2024-01-31T23:50:00+00:00",
        "2024-02-01T00:20:00+00:00",
    ]


def test_unstated_zone_is_assumed_utc_and_says_so() -> None:
    result = import_postmortem("Title: X outage\nStart: 2024-01-02 10:00", source_name="t.txt")
    assert (
        "started_at: 2024-01-02T10:00:00Z  # no time zone stated: UTC assumed" in result.yaml_text
    )
    assert any("time zone" in warning for warning in result.warnings)


def test_severity_words_are_normalised_to_the_configured_values() -> None:
    text = "Title: X outage\nDate: 2024-01-02\nSeverity: SEV-2\n"
    assert "severity: SEV2\n" in import_postmortem(text, source_name="t").yaml_text


def test_emit_reads_back_to_the_intended_values_with_comments_and_todos() -> None:
    draft = {
        "title": Commented("a: b # c", "guessed"),
        "severity": Todo("severity"),
        "summary": "line one\n\n  indented: yes\nlast",
        "list": [
            {
                "event": "'quoted' \"both\"",
                "at": datetime.fromisoformat("2024-01-02T03:04:05+01:00"),
            }
        ],
        "odd": "\x07 bell, tab\t and \u2028 separator",
    }
    text = emit(["# header"], draft)
    assert yaml.safe_load(text) == plain(draft)
    assert "# TODO severity: not found in the source — fill in" in text
    assert "summary: |-" in text


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_random_text_never_raises_and_always_yields_loadable_yaml(text: str) -> None:
    result = import_postmortem(text, source_name="random.txt")
    data = yaml.safe_load(result.yaml_text)
    assert data["status"] == "draft"
    assert data["id"] == result.id


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "# Title outage",
                "## Timeline",
                "- 10:00 UTC start",
                "Severity: sev 2",
                "| a | b |",
                "|---|---|",
                "Services: x, y",
                "- [ ] fix (owner: @a, due 2024-02-30)",
                "12:99 pm",
                "Date: 31 February 2024",
                "Root cause: dns",
                "**Impact**",
                "===",
                "At 25:00 EST",
            ]
        )
        | st.text(max_size=40),
        max_size=25,
    )
)
def test_random_postmortem_like_lines_never_raise(lines: list[str]) -> None:
    result = import_postmortem("\n".join(lines), source_name="random.md")
    assert isinstance(yaml.safe_load(result.yaml_text), dict)
