"""Action-item follow-up: every action item of every incident, by status, with what is overdue."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..core import derive
from ..core.cache import Carried, derived_digest, kept_by_digest
from ..core.model import Incident
from ..core.project import packaged_vocabulary

STATUS_TITLES = {term.value: term.title for term in packaged_vocabulary("actionStatus")}
"""The action-item statuses in workflow order, with their titles, as the schema names them."""


@dataclass(frozen=True)
class ActionRow:
    """One action item with its incident and what follow-up it needs on ``today``. Its status,
    owner, due date and flags are worked out once (``action_rows`` keeps a row for as long as
    it is given the same incident object on the same day)."""

    incident: Incident
    action: Mapping[str, Any]
    overdue: bool
    position: int
    """Its place among the incident's action items, from 0."""

    @functools.cached_property
    def digest(self) -> bytes:
        """Of what the row shows, when its incident has a digest (else empty): the pages that
        list it are keyed by it."""
        return derived_digest(self.incident.digest, self.position)

    @functools.cached_property
    def title(self) -> str:
        return str(self.action["title"])

    @functools.cached_property
    def status(self) -> str:
        return str(self.action["status"])

    @functools.cached_property
    def owner(self) -> str | None:
        owner = self.action.get("owner")
        return str(owner) if owner not in (None, "") else None

    @functools.cached_property
    def due(self) -> date | None:
        due = self.action.get("due")
        return due if isinstance(due, date) else None

    @functools.cached_property
    def unfinished(self) -> bool:
        return derive.is_open(self.action)

    @functools.cached_property
    def missing_owner(self) -> bool:
        """An unfinished item nobody owns."""
        return self.unfinished and self.owner is None

    @functools.cached_property
    def missing_due(self) -> bool:
        """An unfinished item with no due date."""
        return self.unfinished and self.due is None

    @functools.cached_property
    def ticket(self) -> str | None:
        ticket = self.action.get("ticket")
        return str(ticket) if ticket else None

    @functools.cached_property
    def follow_up_order(self) -> tuple[bool, bool, date]:
        """The sort key that lists overdue rows first, then by due date (none last)."""
        return (not self.overdue, self.due is None, self.due or date.min)

    def follow_up(self, today: date) -> list[str]:
        """What needs doing about this item: overdue, no owner, no due date."""
        notes = [f"Overdue by {(today - self.due).days} d"] if self.overdue and self.due else []
        if self.missing_owner:
            notes.append("No owner")
        if self.missing_due:
            notes.append("No due date")
        return notes


@dataclass(frozen=True)
class OwnerCount:
    """How many action items one owner has, per status, and how many are overdue."""

    owner: str | None
    by_status: Mapping[str, int]
    overdue: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def action_rows(incidents: Iterable[Incident], today: date) -> list[ActionRow]:
    """Every action item, in incident order (as given) then file order."""
    return [row for own in rows_by_incident(incidents, today) for row in own]


def rows_by_incident(incidents: Iterable[Incident], today: date) -> list[tuple[ActionRow, ...]]:
    """Each incident's action items as rows, in file order; an incident's rows of the last call
    are reused when it is the same object (one caller thread at a time)."""
    made = functools.partial(incident_action_rows, today=today)
    return kept_by_digest(
        _rows, today, incidents, made, lambda own: own[0].incident if own else None
    )


def incident_action_rows(incident: Incident, today: date) -> tuple[ActionRow, ...]:
    """The incident's action items as rows, made anew."""
    return tuple(
        ActionRow(incident, action, derive.is_overdue(action, today), position)
        for position, action in enumerate(incident.action_items)
    )


_rows: Carried[bytes, tuple[ActionRow, ...]] = Carried()
"""Each incident's rows by its digest, as of a day (the site's pages and the quality report ask
for every row, and ``mkdocs serve`` asks again after each save)."""


def forget() -> None:
    """Keep no rows for a next call (after a build that is not a preview's: memory for pages)."""
    _rows.forget()


def statuses(rows: Iterable[ActionRow]) -> list[str]:
    """The statuses in use: the usual four in workflow order, then any other alphabetically."""
    used = {row.status for row in rows}
    return [s for s in STATUS_TITLES if s in used] + sorted(used - STATUS_TITLES.keys())


def owner_counts(rows: Sequence[ActionRow]) -> list[OwnerCount]:
    """Per owner (``None`` for no owner): counts per status; most overdue, then most open first."""
    names = statuses(rows)
    by_owner: dict[str | None, dict[str, int]] = {}
    for (owner, status), count in Counter((row.owner, row.status) for row in rows).items():
        by_owner.setdefault(owner, dict.fromkeys(names, 0))[status] = count
    overdue = Counter(row.owner for row in rows if row.overdue)
    counts = [OwnerCount(owner, counted, overdue[owner]) for owner, counted in by_owner.items()]
    return sorted(
        counts,
        key=lambda c: (
            -c.overdue,
            -sum(c.by_status.get(s, 0) for s in derive.OPEN_ACTION_STATUSES),
            c.owner is None,
            (c.owner or "").casefold(),
        ),
    )
