"""Dates, clock times and time zones as people write them in postmortems.

``scan`` finds every date and time in a piece of text (``June 15, 2023``, ``2023-06-15``,
``15 June 2023``, ``July 30th``, ``10:00 AM``, ``14:05``, ``2023-06-15T10:00:00Z``) and pairs a
time with the date written next to it. A ``Clock`` turns those into timezone-aware datetimes:
it remembers the current date, rolls it forward when a time says "the next day" or when the
clock goes backwards across midnight, and applies the zone written on the line or the
document's zone.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE_PATTERNS = (
    re.compile(
        r"(?<![\d.])(?P<year>(?:19|20)\d{2})[-/.](?P<mnum>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)"
    ),
    re.compile(
        rf"\b{_MONTH}\s+(?P<day>\d{{1,2}}){_ORDINAL}\b(?:\s*,?\s*(?P<year>(?:19|20)\d{{2}})\b)?",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?P<day>\d{{1,2}}){_ORDINAL}(?:\s+of)?\s+{_MONTH}\b(?:\s*,?\s*(?P<year>(?:19|20)\d{{2}})\b)?",
        re.IGNORECASE,
    ),
    re.compile(r"(?<![\d/])(?P<mnum>\d{1,2})/(?P<day>\d{1,2})/(?P<year>(?:19|20)\d{2})(?!\d)"),
)
_ISO = re.compile(
    r"(?<!\d)(?P<date>(?:19|20)\d{2}-\d{2}-\d{2})[T ](?P<h>\d{2}):(?P<m>\d{2})"
    r"(?::(?P<s>\d{2})(?:\.\d+)?)?(?:(?P<z>Z)|(?<=\d)(?P<off>[+-]\d{2}:?\d{2}))?(?![\d:])"
)
_TIME = re.compile(
    r"(?<![\d:.,])(?P<h>\d{1,2})(?::(?P<m>\d{2})(?::(?P<s>\d{2}))?(?![\d:])|(?=\s*[ap]\.?m\b))"
    r"(?:\s*(?P<ampm>[ap])\.?m\.?(?![a-z]))?",
    re.IGNORECASE,
)
_NEXT_DAY = re.compile(
    r"^[^.;\n]{0,40}?\b(?:the )?(?:next|following) (?:day|morning)\b|^\s*\(\+1\)"
)

# Abbreviation → UTC offset in hours, or an IANA zone name when the abbreviation covers DST.
ZONE_ABBREVIATIONS: dict[str, float | str] = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 5.5, "CET": 1,
    "CEST": 2, "MET": 1, "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "GST": 4, "PKT": 5,
    "ICT": 7, "WIB": 7, "SGT": 8, "HKT": 8, "AWST": 8, "PHT": 8, "KST": 9, "JST": 9,
    "ACST": 9.5, "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "HST": -10,
    "AKST": -9, "AKDT": -8, "PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6, "CDT": -5,
    "EST": -5, "EDT": -4, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5, "BRT": -3,
    "ART": -3, "SAST": 2, "CAT": 2, "EAT": 3, "WAT": 1,
    "PT": "America/Los_Angeles", "MT": "America/Denver", "CT": "America/Chicago",
    "ET": "America/New_York",
}  # fmt: skip
_ZONE_WORDS = {
    "pacific": "America/Los_Angeles", "mountain": "America/Denver",
    "central": "America/Chicago", "eastern": "America/New_York",
}  # fmt: skip
_OFFSET_ZONE = re.compile(
    r"\b(?:UTC|GMT)\s*(?P<sign>[+\-−–])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?(?!\d)"
)
_ABBREVIATION = re.compile(
    r"(?<![\w-])(?P<abbr>"
    + "|".join(sorted(ZONE_ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w-])"
)
_WORD_ZONE = re.compile(
    r"\b(?P<word>pacific|mountain|central|eastern)\s+(?:standard\s+|daylight\s+)?time\b",
    re.IGNORECASE,
)
_IANA = re.compile(
    r"\b(?P<iana>(?:Africa|America|Asia|Atlantic|Australia|Europe|Pacific)/[A-Za-z_]+(?:/[A-Za-z_]+)?)\b"
)


@dataclass(frozen=True)
class Zone:
    """A time zone as written (``label``) and the tzinfo it stands for."""

    tz: tzinfo
    label: str


@dataclass(frozen=True)
class Moment:
    """A date and/or time found at ``start``–``end`` in a text (``year`` may be missing)."""

    start: int
    end: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    clock: time | None = None
    zone: Zone | None = None
    next_day: bool = False

    @property
    def has_date(self) -> bool:
        return self.month is not None

    @property
    def has_time(self) -> bool:
        return self.clock is not None


def _fixed(hours: float, label: str) -> Zone:
    if hours == 0:
        return Zone(UTC, label)
    return Zone(timezone(timedelta(minutes=round(hours * 60))), label)


def _iana(name: str, label: str) -> Zone | None:
    try:
        return Zone(ZoneInfo(name), label)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def find_zone(text: str) -> tuple[int, Zone] | None:
    """The first time zone named in ``text`` with its position."""
    found: list[tuple[int, Zone]] = []
    match = _OFFSET_ZONE.search(text)
    if match:
        sign = -1 if match.group("sign") in "-−–" else 1
        hours = int(match.group("h")) + int(match.group("m") or 0) / 60
        if hours <= 14:
            found.append((match.start(), _fixed(sign * hours, match.group(0))))
    for match in _ABBREVIATION.finditer(text):
        abbreviation = match.group("abbr")
        value = ZONE_ABBREVIATIONS[abbreviation]
        if abbreviation == "Z":
            continue
        zone = _iana(value, abbreviation) if isinstance(value, str) else _fixed(value, abbreviation)
        if zone:
            found.append((match.start(), zone))
            break
    word = _WORD_ZONE.search(text)
    if word:
        zone = _iana(_ZONE_WORDS[word.group("word").lower()], word.group(0))
        if zone:
            found.append((word.start(), zone))
    iana = _IANA.search(text)
    if iana:
        zone = _iana(iana.group("iana"), iana.group("iana"))
        if zone:
            found.append((iana.start(), zone))
    return min(found, key=lambda item: item[0]) if found else None


def _valid_date(year: int | None, month: int, day: int) -> bool:
    try:
        date(year or 2000, month, day)
    except ValueError:
        return False
    return True


class _Taken:
    """Spans of a text already read as a date or time: sorted, never overlapping.

    Each pattern's matches are added after its pass (``commit``), so a look-up is a binary
    search and a text full of dates or times is read in ``n log n``, not ``n²``.
    """

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._pending: list[tuple[int, int]] = []

    def overlaps(self, start: int, end: int) -> bool:
        index = bisect.bisect_right(self._ends, start)
        return index < len(self._starts) and self._starts[index] < end

    def add(self, start: int, end: int) -> None:
        self._pending.append((start, end))

    def commit(self) -> None:
        if not self._pending:
            return
        spans = sorted([*zip(self._starts, self._ends, strict=True), *self._pending])
        self._starts = [start for start, _ in spans]
        self._ends = [end for _, end in spans]
        self._pending = []


def _dates(text: str, taken: _Taken) -> list[Moment]:
    found: list[Moment] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if taken.overlaps(match.start(), match.end()):
                continue
            groups = match.groupdict()
            month = _MONTHS[groups["month"].lower()] if groups.get("month") else int(groups["mnum"])
            day = int(groups["day"])
            year = int(groups["year"]) if groups.get("year") else None
            if pattern is _DATE_PATTERNS[3] and month > 12:
                month, day = day, month
            if month and _valid_date(year, month, day):
                found.append(Moment(match.start(), match.end(), year, month, day))
                taken.add(match.start(), match.end())
        taken.commit()
    return found


def _times(text: str, taken: _Taken) -> list[Moment]:
    found: list[Moment] = []
    for match in _TIME.finditer(text):
        if taken.overlaps(match.start(), match.end()):
            continue
        hour, minute = int(match.group("h")), int(match.group("m") or 0)
        second = int(match.group("s") or 0)
        ampm = (match.group("ampm") or "").lower()
        if ampm:
            if not 1 <= hour <= 12:
                continue
            hour = hour % 12 + (12 if ampm == "p" else 0)
        elif match.group("m") is None:
            continue
        if hour > 23 or minute > 59 or second > 59:
            continue
        found.append(Moment(match.start(), match.end(), clock=time(hour, minute, second)))
        taken.add(match.start(), match.end())
    taken.commit()
    return found


def _iso(text: str, taken: _Taken) -> list[Moment]:
    found: list[Moment] = []
    for match in _ISO.finditer(text):
        year, month, day = (int(part) for part in match.group("date").split("-"))
        hour, minute, second = (
            int(match.group("h")),
            int(match.group("m")),
            int(match.group("s") or 0),
        )
        if not _valid_date(year, month, day) or hour > 23 or minute > 59 or second > 59:
            continue
        zone = None
        if match.group("z"):
            zone = Zone(UTC, "Z")
        elif match.group("off"):
            offset = match.group("off").replace(":", "")
            hours = int(offset[1:3]) + int(offset[3:5]) / 60
            zone = _fixed(hours if offset[0] == "+" else -hours, match.group("off"))
        clock = time(hour, minute, second)
        found.append(Moment(match.start(), match.end(), year, month, day, clock, zone))
        taken.add(match.start(), match.end())
    taken.commit()
    return found


_MAX_GAP = 16
"""The most characters between a date and a time that still make one moment."""
_GAP = re.compile(r"^[\s,(]*(?:(?:at|on|of|@|from)\b)?[\s,]*$", re.IGNORECASE)


def _gap_joins(gap: str) -> bool:
    """Whether the text between a date and a time lets them be read as one moment."""
    without_zone = _ABBREVIATION.sub("", _OFFSET_ZONE.sub("", gap))
    without_zone = re.sub(r"[()]", " ", without_zone)
    return len(gap) <= _MAX_GAP and bool(_GAP.match(without_zone))


def scan(text: str) -> list[Moment]:
    """Every date and time in ``text``, in order; a time and an adjacent date become one moment."""
    taken = _Taken()
    iso = _iso(text, taken)
    dates = _dates(text, taken)
    times = _times(text, taken)
    merged: list[Moment] = list(iso)
    used: set[int] = set()
    near = _NearDates(dates)
    for moment in times:
        partner = None
        for index in near.around(moment):
            candidate = dates[index]
            if index in used:
                continue
            if candidate.end <= moment.start and _gap_joins(text[candidate.end : moment.start]):
                partner = index
            elif moment.end <= candidate.start and _gap_joins(text[moment.end : candidate.start]):
                partner = index
                break
        if partner is not None:
            used.add(partner)
            other = dates[partner]
            moment = Moment(
                min(moment.start, other.start), max(moment.end, other.end),
                other.year, other.month, other.day, moment.clock,
            )  # fmt: skip
        merged.append(moment)
    merged.extend(moment for index, moment in enumerate(dates) if index not in used)
    merged.sort(key=lambda moment: moment.start)
    return [_with_context(text, moment) for moment in merged]


class _NearDates:
    """Finds the dates close enough to a time to join it, without looking at every date."""

    def __init__(self, dates: list[Moment]) -> None:
        self._by_end = sorted(range(len(dates)), key=lambda index: dates[index].end)
        self._ends = [dates[index].end for index in self._by_end]
        self._by_start = sorted(range(len(dates)), key=lambda index: dates[index].start)
        self._starts = [dates[index].start for index in self._by_start]

    def around(self, moment: Moment) -> list[int]:
        """Indexes (in order) of the dates ending just before or starting just after ``moment``.

        Dates never overlap, so few fit in the :data:`_MAX_GAP` characters on either side.
        """
        low = bisect.bisect_left(self._ends, moment.start - _MAX_GAP)
        high = bisect.bisect_right(self._ends, moment.start)
        before = self._by_end[low:high]
        low = bisect.bisect_left(self._starts, moment.end)
        high = bisect.bisect_right(self._starts, moment.end + _MAX_GAP)
        return sorted({*before, *self._by_start[low:high]})


def _with_context(text: str, moment: Moment) -> Moment:
    """Attach the zone written right after a time and a following "next day"."""
    after = text[moment.end : moment.end + 60]
    zone = moment.zone
    if moment.has_time and zone is None:
        near = find_zone(after[:14])
        if near and not after[: near[0]].strip(" ,()"):
            zone = near[1]
    next_day = bool(moment.has_time and _NEXT_DAY.search(after))
    return Moment(
        moment.start, moment.end, moment.year, moment.month, moment.day, moment.clock, zone,
        next_day,
    )  # fmt: skip


_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "a few": 3, "few": 3,
    "a couple of": 2, "several": 5,
}  # fmt: skip
_RELATIVE = re.compile(
    r"\b(?P<n>\d{1,3}|half an|"
    + "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True))
    + r")(?:[ -](?P<units>five|\d))?\s+(?P<unit>minutes?|mins?|hours?|hrs?)\s+later\b",
    re.IGNORECASE,
)


def relative_delta(text: str) -> timedelta | None:
    """The offset a phrase such as "twenty minutes later" or "an hour later" states."""
    match = _RELATIVE.search(text)
    if not match:
        return None
    word = match.group("n").lower()
    if word == "half an":
        return timedelta(minutes=30)
    number = int(word) if word.isdigit() else _NUMBER_WORDS[word]
    extra = match.group("units")
    if extra:
        number += int(extra) if extra.isdigit() else 5
    unit = match.group("unit").lower()
    return timedelta(hours=number) if unit.startswith("h") else timedelta(minutes=number)


def parse_date(text: str, default_year: int | None) -> date | None:
    """The first date in ``text`` (a year-less date takes ``default_year``)."""
    for moment in scan(text):
        if moment.has_date and (moment.year or default_year):
            return date(moment.year or default_year or 0, moment.month or 1, moment.day or 1)
    return None


def to_fixed_offset(value: datetime) -> datetime:
    """The same instant with a fixed UTC offset (``UTC`` itself when the offset is zero)."""
    offset = value.utcoffset() or timedelta(0)
    return value.astimezone(UTC if not offset else timezone(offset))


class Clock:
    """Turns moments into datetimes, carrying the current date along a document."""

    def __init__(self, base: date | None, zone: Zone) -> None:
        self.current = base
        self.zone = zone
        self.last: datetime | None = None

    def after(self, delta: timedelta) -> datetime | None:
        """The instant ``delta`` after the last one resolved ("twenty minutes later")."""
        if self.last is None:
            return None
        self.last = self.last + delta
        self.current = self.last.astimezone(self.zone.tz).date()
        return self.last

    def resolve(self, moment: Moment, line_zone: Zone | None = None) -> datetime | None:
        """The datetime of ``moment``; ``None`` for a bare date or when no date is known yet."""
        explicit = moment.has_date
        if explicit:
            year = moment.year or (self.current.year if self.current else None)
            if year is None:
                return None
            self.current = date(year, moment.month or 1, moment.day or 1)
        if not moment.has_time or self.current is None or moment.clock is None:
            return None
        zone = (moment.zone or line_zone or self.zone).tz
        day = self.current + timedelta(days=1) if moment.next_day else self.current
        value = to_fixed_offset(datetime.combine(day, moment.clock).replace(tzinfo=zone))
        if (
            not explicit
            and self.last
            and not moment.next_day
            and self.last - value > timedelta(hours=6)
        ):
            value = to_fixed_offset(
                datetime.combine(day + timedelta(days=1), moment.clock).replace(tzinfo=zone)
            )
        self.current = value.astimezone(zone).date()
        self.last = value
        return value
