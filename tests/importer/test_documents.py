"""Every test document of each house style imports to the facts in its ``.expected.json``."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from importer_helpers import filled, todo_fields
from postmortems.authoring.importer import ImportedIncident, import_postmortem
from postmortems.core.project import PACKAGED_SCHEMAS

HERE = Path(__file__).parent
DOCUMENTS = sorted(
    path
    for path in (HERE / "documents").iterdir()
    if path.suffix in (".md", ".txt", ".wiki", ".adoc", ".rst", ".org")
)
SEEDS = sorted(Path("/work/shared/seeds").glob("*.txt"))
SCHEMA = PACKAGED_SCHEMAS / "incident.schema.json"


def expected_of(path: Path) -> dict[str, Any]:
    expected = path.with_name(path.stem + ".expected.json")
    return json.loads(expected.read_text()) if expected.is_file() else {}


def imported(path: Path) -> tuple[ImportedIncident, dict[str, Any]]:
    """The import of ``path``, with the service catalog its expected facts name (if any)."""
    result = import_postmortem(
        path.read_text(encoding="utf-8"),
        source_name=path.name,
        catalog=expected_of(path).get("catalog"),
    )
    return result, yaml.safe_load(result.yaml_text)


def test_there_are_two_documents_or_more_per_house_style() -> None:
    styles = [path.name.split("-")[0] for path in DOCUMENTS]
    assert all(styles.count(style) >= 2 for style in ("google", "atlassian", "terse", "narrative"))


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.name)
def test_document_imports_to_the_expected_facts(path: Path) -> None:
    expected = expected_of(path)
    _, data = imported(path)
    assert data["title"] == expected["title"]
    assert data["started_at"] == datetime.fromisoformat(expected["started_at"])
    assert data["resolved_at"] == datetime.fromisoformat(expected["resolved_at"])
    assert data.get("severity") == expected["severity"]
    assert set(data["services"]) == set(expected["services"])
    assert data["root_cause"]["category"] == expected["category"]
    assert len(data.get("timeline", [])) == expected["timeline"]
    assert len(data.get("action_items", [])) == expected["action_items"]


DETAILED = [path for path in DOCUMENTS if "id" in expected_of(path)]


def test_there_are_documents_in_three_more_house_styles() -> None:
    styles = {path.name.split("-")[0] for path in DETAILED}
    assert {"gdoc", "confluence", "slack"} <= styles


def test_there_are_documents_in_wiki_and_documentation_markups() -> None:
    styles = {path.name.split("-")[0] for path in DETAILED}
    assert {"wiki", "mediawiki", "asciidoc", "rst", "org"} <= styles


@pytest.mark.parametrize("path", DETAILED, ids=lambda path: path.name)
def test_document_imports_to_the_expected_details(path: Path) -> None:
    expected = expected_of(path)
    result, data = imported(path)
    assert data["id"] == expected["id"]
    assert data.get("detected_at") == datetime.fromisoformat(expected["detected_at"])
    assert data["root_cause"]["summary"] == expected["root_cause_summary"]
    assert data.get("authors", []) == expected["authors"]
    assert [entry["kind"] for entry in data.get("timeline", [])] == expected["kinds"]
    assert data.get("lessons", {}) == expected["lessons"]
    assert re.findall(r"# TODO (.*)", result.yaml_text) == expected["todo"]


@pytest.mark.parametrize("path", DOCUMENTS + SEEDS, ids=lambda path: path.name)
def test_draft_starts_by_naming_its_source(path: Path) -> None:
    result, data = imported(path)
    assert result.yaml_text.startswith(f"# Draft imported from {path.name} by `postmortems import`")
    assert data["status"] == "draft"
    assert data["x-imported-from"] == path.name
    assert data["id"] == result.id and data["id"].startswith(f"{result.year}-")
    assert "&" not in result.yaml_text.replace("& ", "")  # no anchors


@pytest.mark.parametrize("path", DOCUMENTS + SEEDS, ids=lambda path: path.name)
def test_draft_validates_against_the_schema_once_todos_are_filled(path: Path) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    result, _ = imported(path)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(filled(result.yaml_text)))
    assert [f"{list(error.absolute_path)}: {error.message}" for error in errors] == []


def test_missing_severity_is_a_todo_comment_never_a_value() -> None:
    result, data = imported(HERE / "documents" / "narrative-storage-disk.md")
    assert "severity" not in data  # "a P1 incident" is not a severity
    assert "severity" in todo_fields(result.yaml_text)
    assert any("severity" in warning for warning in result.warnings)


def test_guessed_category_says_which_words_it_came_from() -> None:
    result, _ = imported(HERE / "documents" / "narrative-storage-disk.md")
    assert "category: hardware  # guessed from" in result.yaml_text


def test_checkbox_action_items_keep_owner_due_date_status_and_priority() -> None:
    _, data = imported(HERE / "documents" / "terse-dns-resolver.txt")
    first, second, third = data["action_items"]
    assert first == {
        "title": "lint zone files in CI",
        "status": "open",
        "owner": "lena",
        "due": datetime(2024, 3, 15).date(),
    }
    assert (second["status"], second["owner"], second["priority"]) == ("done", "omar", "P1")
    assert third["status"] == "open"


def test_action_table_reads_type_owner_and_ticket_url() -> None:
    _, data = imported(HERE / "documents" / "google-photo-thumbnails.md")
    first = data["action_items"][0]
    assert first["type"] == "prevent"
    assert first["owner"] == "priya"
    assert first["ticket"] == "https://bugs.example.com/4411"
    assert "ticket" not in data["action_items"][1]


def test_lessons_sections_fill_went_well_went_wrong_and_got_lucky() -> None:
    _, data = imported(HERE / "documents" / "google-photo-thumbnails.md")
    assert data["lessons"] == {
        "went_well": ["The alert fired within three minutes."],
        "went_wrong": ["The EU configuration differed from the US one."],
        "got_lucky": ["Traffic was low because of a public holiday."],
    }


def test_five_whys_and_impact_numbers_are_read() -> None:
    _, data = imported(HERE / "documents" / "atlassian-login-outage.md")
    assert len(data["root_cause"]["five_whys"]) == 5
    assert data["impact"]["users_affected_percent"] == 62


needs_seeds = pytest.mark.skipif(len(SEEDS) < 2, reason="seed postmortems not available")


@needs_seeds
def test_chatnet_seed() -> None:
    result, data = imported(SEEDS[0])
    assert data["started_at"] == datetime.fromisoformat("2023-06-15T10:00:00-05:00")
    assert data["resolved_at"] == datetime.fromisoformat("2023-06-16T02:30:00-05:00")
    assert data["resolved_at"].utcoffset() == data["started_at"].utcoffset()
    assert "chatnet" in data["services"]
    assert data["root_cause"]["category"] in ("software-bug", "capacity")
    assert f"category: {data['root_cause']['category']}  # guessed from" in result.yaml_text
    assert "severity" in todo_fields(result.yaml_text)
    assert data["impact"]["users_affected_percent"] == 85
    assert [entry.get("at") is not None for entry in data["timeline"]] == [
        True, False, False, False, False, False, True,
    ]  # fmt: skip
    assert len(data["action_items"]) == 10


@needs_seeds
def test_messenger_seed() -> None:
    _, data = imported(SEEDS[1])
    assert data["started_at"] == datetime.fromisoformat("2024-07-30T00:50:00+00:00")
    assert data["resolved_at"] == datetime.fromisoformat("2024-07-30T01:55:00+00:00")
    assert len(data["timeline"]) == 8
    times = [entry["at"] for entry in data["timeline"]]
    assert times == sorted(times)
    assert data["root_cause"]["category"] == "data-store"
    assert data["authors"] == [{"name": "Olowomatire oluwaseyifunmi", "role": "app manager"}]
    assert data["written_on"] == datetime(2024, 7, 31).date()
    assert data["impact"]["users_affected"] == 5_000_000
    assert len(data["action_items"]) == 6


def test_a_status_marked_in_bold_in_a_table_cell_is_read() -> None:
    """Google's example postmortem has no status column: ``Bug 5554825 **DONE**``."""
    text = (
        "# Shakespeare search outage\n\n## Action items\n\n"
        "| Action Item | Type | Owner | Bug |\n|---|---|---|---|\n"
        "| Update the playbook for cascading failure | mitigate | jennifer | n/a **DONE** |\n"
        "| Balance load between clusters | prevent | martym | Bug 5554823 **TODO** |\n"
        "| Fix the file descriptor leak | prevent | agoogler | Bug 5554825 **DONE** |\n"
    )
    data = yaml.safe_load(import_postmortem(text, source_name="sre.md").yaml_text)
    assert [(item["status"], item.get("x-ticket")) for item in data["action_items"]] == [
        ("done", None),
        ("open", "Bug 5554823"),
        ("done", "Bug 5554825"),
    ]


def test_a_timeline_in_capitals_is_read_as_its_author_declared_it() -> None:
    """Google's house style: ``OUTAGE BEGINS``, a pager storm, ``OUTAGE MITIGATED`` declared
    after the error rates first drop, and work that "starts indexing" is no impact."""
    text = (
        "# Search outage\n\nDate: 2015-10-21\n\n## Timeline\n\n(all times UTC)\n\n"
        "- 14:54 OUTAGE BEGINS — search backends melt down under load\n"
        "- 14:55 the on-call engineer receives a pager storm from every cluster\n"
        "- 15:10 an engineer adds the new document and starts indexing job\n"
        "- 15:37 update pushed to all clusters; error rates drop\n"
        "- 16:00 OUTAGE MITIGATED, error rates back to normal\n"
        "- 17:10 INCIDENT ENDS after 30 minutes of nominal performance\n"
    )
    data = yaml.safe_load(import_postmortem(text, source_name="sre.md").yaml_text)
    times = [data.get(name) for name in ("started_at", "detected_at", "mitigated_at")]
    assert [moment.strftime("%H:%M") for moment in times] == ["14:54", "14:55", "16:00"]
    kinds = [entry["kind"] for entry in data["timeline"]]
    assert kinds.count("impact-start") == 1


def test_sections_headed_in_plain_questions_are_read() -> None:
    text = (
        "# Ledger batch overran\n\nDate: 2026-03-12\n\n"
        "## What users saw\n\nMerchants saw 'balance unavailable' for four hours.\n\n"
        "## Why it happened\n\nA new index was built inside the batch transaction.\n\n"
        "## How we fixed it\n\nWe killed the batch and rebuilt the index concurrently.\n"
    )
    data = yaml.safe_load(import_postmortem(text, source_name="house.md").yaml_text)
    assert data["impact"]["summary"].startswith("Merchants saw")
    assert data["root_cause"]["summary"].startswith("A new index")
    assert data["resolution"].startswith("We killed the batch")
