"""Times as a reader sees them on a page: UTC named once, other offsets kept explicit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from postmortems.core.timestamps import readable


def test_a_utc_time_reads_utc_without_a_redundant_offset():
    assert readable(datetime(2026, 11, 18, 14, 31, tzinfo=UTC)) == "2026-11-18 14:31 UTC"
    assert readable(datetime.fromisoformat("2026-11-18T14:31:00+00:00")) == "2026-11-18 14:31 UTC"


def test_other_offsets_stay_explicit_and_seconds_show_only_when_set():
    east = timezone(timedelta(hours=5, minutes=30))
    west = timezone(timedelta(hours=-5))
    assert readable(datetime(2026, 11, 18, 14, 31, tzinfo=east)) == "2026-11-18 14:31 UTC+05:30"
    assert readable(datetime(2024, 3, 12, 9, 10, 7, tzinfo=west)) == "2024-03-12 09:10:07 UTC-05:00"


def test_an_unknown_time_is_a_dash():
    assert readable(None) == "—"
