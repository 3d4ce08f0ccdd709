"""A pasted Google Doc, a Confluence export and an incident-channel log import as a careful
reader would copy them (issue 17)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from postmortems.authoring.importer import import_postmortem

DOCUMENTS = Path(__file__).parent / "documents"
GDOC = DOCUMENTS / "gdoc-webhooks-delayed.md"
CATALOG = {"webhooks": "Webhooks", "event-queue": "Event queue", "retry": "Retry"}


def draft(path: Path, catalog: dict[str, str] | None = None) -> tuple[str, dict[str, Any]]:
    text = import_postmortem(
        path.read_text(encoding="utf-8"), source_name=path.name, catalog=catalog
    ).yaml_text
    return text, yaml.safe_load(text)


def test_times_take_the_incident_day_not_the_day_the_document_was_written() -> None:
    _, data = draft(GDOC)
    assert data["written_on"] == date(2026, 10, 9)  # the "Date:" line
    assert {entry["at"].date() for entry in data["timeline"]} == {date(2026, 10, 2)}
    assert data["started_at"] <= data["detected_at"] <= data["resolved_at"]


def test_an_author_with_a_comma_in_brackets_stays_one_author() -> None:
    _, data = draft(GDOC)
    assert data["authors"] == [
        {"name": "Priya Raman", "role": "SRE, on call"},
        {"name": "Tomás Ortiz", "role": "Webhooks, team lead"},
    ]


def test_lessons_learned_are_lessons_never_action_items_or_timeline_entries() -> None:
    for path in (GDOC, DOCUMENTS / "slack-payments-timeouts.txt"):
        _, data = draft(path)
        written = [item["title"] for item in data["action_items"]]
        written += [entry["event"] for entry in data["timeline"]]
        assert not any(re.search(r"lessons? learned", text, re.I) for text in written)
        assert data["lessons"]["went_wrong"]


def test_a_due_date_it_cannot_place_is_kept_as_a_todo_comment() -> None:
    text, data = draft(GDOC)
    assert '    # TODO due: "end of September" is no date the importer can place' in text
    assert "due" not in data["action_items"][2]
    assert data["action_items"][2]["owner"] == "Webhooks team"


def test_root_cause_summary_is_the_sentence_that_states_the_mechanism() -> None:
    _, data = draft(GDOC)
    assert data["root_cause"]["summary"].startswith(
        "The retry worker's database connection pool was exhausted because"
    )


def test_services_come_from_the_catalog_before_any_word_of_the_text() -> None:
    text, data = draft(GDOC, CATALOG)
    assert data["services"] == ["webhooks"]
    assert "services:  # catalog services named in the title" in text
    _, without_catalog = draft(GDOC)
    assert without_catalog["services"] != ["webhooks"]  # a guess, marked as one


def test_the_id_does_not_repeat_the_date_of_the_title() -> None:
    _, data = draft(GDOC)
    assert data["title"] == "Webhook deliveries delayed (Oct 2, 2026)"
    assert data["id"] == "2026-10-02-webhook-deliveries-delayed"


def test_timeline_kinds_follow_what_each_event_says() -> None:
    _, data = draft(GDOC)
    assert [(entry["at"].strftime("%H:%M"), entry["kind"]) for entry in data["timeline"]] == [
        ("14:02", "detected"),
        ("14:10", "detected"),
        ("14:25", "escalated"),
        ("14:40", "communication"),
        ("15:05", "mitigated"),
        ("15:37", "resolved"),
        ("15:45", "resolved"),
    ]


def test_a_chat_log_becomes_a_titled_timeline_with_one_entry_per_message() -> None:
    _, data = draft(DOCUMENTS / "slack-payments-timeouts.txt")
    assert data["title"] == "Payments timeouts"
    assert data["timeline"][0] == {
        "at": datetime.fromisoformat("2026-09-14T09:41:00+00:00"),
        "event": "Paged: payments-api p99 above 2s in eu-west. Looking. (Ravi Shah)",
        "kind": "detected",
    }
    assert len(data["timeline"]) == 8


def test_a_wrapped_line_with_a_colon_stays_in_its_paragraph() -> None:
    _, data = draft(DOCUMENTS / "confluence-search-index-stale.md")
    assert "hours out of date: the search indexer stopped applying updates" in data["summary"]
