"""Values computed from incidents, never written by hand."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from .model import Incident

OPEN_ACTION_STATUSES = frozenset({"open", "in-progress"})


def duration(incident: Incident) -> timedelta | None:
    """Resolved (else mitigated) minus started; ``None`` when neither is known."""
    end = incident.resolved_at or incident.mitigated_at
    return end - incident.started_at if end else None


def time_to_detect(incident: Incident) -> timedelta | None:
    return incident.detected_at - incident.started_at if incident.detected_at else None


def time_to_mitigate(incident: Incident) -> timedelta | None:
    return incident.mitigated_at - incident.started_at if incident.mitigated_at else None


def time_to_resolve(incident: Incident) -> timedelta | None:
    return incident.resolved_at - incident.started_at if incident.resolved_at else None


def is_open(action: Mapping[str, Any]) -> bool:
    return action["status"] in OPEN_ACTION_STATUSES


def is_overdue(action: Mapping[str, Any], today: date) -> bool:
    """Open or in progress and due strictly before ``today``."""
    due = action.get("due")
    return is_open(action) and isinstance(due, date) and due < today


def open_action_items(incident: Incident) -> list[Mapping[str, Any]]:
    return [action for action in incident.action_items if is_open(action)]


def overdue_action_items(incident: Incident, today: date) -> list[Mapping[str, Any]]:
    return [action for action in incident.action_items if is_overdue(action, today)]


def human_duration(delta: timedelta | None) -> str:
    """A duration as people say it: ``1 h 5 min``, ``2 d 3 h``, ``45 s``; ``—`` when unknown."""
    if delta is None:
        return "—"
    seconds = int(delta.total_seconds())
    if seconds < 0:
        return "-" + human_duration(-delta)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        parts = [f"{days} d", f"{hours} h" if hours else ""]
    elif hours:
        parts = [f"{hours} h", f"{minutes} min" if minutes else ""]
    elif minutes:
        parts = [f"{minutes} min"]
    else:
        parts = [f"{secs} s"]
    return " ".join(part for part in parts if part)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The ``fraction`` quantile by linear interpolation (numpy's default); ``None`` if empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def median(values: Iterable[float]) -> float | None:
    data = list(values)
    return statistics.median(data) if data else None
