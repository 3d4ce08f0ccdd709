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
    """``2024-07-30 00:50 UTC+00:00``: the time as written, with its offset; ``—`` unknown."""
    if value is None:
        return "—"
    offset = value.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    seconds = ":%S" if value.second else ""
    return value.strftime(f"%Y-%m-%d %H:%M{seconds}") + f" UTC{offset}"
