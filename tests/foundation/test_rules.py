"""Every rule of the incident format: a file that breaks it is reported at its line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from postmortems.cli.site_config import find_project
from postmortems.core import collection, crosscheck
from postmortems.core.cache import CheckCache
from postmortems.core.collection import load_collection

from .conftest import Project
from .documents import MINIMAL_FIELDS, OLDER, OLDER_ID, VALID, VALID_ID, edit, without_top_level

# (test id, file text, line, column, field, words the message must hold)
BROKEN = [
    (
        "severity-vocabulary",
        edit("severity: SEV2", "severity: SEV9"),
        4,
        11,
        "severity",
        "'SEV9' is not one of SEV1, SEV2, SEV3, SEV4",
    ),
    (
        "status-vocabulary",
        edit("status: final", "status: done"),
        3,
        9,
        "status",
        "'done' is not one of draft, in-review, final",
    ),
    (
        "root-cause-vocabulary",
        edit("category: config-change", "category: config"),
        24,
        13,
        "root_cause.category",
        "'config' is not one of config-change",
    ),
    (
        "contributing-category-vocabulary",
        edit("category: process", "category: people"),
        30,
        15,
        "contributing_factors[0].category",
        "'people' is not one of",
    ),
    (
        "detection-vocabulary",
        edit("method: monitoring", "method: pager"),
        20,
        11,
        "detection.method",
        "'pager' is not one of monitoring, customer-report",
    ),
    (
        "timeline-kind-vocabulary",
        edit("kind: detected", "kind: found"),
        39,
        11,
        "timeline[2].kind",
        "'found' is not one of impact-start",
    ),
    (
        "action-status-vocabulary",
        edit("status: open", "status: todo"),
        42,
        13,
        "action_items[0].status",
        "'todo' is not one of open, in-progress, done, wont-do",
    ),
    (
        "action-type-vocabulary",
        edit("type: prevent", "type: fix"),
        43,
        11,
        "action_items[0].type",
        "'fix' is not one of prevent",
    ),
    (
        "priority-vocabulary",
        edit("priority: P2", "priority: P9"),
        45,
        15,
        "action_items[0].priority",
        "'P9' is not one of P0, P1, P2, P3, P4",
    ),
    (
        "visibility-vocabulary",
        edit("visibility: internal", "visibility: secret"),
        58,
        13,
        "visibility",
        "'secret' is not one of internal, public",
    ),
    (
        "id-pattern",
        edit("id: 2024-03-05-payment-timeouts", "id: 2024_03_05 Payment"),
        1,
        5,
        "id",
        "'2024_03_05 Payment' is not an id",
    ),
    (
        "id-equals-stem",
        edit("id: 2024-03-05-payment-timeouts", "id: 2024-03-05-other"),
        1,
        5,
        "id",
        "id '2024-03-05-other' differs from the file name '2024-03-05-payment-timeouts'",
    ),
    (
        "title-empty",
        edit("title: Payment timeouts after a pool change", 'title: ""'),
        2,
        8,
        "title",
        "must not be empty",
    ),
    (
        "title-too-long",
        edit("title: Payment timeouts after a pool change", "title: " + "x" * 201),
        2,
        8,
        "title",
        "is 201 characters long; at most 200 allowed",
    ),
    (
        "title-one-line",
        edit("title: Payment timeouts after a pool change", 'title: "a\\nb"'),
        2,
        8,
        "title",
        "must be a single line",
    ),
    (
        "services-empty",
        edit("services:\n  - checkout-api\n  - payments-gateway", "services: []"),
        6,
        11,
        "services",
        "must list at least 1 item",
    ),
    (
        "services-unique",
        edit("  - payments-gateway", "  - checkout-api"),
        7,
        3,
        "services",
        "lists 'checkout-api' more than once",
    ),
    (
        "services-slug",
        edit("  - payments-gateway", "  - Payments Gateway"),
        8,
        5,
        "services[1]",
        "'Payments Gateway' is not a slug",
    ),
    (
        "timestamp-without-offset-unquoted",
        edit("mitigated_at: 2024-03-05T15:30:00Z", "mitigated_at: 2024-03-05T15:30:00"),
        11,
        15,
        "mitigated_at",
        "'2024-03-05T15:30:00' has no UTC offset",
    ),
    (
        "timestamp-without-offset-quoted",
        edit('detected_at: "2024-03-05T10:05:00-05:00"', 'detected_at: "2024-03-05T10:05:00"'),
        10,
        14,
        "detected_at",
        "'2024-03-05T10:05:00' has no UTC offset",
    ),
    (
        "date-where-timestamp-expected",
        edit("started_at: 2024-03-05T10:00:00-05:00", "started_at: 2024-03-05"),
        9,
        13,
        "started_at",
        "'2024-03-05' is a date; a timestamp with a time and UTC offset is needed",
    ),
    (
        "timestamp-not-real",
        edit('"2024-03-05T10:05:00-05:00"', '"2024-02-30T10:05:00-05:00"'),
        10,
        14,
        "detected_at",
        "'2024-02-30T10:05:00-05:00' is not a real date and time",
    ),
    (
        "timestamp-garbage",
        edit('"2024-03-05T10:05:00-05:00"', '"yesterday"'),
        10,
        14,
        "detected_at",
        "'yesterday' is not an RFC 3339 timestamp",
    ),
    (
        "date-not-a-date",
        edit("written_on: 2024-03-07", "written_on: 7 March 2024"),
        57,
        13,
        "written_on",
        "'7 March 2024' is not a date",
    ),
    (
        "date-not-real",
        edit("written_on: 2024-03-07", 'written_on: "2024-02-30"'),
        57,
        13,
        "written_on",
        "'2024-02-30' is not a real date",
    ),
    (
        "detected-before-started",
        edit('"2024-03-05T10:05:00-05:00"', '"2024-03-05T09:59:00-05:00"'),
        10,
        14,
        "detected_at",
        "is before started_at (2024-03-05T10:00:00-05:00)",
    ),
    (
        "mitigated-before-started",
        edit("mitigated_at: 2024-03-05T15:30:00Z", "mitigated_at: 2024-03-05T14:59:59Z"),
        11,
        15,
        "mitigated_at",
        "is before started_at",
    ),
    (
        "resolved-before-mitigated",
        edit("resolved_at: 2024-03-05T16:00:00Z", "resolved_at: 2024-03-05T15:29:00Z"),
        12,
        14,
        "resolved_at",
        "is before mitigated_at (2024-03-05T15:30:00+00:00)",
    ),
    (
        "timeline-order",
        edit("  - at: 2024-03-05T10:05:00-05:00", "  - at: 2024-03-05T09:05:00-05:00"),
        37,
        9,
        "timeline[2].at",
        "is earlier than timeline[0].at",
    ),
    (
        "timeline-event-required",
        edit("    event: Alert fired.\n", ""),
        37,
        5,
        "timeline[2].event",
        "required field 'event' is missing",
    ),
    (
        "link-javascript",
        edit("url: https://grafana.example/d/1", "url: javascript:alert(1)"),
        63,
        10,
        "links[0].url",
        "'javascript:alert(1)' is not an http(s) URL",
    ),
    (
        "link-ftp",
        edit("url: https://grafana.example/d/1", "url: ftp://files.example/x"),
        63,
        10,
        "links[0].url",
        "is not an http(s) URL",
    ),
    (
        "unknown-key-did-you-mean",
        edit("trigger: A deploy.", "triger: A deploy."),
        22,
        1,
        "triger",
        "unknown field 'triger'",
    ),
    (
        "unknown-nested-key",
        edit("  users_affected: 1200", "  users: 1200"),
        15,
        3,
        "impact.users",
        "unknown field 'users'",
    ),
    (
        "impact-users-negative",
        edit("users_affected: 1200", "users_affected: -3"),
        15,
        19,
        "impact.users_affected",
        "-3 is out of range: must be at least 0",
    ),
    (
        "impact-users-not-integer",
        edit("users_affected: 1200", "users_affected: 12.5"),
        15,
        19,
        "impact.users_affected",
        "expected a whole number, found a number 12.5",
    ),
    (
        "impact-users-text",
        edit("users_affected: 1200", "users_affected: many"),
        15,
        19,
        "impact.users_affected",
        "expected a whole number, found text 'many'",
    ),
    (
        "impact-percent-range",
        edit("users_affected_percent: 12.5", "users_affected_percent: 120"),
        16,
        27,
        "impact.users_affected_percent",
        "120 is out of range: must be at most 100",
    ),
    (
        "title-left-empty",
        edit("title: Payment timeouts after a pool change", "title:"),
        2,
        7,
        "title",
        "is empty; expected text",
    ),
    (
        "impact-customer-facing-boolean",
        edit("customer_facing: true", "customer_facing: maybe"),
        18,
        20,
        "impact.customer_facing",
        "expected true or false, found text 'maybe'",
    ),
    (
        "action-status-required",
        edit("    status: open\n", ""),
        41,
        5,
        "action_items[0].status",
        "required field 'status' is missing",
    ),
    (
        "action-due-date",
        edit("due: 2024-04-01", "due: next week"),
        46,
        10,
        "action_items[0].due",
        "'next week' is not a date",
    ),
    (
        "action-ticket-url",
        edit("ticket: https://tickets.example/PAY-1", "ticket: PAY-1"),
        47,
        13,
        "action_items[0].ticket",
        "'PAY-1' is not an http(s) URL",
    ),
    (
        "todo-placeholder",
        edit("trigger: A deploy.", "trigger: 'TODO: what set it off?'"),
        22,
        10,
        "trigger",
        "placeholder 'TODO: what set it off?' not filled in",
    ),
    (
        "bare-todo-placeholder",
        edit("  summary: Card payments failed.", "  summary: TODO"),
        14,
        12,
        "impact.summary",
        "placeholder 'TODO' not filled in",
    ),
    (
        "related-missing",
        edit("related: [2024-01-10-older-incident]", "related: [2024-01-11-older]"),
        60,
        11,
        "related[0]",
        "related incident '2024-01-11-older' does not exist",
    ),
    (
        "related-self",
        edit("related: [2024-01-10-older-incident]", "related: [2024-03-05-payment-timeouts]"),
        60,
        11,
        "related[0]",
        "an incident cannot be related to itself",
    ),
    (
        "summary-empty",
        edit("summary: Payments timed out for **EU** merchants.", 'summary: ""'),
        5,
        10,
        "summary",
        "must not be empty",
    ),
    (
        "root-cause-summary-one-line",
        edit("  summary: The connection pool was cut to 10.", '  summary: "a\\nb"'),
        25,
        12,
        "root_cause.summary",
        "must be a single line",
    ),
    (
        "tag-slug-with-trailing-newline",
        edit("tags: [payments, config]", 'tags: ["payments\\n"]'),
        59,
        8,
        "tags[0]",
        "is not a slug",
    ),
]


def _one_error(project: Project, text: str) -> dict[str, object]:
    project.incident(text)
    project.incident(OLDER, OLDER_ID)
    errors = [p for p in project.problems() if p["level"] == "error"]
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize(
    ("text", "line", "column", "field", "words"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_broken_rule_is_reported_at_its_line_column_and_field(
    project: Project, text: str, line: int, column: int, field: str, words: str
) -> None:
    project.incident(text)
    project.incident(OLDER, OLDER_ID)
    errors = [p for p in project.problems() if p["level"] == "error"]
    assert {p["field"] for p in errors} == {field}, errors
    problem = next(p for p in errors if words in p["message"])
    assert problem["path"] == f"incidents/2024/{VALID_ID}.yaml"
    assert (problem["line"], problem["column"]) == (line, column)


def test_complete_valid_incident_is_accepted_with_every_field(valid_project: Project) -> None:
    code, out, _ = valid_project.validate()
    assert (code, out) == (0, "2 incidents checked, 0 problems\n")


@pytest.mark.parametrize("field", MINIMAL_FIELDS)
def test_missing_required_field_is_named(project: Project, field: str) -> None:
    text = without_top_level(field)
    if field == "started_at":  # the timeline and the other times stay valid without it
        text = text.replace("started_at", "x-started")
    problem = _one_error(project, text)
    assert problem["field"] == field
    assert problem["message"] == f"required field '{field}' is missing"


@pytest.mark.parametrize(
    ("parent", "child"),
    [("impact", "summary"), ("root_cause", "category"), ("root_cause", "summary")],
)
def test_missing_required_nested_field_points_at_its_parent(
    project: Project, parent: str, child: str
) -> None:
    text = VALID.replace(f"\n  {child}:", f"\n  x-{child}:", 1) if parent == "impact" else None
    if text is None:
        start = VALID.index("root_cause:")
        text = VALID[:start] + VALID[start:].replace(f"  {child}:", f"  x-{child}:", 1)
    problem = _one_error(project, text)
    assert problem["field"] == f"{parent}.{child}"
    assert problem["message"] == f"required field '{child}' is missing"
    assert problem["line"] == VALID.splitlines().index(f"{parent}:") + 1


def test_minimal_incident_with_only_required_fields_is_accepted(project: Project) -> None:
    project.incident(OLDER, OLDER_ID)
    assert project.validate() == (0, "1 incident checked, 0 problems\n", "")


def test_unknown_key_suggests_the_close_known_key(project: Project) -> None:
    problem = _one_error(project, edit("trigger: A deploy.", "triger: A deploy."))
    assert problem["hint"] == "did you mean 'trigger'? Extension keys must start with 'x-'."


def test_unknown_key_far_from_any_known_key_explains_extensions(project: Project) -> None:
    problem = _one_error(project, edit("x-team: payments", "owner_team: payments"))
    assert problem["hint"] == "extension keys must start with 'x-'"


def test_extension_keys_are_allowed_on_every_object_and_kept(project: Project) -> None:
    text = edit("impact:\n", "impact:\n  x-cost: {eur: 1200}\n")
    text = edit("  - title: Add a canary\n", "  - title: Add a canary\n    x-jira: PAY-1\n", text)
    text = edit("  - name: Bo\n", "  - name: Bo\n    x-slack: '@bo'\n", text)
    project.incident(text)
    project.incident(OLDER, OLDER_ID)
    collection = load_collection(find_project(), use_cache=False)
    assert collection.problems == []
    incident = collection.get(VALID_ID)
    assert incident is not None
    assert incident.extensions == {"x-team": "payments"}
    assert incident.data["impact"]["x-cost"] == {"eur": 1200}
    assert incident.data["action_items"][0]["x-jira"] == "PAY-1"
    assert incident.data["reviewers"][0]["x-slack"] == "@bo"


def test_timestamps_keep_their_offset_quoted_or_not(valid_project: Project) -> None:
    incident = load_collection(find_project(), use_cache=False).get(VALID_ID)
    assert incident is not None
    assert incident.started_at.isoformat() == "2024-03-05T10:00:00-05:00"  # unquoted
    assert incident.detected_at.isoformat() == "2024-03-05T10:05:00-05:00"  # quoted
    assert incident.resolved_at.isoformat() == "2024-03-05T16:00:00+00:00"
    assert incident.data["timeline"][1] == {"event": "Someone noticed (time unknown)."}
    assert str(incident.data["action_items"][0]["due"]) == "2024-04-01"


@pytest.mark.parametrize("use_cache", [False, True], ids=["parsed", "from-cache"])
def test_incidents_loaded_together_share_keys_short_texts_and_offsets(
    valid_project: Project, use_cache: bool
) -> None:
    """Thousands of incidents repeat the same keys, vocabulary values and offsets: each is kept
    once (a quarter of a large knowledge base's memory), and the values are unchanged."""
    copy_id = "2024-03-06-payment-copy"
    valid_project.incident(edit(f"id: {VALID_ID}", f"id: {copy_id}"), copy_id)
    load_collection(find_project())  # fills the cache
    loaded = load_collection(find_project(), use_cache=use_cache)
    first, copy = loaded.get(VALID_ID), loaded.get(copy_id)
    assert first is not None and copy is not None
    assert copy.data == {**first.data, "id": copy_id}
    assert next(k for k in first.data if k == "root_cause") is next(
        k for k in copy.data if k == "root_cause"
    )
    assert first.severity is copy.severity
    assert first.action_items[0]["owner"] is copy.action_items[0]["owner"]
    assert first.started_at.tzinfo is copy.started_at.tzinfo
    assert first.started_at.isoformat() == "2024-03-05T10:00:00-05:00"


def test_timeline_order_ignores_entries_without_time(project: Project) -> None:
    text = edit(
        "  - event: Someone noticed (time unknown).\n",
        "  - event: Someone noticed (time unknown).\n  - event: And another.\n",
    )
    project.incident(text)
    project.incident(OLDER, OLDER_ID)
    assert project.validate()[0] == 0


def test_equal_times_are_in_order(project: Project) -> None:
    text = edit("resolved_at: 2024-03-05T16:00:00Z", "resolved_at: 2024-03-05T10:30:00-05:00")
    project.incident(text)
    project.incident(OLDER, OLDER_ID)
    assert project.validate()[0] == 0


def test_duplicate_id_is_blamed_on_the_later_file_naming_both(project: Project) -> None:
    project.incident(VALID)
    project.incident(OLDER, OLDER_ID)
    project.write(f"incidents/2025/{VALID_ID}.yml", VALID)
    errors = project.problems()
    assert [(p["path"], p["field"], p["line"], p["message"]) for p in errors] == [
        (
            "incidents/2025/2024-03-05-payment-timeouts.yml",
            "id",
            1,
            f"id '{VALID_ID}' is already used by incidents/2024/{VALID_ID}.yaml",
        ),
    ]


def test_related_id_of_an_unreadable_file_is_not_blamed_twice(project: Project) -> None:
    project.incident(VALID)
    project.write(f"incidents/2024/{OLDER_ID}.yaml", "id: [unclosed\n")
    errors = project.problems()
    assert {p["path"] for p in errors} == {f"incidents/2024/{OLDER_ID}.yaml"}


def test_yml_suffix_is_accepted(project: Project) -> None:
    project.incident(VALID, suffix=".yml")
    project.incident(OLDER, OLDER_ID)
    assert project.validate() == (0, "2 incidents checked, 0 problems\n", "")


def test_files_named_with_underscore_are_not_incidents(valid_project: Project) -> None:
    valid_project.write("incidents/2024/_draft-notes.yaml", "this: [is not an incident")
    valid_project.write("incidents/_template.yml", "id: TODO\n")
    assert valid_project.validate() == (0, "2 incidents checked, 0 problems\n", "")


def test_services_are_checked_against_the_catalog_when_there_is_one(
    valid_project: Project,
) -> None:
    valid_project.write(
        "incidents/_services.yaml",
        "checkout-api:\n  name: Checkout API\npayments:\n  name: Payments\n",
    )
    errors = valid_project.problems()
    assert [(p["line"], p["column"], p["field"], p["message"]) for p in errors] == [
        (
            8,
            5,
            "services[1]",
            "service 'payments-gateway' is not in the service catalog incidents/_services.yaml",
        ),
    ]
    assert errors[0]["hint"] == "did you mean 'payments'?"


def test_services_are_not_checked_without_a_catalog(project: Project) -> None:
    project.incident(edit("  - payments-gateway", "  - any-service-at-all"))
    project.incident(OLDER, OLDER_ID)
    assert project.validate()[0] == 0


def test_public_incident_relating_to_internal_one_is_a_warning_only(project: Project) -> None:
    project.incident(edit("visibility: internal", "visibility: public"))
    project.incident(OLDER, OLDER_ID)
    code, out, _ = project.validate()
    assert code == 0
    assert out.splitlines() == [
        f"incidents/2024/{VALID_ID}.yaml:60:11: related[0]: warning: public incident relates to "
        f"internal incident '{OLDER_ID}', which the public site leaves out "
        "(hint: make both public, or remove the link)",
        "2 incidents checked, 0 problems, 1 warning",
    ]


def test_every_problem_in_a_file_is_listed(project: Project) -> None:
    text = edit("severity: SEV2", "severity: SEV9")
    text = edit("status: final", "status: done", text)
    text = edit("ticket: https://tickets.example/PAY-1", "ticket: PAY-1", text)
    project.incident(text)
    project.incident(OLDER, OLDER_ID)
    assert [p["field"] for p in project.problems()] == [
        "status",
        "severity",
        "action_items[0].ticket",
    ]


def test_a_reload_shows_every_edit_and_models_only_the_changed_files_again(
    valid_project: Project,
) -> None:
    """What ``mkdocs serve`` does after each save."""
    first = load_collection(find_project(), reload=True)
    valid_project.incident(edit("title: Payment timeouts", "title: Edited payment timeouts"))
    again = load_collection(find_project(), reload=True)
    assert again.get(VALID_ID).title == "Edited payment timeouts after a pool change"
    assert again.get(OLDER_ID) is first.get(OLDER_ID)
    assert again.get(VALID_ID).digest != first.get(VALID_ID).digest
    valid_project.incident(edit("severity: SEV2", "severity: SEV9"))
    broken = load_collection(find_project(), reload=True)
    assert [problem.field for problem in broken.errors] == ["severity"]
    assert broken.get(VALID_ID) is None


def test_a_reload_reads_only_the_files_written_since_the_last_load(
    valid_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 10,000 incidents, reading and hashing every file took seconds of each rebuild. A
    file written in the last ``RACY_NS`` is read again (a coarse clock may not show a second
    write)."""
    read: list[str] = []
    key = CheckCache.key
    monkeypatch.setattr(
        CheckCache, "key", lambda self, stem, raw: read.append(stem) or key(self, stem, raw)
    )
    load_collection(find_project(), reload=True)
    assert sorted(read) == sorted([VALID_ID, OLDER_ID])
    read.clear()
    load_collection(find_project(), reload=True)
    assert sorted(read) == sorted([VALID_ID, OLDER_ID])  # both were just written
    monkeypatch.setattr(collection, "RACY_NS", 0)
    load_collection(find_project(), reload=True)
    read.clear()
    load_collection(find_project(), reload=True)
    assert read == []
    valid_project.incident(edit("title: Payment timeouts", "title: Edited payment timeouts"))
    again = load_collection(find_project(), reload=True)
    assert read == [VALID_ID]
    assert again.get(VALID_ID).title == "Edited payment timeouts after a pool change"


def test_a_key_that_lost_its_indentation_is_hinted_back_under_its_mapping(
    project: Project,
) -> None:
    moved = edit("impact:\n  summary: Card payments failed.\n", "impact:\n")
    text = edit("  customer_facing: true\n", "  customer_facing: true\nsummary: Lost.\n", moved)
    project.incident(text)
    duplicate = [p for p in project.problems() if "appears twice" in p["message"]]
    assert [(p["line"], p["column"], p["field"], p["hint"]) for p in duplicate] == [
        (
            18,
            1,
            "summary",
            "indent it under 'impact' if it belongs there; else keep one (keys are unique)",
        )
    ]


def test_incident_files_are_listed_in_path_order_part_by_part(tmp_path: Path) -> None:
    """``a/x.yaml`` comes before ``a-b/x.yaml`` and ``a/b/c.yaml`` after ``a/a.yaml`` (as paths
    compare, not as strings: ``-`` sorts before ``/``); files named ``_*`` are left out."""
    names = ["a-b/x.yaml", "a/x.yaml", "a/b/c.yaml", "a/a.yml", "b.yaml", "a/_catalog.yaml", "a/z"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("id: x\n", encoding="utf-8")
    found = collection.incident_files(tmp_path)
    expected = sorted(tmp_path / name for name in names[:5])
    assert found == expected
    assert [path.relative_to(tmp_path).as_posix() for path in found] == [
        "a/a.yml",
        "a/b/c.yaml",
        "a/x.yaml",
        "a-b/x.yaml",
        "b.yaml",
    ]
    # A file right in the root folder comes after the root's folders, as pathlib has it.
    listed = [("/", "z.yaml"), ("/b", "x.yaml")]
    assert sorted(listed, key=lambda f: [*collection._parts(f[0]), f[1]]) == listed[::-1]


def test_incident_files_listed_again_follow_added_renamed_and_removed_files(
    tmp_path: Path,
) -> None:
    """``mkdocs serve`` lists the files after each save: the same files give the same list (not
    sorted again), and any change to them shows."""
    for name in ("2024/b.yaml", "2024/a.yaml", "2023/c.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("id: x\n", encoding="utf-8")

    def listed() -> list[str]:
        found = collection.incident_files(tmp_path)
        return [path.relative_to(tmp_path).as_posix() for path in found]

    assert listed() == ["2023/c.yaml", "2024/a.yaml", "2024/b.yaml"]
    first = collection.incident_files(tmp_path)
    first.clear()  # a caller's list is its own
    assert listed() == ["2023/c.yaml", "2024/a.yaml", "2024/b.yaml"]
    (tmp_path / "2024/0.yaml").write_text("id: y\n", encoding="utf-8")
    assert listed() == ["2023/c.yaml", "2024/0.yaml", "2024/a.yaml", "2024/b.yaml"]
    (tmp_path / "2024/a.yaml").rename(tmp_path / "2023/a.yaml")
    assert listed() == ["2023/a.yaml", "2023/c.yaml", "2024/0.yaml", "2024/b.yaml"]
    (tmp_path / "2023/c.yaml").unlink()
    assert listed() == ["2023/a.yaml", "2024/0.yaml", "2024/b.yaml"]


def test_display_paths_follow_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative path is shown from where it is now, whatever was shown before."""
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
    monkeypatch.chdir(tmp_path / "one")
    assert collection.display_path(Path("x.yaml"), str(tmp_path)) == "one/x.yaml"
    monkeypatch.chdir(tmp_path / "two")
    assert collection.display_path(Path("x.yaml"), str(tmp_path)) == "two/x.yaml"


def test_a_reload_keeps_an_unchanged_file_s_warnings_and_follows_an_edit(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``mkdocs serve`` loads again after each save: the warnings of a file it did not read
    again are kept, those of an edited file are found anew."""
    monkeypatch.setattr(collection, "RACY_NS", -1)  # files just written count as settled
    checked: list[str] = []
    warnings = crosscheck._warnings

    def counted(entry: crosscheck.Entry, locator: Any) -> list[Any]:
        checked.append(entry.display)
        return warnings(entry, locator)

    monkeypatch.setattr(crosscheck, "_warnings", counted)
    late = 'detected_at: "2024-03-05T17:00:00Z"'
    path = project.incident(edit('detected_at: "2024-03-05T10:05:00-05:00"', late))
    project.incident(OLDER, OLDER_ID)

    def warned() -> list[str]:
        loaded = load_collection(find_project(), reload=True)
        return [warning.field for warning in loaded.warnings]

    assert warned() == ["detected_at"]
    checked.clear()
    assert warned() == ["detected_at"]
    assert checked == []  # neither file read again
    path.write_text(VALID, encoding="utf-8")
    assert warned() == []
    assert checked == [f"incidents/2024/{VALID_ID}.yaml"]
