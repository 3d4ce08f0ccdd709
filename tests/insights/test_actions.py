"""Action items: grouped by status, overdue relative to the build date, gaps flagged."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from postmortems.core.project import packaged_vocabulary
from postmortems.insights.actions import action_rows, owner_counts
from postmortems.site import render
from postmortems.site.insight_pages import (
    action_items_figures,
    action_items_page,
    action_status_page,
    action_status_rows,
)

from .helpers import TODAY, make_incident

STATUSES = {term.value: term for term in packaged_vocabulary("actionStatus")}


def _status_page(incidents, status):
    """The Markdown of the page listing the action items of ``status``."""
    term = STATUSES[status]
    rows = action_status_rows(action_rows(incidents, TODAY)).get(status, [])
    return action_status_page(render.environment(), rows, TODAY, term)


def _overview(incidents):
    figures = action_items_figures(action_rows(incidents, TODAY), TODAY, list(STATUSES.values()))
    return action_items_page(render.environment(), figures)


def _incident(*actions):
    return make_incident(
        "2024-08-01-x", datetime(2024, 8, 1, tzinfo=UTC), action_items=list(actions)
    )


def test_only_open_and_in_progress_items_due_before_today_are_overdue():
    incident = _incident(
        {"title": "late", "status": "open", "due": date(2024, 8, 31)},
        {"title": "late too", "status": "in-progress", "due": date(2024, 1, 1)},
        {"title": "due today", "status": "open", "due": TODAY},
        {"title": "done late", "status": "done", "due": date(2024, 1, 1)},
        {"title": "dropped", "status": "wont-do", "due": date(2024, 1, 1)},
        {"title": "no date", "status": "open"},
    )

    overdue = {row.title for row in action_rows([incident], TODAY) if row.overdue}

    assert overdue == {"late", "late too"}


def test_each_status_has_a_page_with_overdue_items_first_and_the_overview_links_them(
    incidents,
):
    overview = _overview(incidents)

    links = [line for line in overview.splitlines() if line.startswith("<tr><td><a href=")]
    assert [line.split('"')[1] for line in links] == [
        f"../action-items/{status}/" for status in ("open", "in-progress", "done", "wont-do")
    ]
    assert '>Open</a></td><td align="right">2</td><td align="right">1</td></tr>' in links[0]
    titles = [
        line.split(">", 3)[2].split("<")[0]
        for line in _status_page(incidents, "open").splitlines()
        if line.startswith('<tr><td class="pm-title">')
    ]
    assert titles == ["Add replica lag alert", "Automate renewal"]
    assert "Add replica lag alert" not in overview
    assert "No action item has the status <em>Won&#x27;t do</em>." in _status_page(
        incidents, "wont-do"
    )


def test_per_owner_counts_include_items_without_owner(incidents):
    counts = {c.owner: c for c in owner_counts(action_rows(incidents, TODAY))}

    assert counts["Ana"].by_status == {"open": 1, "in-progress": 0, "done": 1}
    assert counts["Ana"].overdue == 1
    assert counts[None].total == 1


def test_page_marks_overdue_and_missing_owner_or_due_date_and_links_incidents(incidents):
    page = _status_page(incidents, "open")

    late = next(
        line
        for line in page.splitlines()
        if line.startswith('<tr><td class="pm-title">Add replica lag')
    )
    assert (
        '<a href="../../incidents/2024-07-30-db-outage/">Incident 2024-07-30-db-outage</a>' in late
    )
    assert '<strong class="pm-nowrap">Overdue by 17 d</strong>' in late
    orphan = next(
        line
        for line in page.splitlines()
        if line.startswith('<tr><td class="pm-title">Automate renewal')
    )
    assert 'No owner</strong>; <strong class="pm-nowrap">No due date</strong>' in orphan
    assert "2 action items, overdue first" in page
    counts = "".join(f'<td align="right">{n}</td>' for n in (1, 0, 1, 1, 2))
    assert f"<tr><td>Ana</td>{counts}</tr>" in _overview(incidents)


def test_finished_items_are_not_flagged_for_missing_owner_or_due_date():
    incident = _incident({"title": "shipped", "status": "done"})

    (row,) = action_rows([incident], TODAY)

    assert row.follow_up(TODAY) == []


def test_hostile_owner_and_title_stay_inside_their_table_cells():
    hostile = "<script>alert(1)</script> | {{ x }}"
    incident = _incident(
        {"title": hostile, "status": "open", "owner": hostile, "due": date(2024, 8, 1)}
    )

    page = _overview([incident]) + _status_page([incident], "open")

    assert "<script>" not in page
    assert "{{" not in page
    owner_row = next(line for line in page.splitlines() if line.startswith("<tr><td>&lt;script"))
    header = next(line for line in page.splitlines() if line.startswith("<thead><tr><th>Owner"))
    assert owner_row.count("<td") == header.count("<th>") + header.count("<th ")
    item_row = next(
        line for line in page.splitlines() if line.startswith('<tr><td class="pm-title">&lt;script')
    )
    assert item_row.count("<td") == 7


def test_ticket_urls_become_links_and_other_schemes_do_not():
    incident = _incident(
        {"title": "a", "status": "open", "ticket": "https://tickets.example/1"},
        {"title": "b", "status": "open", "ticket": "javascript:alert(1)"},
    )

    page = _status_page([incident], "open")

    assert (
        '<td class="pm-title">a <a href="https://tickets.example/1" title="Ticket">'
        "ticket&nbsp;↗</a>" in page
    )
    assert '<td class="pm-title">b</td>' in page
    assert "javascript" not in page


def test_rows_asked_for_again_are_the_same_unless_the_incident_or_the_day_changed():
    """The site's pages and the quality report ask for every row, and a preview asks again
    after each save: an unchanged incident's rows are kept, never stale."""
    late = {"title": "late", "status": "open", "due": TODAY}
    incident = dataclasses.replace(_incident(late), digest=b"digest of the file")
    first = action_rows([incident], TODAY)
    assert action_rows([incident], TODAY)[0] is first[0]
    assert action_rows([incident], date(2024, 9, 2))[0].overdue  # a day later: overdue now
    assert action_rows([incident], TODAY) == first
    edited = dataclasses.replace(incident, data={**incident.data, "action_items": []})
    assert action_rows([edited], TODAY) == []  # another object: not taken for the kept one
