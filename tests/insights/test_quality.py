"""Data-quality report: each check's findings, the page, and the CLI as a CI gate."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from postmortems.cli import main
from postmortems.insights.quality import CHECK_NAMES, report
from postmortems.site import render
from postmortems.site.insight_pages import quality_page

from .helpers import TODAY, make_incident


def _ids(result):
    return [finding.incident.id for finding in result.findings]


def test_each_check_finds_the_incidents_missing_its_field(incidents):
    result = report(incidents, TODAY)

    assert _ids(result.result("missing-detected-at")) == ["2024-04-01-mystery"]
    assert "2024-07-30-db-outage" not in _ids(result.result("missing-lessons"))
    assert "2024-07-30-db-outage" not in _ids(result.result("missing-contributing-factors"))
    assert _ids(result.result("missing-action-items")) == [
        "2024-06-10-deploy",
        "2024-04-01-mystery",
        "2024-04-20-slow",
    ]
    assert _ids(result.result("action-items-without-owner")) == ["2024-07-02-cert-expiry"]
    assert _ids(result.result("action-items-without-due")) == ["2024-07-02-cert-expiry"]


def test_share_of_unknown_root_causes(incidents):
    result = report(incidents, TODAY)

    assert result.unknown_share == pytest.approx(0.2)
    assert "**20 %** of incidents" in quality_page(render.environment(), report(incidents, TODAY))


def test_drafts_are_stale_after_30_days_from_written_on_else_started_at():
    started = datetime(2024, 1, 1, tzinfo=UTC)
    drafts = [
        make_incident("2024-01-01-old", started, status="draft"),
        make_incident(
            "2024-01-01-fresh", started, status="draft", written_on=TODAY - timedelta(30)
        ),
        make_incident(
            "2024-01-01-stale", started, status="draft", written_on=TODAY - timedelta(31)
        ),
        make_incident("2024-01-01-final", started),
    ]

    stale = _ids(report(drafts, TODAY).result("stale-drafts"))

    assert stale == ["2024-01-01-old", "2024-01-01-stale"]


def test_empty_lessons_count_as_missing():
    incident = make_incident(
        "2024-01-01-empty", datetime(2024, 1, 1, tzinfo=UTC), lessons={"went_well": []}
    )

    assert _ids(report([incident], TODAY).result("missing-lessons")) == ["2024-01-01-empty"]


def test_findings_kept_between_reports_follow_the_day_and_each_edit():
    """``mkdocs serve`` asks for the report after each save: an incident's findings are kept
    while it is unchanged, but never outlive the day or the file they were found in."""
    draft = dataclasses.replace(
        make_incident("2024-01-01-draft", datetime(2024, 1, 1, tzinfo=UTC), status="draft"),
        digest=b"draft",
    )

    def stale(incident, today):
        return report([incident], today).result("stale-drafts").findings

    assert [f.detail for f in stale(draft, date(2024, 3, 1))] == [
        "draft for 60 days (started on 2024-01-01)"
    ]
    assert [f.detail for f in stale(draft, date(2024, 3, 11))] == [
        "draft for 70 days (started on 2024-01-01)"
    ]
    final = dataclasses.replace(draft, data={**draft.data, "status": "final"}, digest=b"final")
    assert stale(final, date(2024, 3, 11)) == []
    stale(draft, date(2024, 3, 11))
    loaded_again = dataclasses.replace(draft)
    assert stale(loaded_again, date(2024, 3, 11))[0].incident is loaded_again


def test_page_lists_findings_with_links_and_check_names(incidents):
    page = quality_page(render.environment(), report(incidents, TODAY))

    assert page.startswith("---\ntitle: Data quality\nrender_macros: false\n")
    assert "| Stale drafts | `stale-drafts` | 1 | 1 |" in page
    assert (
        '<tr><td><a href="../incidents/2024-04-01-mystery/">Incident 2024-04-01-mystery</a></td>'
        "<td>draft</td>" in page
    )


def test_hostile_action_title_is_escaped_on_the_page():
    incident = make_incident(
        "2024-01-01-x",
        datetime(2024, 1, 1, tzinfo=UTC),
        action_items=[{"title": "<script>x</script> | {{ y }}", "status": "open"}],
    )

    page = quality_page(render.environment(), report([incident], TODAY))

    assert "<script>" not in page
    assert "{{" not in page


def _quality(*argv: str) -> int:
    return main(["quality", *argv])


def test_cli_exits_1_when_a_named_check_has_findings(project, capsys):
    assert _quality("--fail-on", "stale-drafts") == 1
    captured = capsys.readouterr()
    assert "stale-drafts: 1 finding" in captured.out
    assert "findings in stale-drafts" in captured.err


def test_cli_exits_0_when_named_checks_are_clean_or_none_named(project):
    assert _quality("--fail-on", "missing-detected-at", "unknown-root-cause") == 0
    assert _quality() == 0


def test_cli_accepts_repeated_fail_on(project):
    assert _quality("--fail-on", "missing-detected-at", "--fail-on", "stale-drafts") == 1


def test_cli_rejects_an_unknown_check_name_with_exit_2(project, capsys):
    with pytest.raises(SystemExit) as exit_info:
        _quality("--fail-on", "no-such-check")
    assert exit_info.value.code == 2
    assert "missing-detected-at" in capsys.readouterr().err


def test_cli_help_lists_every_check(capsys):
    with pytest.raises(SystemExit):
        _quality("--help")
    out = capsys.readouterr().out
    assert all(name in out for name in CHECK_NAMES)


def test_cli_json_report_is_dated_by_source_date_epoch(project, capsys):
    assert _quality("--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["date"] == date(2024, 9, 1).isoformat()
    assert data["incidents"] == 2
    stale = next(check for check in data["checks"] if check["name"] == "stale-drafts")
    assert [f["incident"] for f in stale["findings"]] == ["2024-03-01-draft"]


def test_cli_reports_invalid_files_and_exits_1(project, capsys):
    (project / "incidents" / "2024-03-02-broken.yaml").write_text("id: [", encoding="utf-8")

    assert _quality() == 1
    assert "2024-03-02-broken.yaml" in capsys.readouterr().err
