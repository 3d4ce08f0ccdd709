"""Data-quality report: what incident files leave out that the knowledge base needs.

Each check has a stable name so a team can gate CI on it (``postmortems quality --fail-on``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..core.cache import Carried, derived_digest, kept_by_digest
from ..core.model import Incident
from .actions import ActionRow, incident_action_rows

STALE_DRAFT_DAYS = 30


@dataclass(frozen=True)
class Finding:
    """One thing a check found in one incident (``detail`` says what, for action items which)."""

    incident: Incident
    detail: str

    @functools.cached_property
    def digest(self) -> bytes:
        """Of what the finding shows, when its incident has a digest (else empty): a listing
        keeps its rows by it (``site.fragments``), the quality page is keyed by it."""
        return derived_digest(self.incident.digest, self.detail)

    def as_dict(self) -> dict[str, Any]:
        return {
            "incident": self.incident.id,
            "title": self.incident.title,
            "source": self.incident.source,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Check:
    """A named data-quality check, of one incident at a time."""

    name: str
    title: str
    description: str
    finds: Callable[[Incident, date], list[str]]
    """What it finds in an incident on a day: one detail per finding."""


def _missing(field: str, detail: str) -> Callable[[Incident, date], list[str]]:
    def finds(incident: Incident, today: date) -> list[str]:
        return [] if _has_content(incident.data.get(field)) else [detail]

    return finds


def _has_content(value: Any) -> bool:
    """True when a value holds something: a non-empty string, list or mapping of such."""
    if isinstance(value, dict):
        return any(_has_content(item) for key, item in value.items() if not key.startswith("x-"))
    if isinstance(value, list | tuple | str):
        return bool(value)
    return value is not None


def _unknown_root_cause(incident: Incident, today: date) -> list[str]:
    return ["root cause category is unknown"] if incident.category == "unknown" else []


def _stale_draft(incident: Incident, today: date) -> list[str]:
    written = incident.written_on or incident.started_at.date()
    age = (today - written).days
    if incident.status != "draft" or age <= STALE_DRAFT_DAYS:
        return []
    since = "written on" if incident.written_on else "started on"
    return [f"draft for {age} days ({since} {written})"]


def _action_items(
    flag: Callable[[ActionRow], bool], detail: str
) -> Callable[[Incident, date], list[str]]:
    def finds(incident: Incident, today: date) -> list[str]:
        return [
            f"{detail}: {row.title}" for row in incident_action_rows(incident, today) if flag(row)
        ]

    return finds


CHECKS = (
    Check(
        "missing-detected-at",
        "No detection time",
        "Incidents without `detected_at`: time to detect cannot be measured.",
        _missing("detected_at", "no detected_at"),
    ),
    Check(
        "missing-contributing-factors",
        "No contributing factors",
        "Incidents that name no contributing factors beside the root cause.",
        _missing("contributing_factors", "no contributing_factors"),
    ),
    Check(
        "missing-action-items",
        "No action items",
        "Incidents with no action items: nothing was decided to prevent a repeat.",
        _missing("action_items", "no action_items"),
    ),
    Check(
        "missing-lessons",
        "No lessons",
        "Incidents that record no lessons (what went well, what went wrong, where we got lucky).",
        _missing("lessons", "no lessons"),
    ),
    Check(
        "unknown-root-cause",
        "Unknown root cause",
        "Incidents whose root-cause category is `unknown`.",
        _unknown_root_cause,
    ),
    Check(
        "stale-drafts",
        "Stale drafts",
        f"Drafts older than {STALE_DRAFT_DAYS} days (by `written_on`, else `started_at`).",
        _stale_draft,
    ),
    Check(
        "action-items-without-owner",
        "Action items without owner",
        "Open or in-progress action items that nobody owns.",
        _action_items(lambda row: row.missing_owner, "no owner"),
    ),
    Check(
        "action-items-without-due",
        "Action items without due date",
        "Open or in-progress action items with no due date.",
        _action_items(lambda row: row.missing_due, "no due date"),
    ),
)
CHECK_NAMES = tuple(check.name for check in CHECKS)


@dataclass(frozen=True)
class Result:
    check: Check
    findings: Sequence[Finding]

    @property
    def incidents(self) -> int:
        """How many distinct incidents have findings."""
        return len({finding.incident.id for finding in self.findings})


@dataclass(frozen=True)
class Report:
    """Every check's findings over ``incidents`` incidents, as of ``today``."""

    incidents: int
    today: date
    results: Sequence[Result]

    def result(self, name: str) -> Result:
        return next(result for result in self.results if result.check.name == name)

    @property
    def unknown_share(self) -> float | None:
        """Share of incidents (0–1) whose root cause is ``unknown``; ``None`` with no incidents."""
        unknown = self.result("unknown-root-cause").incidents
        return unknown / self.incidents if self.incidents else None

    def failing(self, names: Sequence[str]) -> list[str]:
        """The named checks that have findings."""
        return [name for name in names if self.result(name).findings]

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.today.isoformat(),
            "incidents": self.incidents,
            "unknown_root_cause_share": self.unknown_share,
            "checks": [
                {
                    "name": r.check.name,
                    "title": r.check.title,
                    "description": r.check.description,
                    "incidents": r.incidents,
                    "findings": [finding.as_dict() for finding in r.findings],
                }
                for r in self.results
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_text(self) -> str:
        lines = [f"{self.incidents} incidents checked on {self.today.isoformat()}"]
        if self.unknown_share is not None:
            lines.append(f"root cause unknown: {self.unknown_share:.0%} of incidents")
        for r in self.results:
            count = len(r.findings)
            lines.append(f"{r.check.name}: {count} finding{'s' * (count != 1)} ({r.check.title})")
            lines += [f"  {f.incident.source}: {_printable(f.detail)}" for f in r.findings]
        return "\n".join(lines) + "\n"


def _printable(text: str) -> str:
    """One terminal-safe line: whitespace collapsed, control characters shown as spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def report(incidents: Sequence[Incident], today: date) -> Report:
    """Run every check over ``incidents`` (an incident's findings of the last call are reused
    when it is the same object on the same day: one caller thread at a time)."""
    made = functools.partial(_incident_findings, today=today)
    found = kept_by_digest(_findings, today, incidents, made, lambda own: own.incident)
    results = [
        Result(check, [finding for own in found for finding in own.by_check[position]])
        for position, check in enumerate(CHECKS)
    ]
    return Report(len(incidents), today, results)


@dataclass(frozen=True)
class _IncidentFindings:
    incident: Incident
    by_check: tuple[tuple[Finding, ...], ...]
    """In the order of ``CHECKS``."""


def _incident_findings(incident: Incident, today: date) -> _IncidentFindings:
    return _IncidentFindings(
        incident,
        tuple(
            tuple(Finding(incident, detail) for detail in check.finds(incident, today))
            for check in CHECKS
        ),
    )


_findings: Carried[bytes, _IncidentFindings] = Carried()
"""Each incident's findings by its digest, as of a day (``mkdocs serve`` asks for the report
again after each save)."""


def forget() -> None:
    """Keep no findings for a next call (after a build that is not a preview's)."""
    _findings.forget()
