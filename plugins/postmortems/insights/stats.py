"""Statistics over incidents: counts per month, category and service; median and p90 times.

Durations are heavy-tailed, so the headline figures are the median and the 90th percentile
(linear interpolation), never the mean.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from ..core import derive
from ..core.cache import Carried, kept_by_digest
from ..core.model import Incident
from ..core.vocabulary import Term, vocabulary

MEASURES: tuple[tuple[str, str, Callable[[Incident], timedelta | None]], ...] = (
    ("time_to_detect", "Time to detect", derive.time_to_detect),
    ("time_to_mitigate", "Time to mitigate", derive.time_to_mitigate),
    ("time_to_resolve", "Time to resolve", derive.time_to_resolve),
)
DIMENSIONS = (("severity", "Severity"), ("category", "Root-cause category"), ("service", "Service"))
CHART_LIMIT = 20  # rows drawn in a bar chart; the table beside lists them all


def _round(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile of one measure, in seconds, over ``count`` known values."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        median, p90 = derive.median(values), derive.percentile(values, 0.9)
        # Millisecond precision: enough for durations, and free of float noise in JSON.
        return cls(len(values), _round(median), _round(p90))

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "median_seconds": self.median, "p90_seconds": self.p90}


@dataclass(frozen=True)
class Group:
    """The incidents sharing one value of a dimension (a severity, category or service)."""

    key: str
    label: str
    incidents: int
    spreads: Mapping[str, Spread]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "incidents": self.incidents,
            **{name: spread.as_dict() for name, spread in self.spreads.items()},
        }


@dataclass(frozen=True)
class Month:
    """Incidents that started in one month (in the offset the file gives), per severity."""

    month: str
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Figures:
    """Everything the statistics page and ``postmortems stats`` show."""

    severities: Sequence[Term]
    months: Sequence[Month]
    overall: Group
    groups: Mapping[str, Sequence[Group]]  # dimension -> groups, most incidents first

    def as_dict(self) -> dict[str, Any]:
        """The figures as a JSON-ready mapping (durations in seconds, ``null`` when unknown)."""
        return {
            "incidents": self.overall.incidents,
            "per_month": [
                {"month": month.month, "total": month.total, "by_severity": dict(month.counts)}
                for month in self.months
            ],
            "overall": self.overall.as_dict(),
            **{f"by_{name}": [g.as_dict() for g in self.groups[name]] for name, _ in DIMENSIONS},
        }


def filter_incidents(
    incidents: Iterable[Incident],
    *,
    since: date | None = None,
    service: str | None = None,
    category: str | None = None,
    severity: str | None = None,
    status: str | None = None,
) -> list[Incident]:
    """Incidents that started on or after ``since`` (their own date), affect ``service`` and
    have the ``category``, ``severity`` and ``status`` given (``None``: any)."""
    return [
        incident
        for incident in incidents
        if (since is None or incident.started_at.date() >= since)
        and (service is None or service in incident.services)
        and (category is None or incident.category == category)
        and (severity is None or incident.severity == severity)
        and (status is None or incident.status == status)
    ]


def _terms(schema: Mapping[str, Any], name: str, seen: Iterable[str]) -> list[Term]:
    """The vocabulary in schema order, plus any value in use that the schema does not list."""
    terms = vocabulary(dict(schema), name)
    known = {term.value for term in terms}
    extra = sorted(set(seen) - known)
    return terms + [Term(value, value, "") for value in extra]


_Measured = tuple[float | None, ...]
"""An incident's ``MEASURES``, in seconds (``None``: not recorded)."""


class Counted(NamedTuple):
    """What the figures count of one incident."""

    severity: str
    category: str
    services: tuple[str, ...]
    month: tuple[int, int]
    """The year and month it started (in the offset its file gives)."""
    measured: _Measured


def counted(incidents: Sequence[Incident]) -> list[Counted]:
    """What the figures count of each incident; those of the last call are kept by the
    incidents' digests (``mkdocs serve`` asks again after each save)."""
    return kept_by_digest(_counted, None, incidents, _count)


def _count(incident: Incident) -> Counted:
    started = incident.started_at
    return Counted(
        incident.severity,
        incident.category,
        tuple(incident.services),
        (started.year, started.month),
        tuple(
            None if (delta := measure(incident)) is None else delta.total_seconds()
            for _, _, measure in MEASURES
        ),
    )


_counted: Carried[bytes, Counted] = Carried()


def forget() -> None:
    """Keep nothing for a next call (after a build that is not a preview's: memory for pages)."""
    _counted.forget()


def _group(key: str, label: str, members: Sequence[_Measured]) -> Group:
    spreads = {
        name: Spread.of([seconds for row in members if (seconds := row[column]) is not None])
        for column, (name, _, _) in enumerate(MEASURES)
    }
    return Group(key, label, len(members), spreads)


def _months(rows: Sequence[Counted], severities: Sequence[Term]) -> list[Month]:
    """Every month from the first incident's to the last one's, empty months included."""
    per_month: dict[tuple[int, int], Counter[str]] = {}
    for row in rows:
        per_month.setdefault(row.month, Counter())[row.severity] += 1
    if not per_month:
        return []
    (year, month), last = min(per_month), max(per_month)
    months = []
    while (year, month) <= last:
        counts = per_month.get((year, month), Counter())
        months.append(
            Month(f"{year:04d}-{month:02d}", {t.value: counts[t.value] for t in severities})
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def figures(incidents: Sequence[Incident], schema: Mapping[str, Any]) -> Figures:
    """Compute every figure for ``incidents``; vocabulary order and titles come from ``schema``."""
    return figures_of(counted(incidents), schema)


def figures_of(rows: Sequence[Counted], schema: Mapping[str, Any]) -> Figures:
    """``figures`` of the incidents ``rows`` count (see ``counted``)."""
    severities = _terms(schema, "severity", (row.severity for row in rows))
    categories = _terms(schema, "rootCauseCategory", (row.category for row in rows))
    # Each incident counts in a group per dimension, and in "All".
    measured = [row.measured for row in rows]
    members: dict[str, dict[str, list[_Measured]]] = {name: {} for name, _ in DIMENSIONS}
    for row in rows:
        members["severity"].setdefault(row.severity, []).append(row.measured)
        members["category"].setdefault(row.category, []).append(row.measured)
        for service in row.services:
            members["service"].setdefault(service, []).append(row.measured)
    labels = {
        "severity": {t.value: t.title for t in severities},
        "category": {t.value: t.title for t in categories},
        "service": {},
    }
    order = {"severity": {t.value: n for n, t in enumerate(severities)}}
    groups: dict[str, list[Group]] = {}
    for name, _ in DIMENSIONS:
        found = members[name]
        if name == "severity":
            keys = sorted(found, key=order[name].__getitem__)
        else:
            keys = sorted(found, key=lambda key: (-len(found[key]), key))
        groups[name] = [_group(key, labels[name].get(key, key), members[name][key]) for key in keys]
    return Figures(severities, _months(rows, severities), _group("all", "All", measured), groups)
