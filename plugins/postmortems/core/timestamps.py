"""Time as the package writes it: RFC 3339 timestamps, readable ones, and the build's clock
(``SOURCE_DATE_EPOCH`` when set, for reproducible builds)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime


def source_date_epoch() -> datetime | None:
    """The ``SOURCE_DATE_EPOCH`` instant (UTC), ``None`` when it is not set to whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.fromtimestamp(int(epoch), tz=UTC) if epoch.isdigit() else None


def build_date() -> date:
    """The build date: ``SOURCE_DATE_EPOCH`` when set, else today (UTC)."""
    return (source_date_epoch() or datetime.now(tz=UTC)).date()


def rfc3339(value: datetime) -> str:
    """A timestamp in RFC 3339 with the offset it carries (``Z`` for UTC)."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def readable(value: datetime | None) -> str:
    """The time as written: ``2024-07-30 00:50 UTC`` in UTC, else with its offset
    (``2024-03-12 09:10 UTC-05:00``); seconds only when there are some; ``—`` unknown."""
    if value is None:
        return "—"
    seconds = ":%S" if value.second else ""
    shown = value.strftime(f"%Y-%m-%d %H:%M{seconds}")
    offset = value.utcoffset()
    if offset is None:
        return shown
    if not offset:
        return f"{shown} UTC"
    sign = value.strftime("%z")
    return f"{shown} UTC{sign[:3]}:{sign[3:5]}"
