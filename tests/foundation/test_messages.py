"""Messages a new author meets, said so that they point at the actual mistake (issue 17)."""

from __future__ import annotations

from .conftest import Project
from .documents import OLDER, OLDER_ID, VALID, VALID_ID, edit

FILE = f"incidents/2024/{VALID_ID}.yaml"


def _lines(project: Project, text: str) -> list[str]:
    """Every problem line ``validate`` prints for ``text`` (the summary left out)."""
    project.incident(text)
    project.incident(OLDER, OLDER_ID)
    _, out, _ = project.validate()
    return out.splitlines()[:-1]


def test_category_far_from_every_value_is_not_guessed_but_a_synonym_is(
    project: Project,
) -> None:
    assert _lines(project, edit("category: config-change", "category: performance")) == [
        f"{FILE}:24:13: root_cause.category: 'performance' is not one of config-change, "
        "deployment, software-bug, capacity, dependency, data-store, network, hardware, "
        "certificate-or-expiry, security, manual-operation, process, unknown "
        "(hint: did you mean 'capacity'?)"
    ]
    assert _lines(project, edit("category: config-change", "category: weather")) == [
        f"{FILE}:24:13: root_cause.category: 'weather' is not one of config-change, "
        "deployment, software-bug, capacity, dependency, data-store, network, hardware, "
        "certificate-or-expiry, security, manual-operation, process, unknown"
    ]


def test_action_status_todo_suggests_open_not_wont_do(project: Project) -> None:
    assert _lines(project, edit("status: open", "status: todo")) == [
        f"{FILE}:42:13: action_items[0].status: 'todo' is not one of open, in-progress, done, "
        "wont-do (hint: did you mean 'open'?)"
    ]


def test_typo_in_a_category_still_gets_its_suggestion(project: Project) -> None:
    assert _lines(project, edit("category: config-change", "category: config-chnage")) == [
        f"{FILE}:24:13: root_cause.category: 'config-chnage' is not one of config-change, "
        "deployment, software-bug, capacity, dependency, data-store, network, hardware, "
        "certificate-or-expiry, security, manual-operation, process, unknown "
        "(hint: did you mean 'config-change'?)"
    ]


def test_severity_in_lower_case_is_suggested_in_the_right_case(project: Project) -> None:
    assert _lines(project, edit("severity: SEV2", "severity: sev2")) == [
        f"{FILE}:4:11: severity: 'sev2' is not one of SEV1, SEV2, SEV3, SEV4 "
        "(hint: did you mean 'SEV2'?)"
    ]


def test_day_first_time_is_said_to_be_no_rfc3339_timestamp_with_its_rewrite(
    project: Project,
) -> None:
    text = edit("resolved_at: 2024-03-05T16:00:00Z", "resolved_at: 18/11/2026 14:31")
    assert _lines(project, text) == [
        f"{FILE}:12:14: resolved_at: '18/11/2026 14:31' is not an RFC 3339 timestamp "
        "(hint: write YYYY-MM-DDTHH:MM:SS and Z or the offset, e.g. 2026-11-18T14:31:00Z "
        "or 2026-11-18T14:31:00+01:00)"
    ]


def test_time_without_offset_still_says_the_offset_is_missing(project: Project) -> None:
    text = edit("resolved_at: 2024-03-05T16:00:00Z", 'resolved_at: "2024-03-05 16:00"')
    assert _lines(project, text) == [
        f"{FILE}:12:14: resolved_at: '2024-03-05 16:00' has no UTC offset "
        "(hint: add Z (UTC) or the offset it was written in, e.g. 2024-07-30T00:50:00-05:00)"
    ]


def test_due_that_is_no_date_is_reported_once(project: Project) -> None:
    assert _lines(project, edit("due: 2024-04-01", "due: next sprint")) == [
        f"{FILE}:46:10: action_items[0].due: 'next sprint' is not a date "
        "(hint: write it as YYYY-MM-DD, e.g. 2024-07-31)"
    ]


def test_impossible_due_date_is_still_reported(project: Project) -> None:
    assert _lines(project, edit("due: 2024-04-01", "due: '2024-02-30'")) == [
        f"{FILE}:46:10: action_items[0].due: '2024-02-30' is not a real date"
    ]


def test_tab_indentation_is_named_as_a_tab(project: Project) -> None:
    assert _lines(project, edit("  summary: Card payments failed.", "\tsummary: x")) == [
        f"{FILE}:14:1: (file): YAML syntax error: a tab character; indent with spaces"
    ]


def test_unquoted_colon_in_a_value_says_to_quote_it(project: Project) -> None:
    text = edit(
        "title: Payment timeouts after a pool change", "title: Payments: timeouts after a change"
    )
    assert _lines(project, text) == [
        f"{FILE}:2:16: (file): YAML syntax error: a value holding ': ' must be quoted "
        '(hint: write title: "Payments: timeouts after a change")'
    ]


def test_unknown_service_names_the_catalog_file_and_lists_the_few_known(
    valid_project: Project,
) -> None:
    valid_project.write(
        "incidents/_services.yaml",
        "checkout-api:\n  name: Checkout API\nledger:\n  name: Ledger\n",
    )
    _, out, _ = valid_project.validate()
    assert out.splitlines()[0] == (
        f"{FILE}:8:5: services[1]: service 'payments-gateway' is not in the service catalog "
        "incidents/_services.yaml (hint: known services: checkout-api, ledger; or add it to "
        "incidents/_services.yaml first)"
    )


def test_unknown_service_in_a_long_catalog_lists_the_closest_and_the_count(
    valid_project: Project,
) -> None:
    names = [f"team{number}-api" for number in range(20)] + ["checkout-api", "payments-core"]
    valid_project.write("incidents/_services.yaml", "".join(f"{n}: {{}}\n" for n in names))
    _, out, _ = valid_project.validate()
    assert out.splitlines()[0] == (
        f"{FILE}:8:5: services[1]: service 'payments-gateway' is not in the service catalog "
        "incidents/_services.yaml (hint: closest of the 22 known services: payments-core; "
        "or add it to incidents/_services.yaml first)"
    )


def test_detected_after_resolved_is_a_warning_counted_in_the_summary(project: Project) -> None:
    text = edit('detected_at: "2024-03-05T10:05:00-05:00"', 'detected_at: "2024-03-05T17:00:00Z"')
    project.incident(text)
    project.incident(OLDER, OLDER_ID)
    code, out, _ = project.validate()
    assert code == 0
    assert out.splitlines() == [
        f"{FILE}:10:14: detected_at: warning: is after resolved_at (2024-03-05T16:00:00+00:00) "
        "(hint: check both times and their offsets)",
        "2 incidents checked, 0 problems, 1 warning",
    ]


def test_open_action_item_nobody_holds_is_a_warning(project: Project) -> None:
    text = edit("    owner: Payments team\n", "", VALID)
    text = edit("    due: 2024-04-01\n", "", text)
    project.incident(text)
    project.incident(OLDER, OLDER_ID)
    code, out, _ = project.validate()
    assert code == 0
    assert out.splitlines() == [
        f"{FILE}:41:5: action_items[0]: warning: open action item has neither owner nor due "
        "date (hint: add an owner or a due date, so that it gets done)",
        "2 incidents checked, 0 problems, 1 warning",
    ]


def test_a_warning_fails_validate_where_it_fails_the_sites_build(project: Project) -> None:
    """With ``fail_on_warnings`` the build stops on a warning: so does the check of a pull
    request, or it would pass and the publish job would fail."""
    project.write(
        "mkdocs.yml", "site_name: T\nplugins:\n  - postmortems:\n      fail_on_warnings: true\n"
    )
    text = edit("    owner: Payments team\n", "", VALID)
    project.incident(edit("    due: 2024-04-01\n", "", text))
    project.incident(OLDER, OLDER_ID)
    code, out, _ = project.validate()
    assert code == 1
    assert out.splitlines()[-1] == "2 incidents checked, 0 problems, 1 warning"


def test_done_action_item_without_owner_is_no_warning(project: Project) -> None:
    text = edit("    owner: Payments team\n", "", VALID)
    text = edit("    due: 2024-04-01\n", "", text)
    text = edit("status: open", "status: done", text)
    project.incident(text)
    project.incident(OLDER, OLDER_ID)
    assert project.validate() == (0, "2 incidents checked, 0 problems\n", "")


def test_a_timeline_time_that_is_no_real_time_is_refused(project: Project) -> None:
    """Its shape passes the schema; the site could not read it (the build would fail)."""
    text = edit("  - at: 2024-03-05T10:05:00-05:00", '  - at: "2024-03-05T25:05:00-05:00"')
    assert _lines(project, text) == [
        f"{FILE}:37:9: timeline[2].at: '2024-03-05T25:05:00-05:00' is not a real date and time"
    ]


def test_impossible_dates_and_times_are_reported_with_every_other_problem(
    project: Project,
) -> None:
    """Unquoted (read by YAML as a date) or quoted, with a schema error beside them: all in
    one run."""
    text = edit("started_at: 2024-03-05T10:00:00-05:00", "started_at: 2024-02-30T10:00:00-05:00")
    text = edit("severity: SEV2", "severity: SEV9", text)
    text = edit(
        'detected_at: "2024-03-05T10:05:00-05:00"', 'detected_at: "2024-02-31T10:05:00Z"', text
    )
    text = edit("due: 2024-04-01", "due: 2024-04-31", text)
    assert [line.split(": ", 2)[1:] for line in _lines(project, text)] == [
        ["severity", "'SEV9' is not one of SEV1, SEV2, SEV3, SEV4"],
        ["started_at", "'2024-02-30T10:00:00-05:00' is not a real date and time"],
        ["detected_at", "'2024-02-31T10:05:00Z' is not a real date and time"],
        ["action_items[0].due", "'2024-04-31' is not a real date"],
    ]
