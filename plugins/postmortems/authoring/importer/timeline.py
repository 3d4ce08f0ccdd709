"""The incident's clock: its zone, its date, its timeline and its start, detection, mitigation and
resolution times.

Explicit header facts win (``Start:``, ``Resolved:``, ``Duration: … to …``); otherwise the
timeline decides (the first impact entry starts the incident, the last "resolved / back to
normal" entry ends it). A document without a timeline section is read as prose: every sentence
that carries a time becomes a timeline entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from . import facts
from .sections import Document, Section
from .tables import Table, find_tables
from .text import clean, is_bullet, paragraphs, sentences, strip_bullet
from .times import Clock, Moment, Zone, find_zone, relative_delta, scan

KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("impact-start",
         r"outage (?:begins|began|starts|started)|impact (?:begins|began|starts|started)|"
         r"(?:began|begin|begins|start|starts|started) (?:to )?(?:fail|return|throw|report|see|"
         r"time ?out|error|drop)|errors? (?:spiked?|increased?|rose|began|started|climbed)|"
         r"went down|became unavailable|start(?:s|ed)? failing|(?:start|started|began|begin)s?"
         r" (?!investigat|work|look|debug|roll|deploy|migrat|respond|prepar|test|index|updat|"
         r"rebuild|restor|recover|scal|drain|reindex)\w+ing\b|"
         r"^first\b[\w\s-]{0,30}\b(?:errors?|failures?|timeouts?|stale|wrong|bad)|"
         r"\bincident (?:begins|began|starts"
         r"|started)|users? (?:start|started|began|begin) |first (?:errors?|failures?|reports?)|"
         r"(?:errors?|failures?|charges|problems|issues|impact|degradation|timeouts?|outage)"
         r" (?:begin|began|begins|start|started|starts)\b"),
        ("mitigated",
         r"\bmitigat\w*|rolled back|roll-?back (?:is |was )?(?:complete|successful|succeeded|"
         r"finished|done)|rollback completes?|workaround|failover (?:complete|succeeded)|"
         r"error rates? (?:drop|fell|decrease)|traffic (?:was )?(?:drained|shifted|diverted)|"
         r"\breverted\b|(?<!fully )(?<!service )(?<!is )(?<!was )\brestored\b|\brollback\b|"
         r"restore (?:completes?|finished|done)|partially recover\w*|\bbypass\b|"
         r"(?:timeouts?|errors?|latency) (?:dropping|falling|recovering)"),
        ("resolved",
         r"\bresolved\b|fully (?:restored|recovered|operational)|(?:returned|returns|return|"
         r"went|is|was|are|were|back) (?:back )?to normal|back to normal|all[- ]clear|"
         r"incident (?:is |was )?(?:closed|over|ends|ended)|outage ends|\brecovered\b|"
         r"service (?:is |was )?restored|recovery complete|\band closed\b"),
        ("communication",
         r"status ?page|tweet|communicat\w*|customers? (?:were )?(?:notified|informed|emailed)|"
         r"notified (?:the )?customers|announce\w*|posted an update|update posted"),
        ("escalated",
         r"escalat\w*|incident commander|declared|paged in|(?:pulled|brought|called) in|"
         r"\bengaged\b|\bjoined\b|war ?room|bridge (?:opened|started)|"
         r"incident (?:manager|lead) assigned"),
        ("detected",
         r"\balert(?:s|ed)?\b|\bpaged\b|\bpaging\b|\bpager\b|\bdetect(?:ed|s)?\b|\bnoticed\b|pagerduty|"
         r"\breported\b|\bfired\b|acknowledg\w*|\backs\b|\bspotted\b|"
         r"customer reports?|reports? (?:reach|of)\b|\bpages (?:the |an? )?on-?call\b|"
         r"\bcomplaints?\b|customer (?:support )?tickets?\b"),
        ("action",
         r"deploy\w*|restart\w*|rolled|revert\w*|scaled|fail(?:ed)? over|patch\w*|"
         r"disabled|enabled|increased|applied|rotated|throttled|raised|pushed|paused|moved|"
         r"configured|merged|rolling out|rolled out|rollout|restore\b"),
    )
)  # fmt: skip
_BROAD_IMPACT = re.compile(
    r"errors?|\b5\d\d\b|fail\w*|time ?outs?|timing out|latency|\bp9\d\b|unavailable|outage|"
    r"\bdown\b|degrad\w*|"
    r"unable|could not|couldn't|slow|reject\w*|broken|drop(?:s|ped)?\b",
    re.IGNORECASE,
)
_ZONE_NOTE = re.compile(
    r"\(?(?:all\s+)?(?:times?|timestamps?|hours)(?:\s+(?:are|is|shown|given|listed|in|zone))*"
    r"\s*(?::\s*)?[\w/+:−-]+(?:\s*\([^()]{0,20}\))?\s*\)?[.:]?$",
    re.IGNORECASE,
)
"""A line that only says which zone the times are in."""
_DECLARED_MITIGATED = re.compile(
    r"\b(?:outage|incident|impact|issue)\s+(?:is\s+|was\s+)?mitigated\b", re.IGNORECASE
)
"""A timeline entry that declares the mitigation in so many words."""
INCIDENT_DATE_KEYS = ("date of incident", "incident date", "date of outage", "outage date", "date")
START_KEYS = (
    "start", "started", "start time", "started at", "impact start", "impact started",
    "outage start", "incident start", "began", "impact began", "start of impact",
)  # fmt: skip
DETECTED_KEYS = ("detected", "detected at", "detection time", "time detected", "detected on")
MITIGATED_KEYS = ("mitigated", "mitigated at", "mitigation time", "time mitigated")
RESOLVED_KEYS = (
    "resolved", "resolved at", "end", "end time", "ended", "resolution time", "recovered",
    "incident end", "closed", "time resolved", "impact end", "impact ended", "all clear",
)  # fmt: skip
_RANGE_KEY = re.compile(r"duration|time|window|when|date|period|outage|incident", re.IGNORECASE)
_WRITTEN_KEY = re.compile(r"prepared|written|updated|review|publish|report", re.IGNORECASE)
_RANGE_WORD = re.compile(r"^\s*(?:-|–|—|to|until|till|through|thru|and)\s*$", re.IGNORECASE)
MAX_ENTRIES = 500  # more is not a timeline but a log, and would not fit a 1 MiB incident file
_PLACEHOLDER = re.compile(
    r"^(?:none|n/?a|tbd|tba|todo|-+|nothing|no (?:timeline|entries|events)\b.*|none (?:recorded|"
    r"available|yet)|not (?:available|recorded))\W*$",
    re.IGNORECASE,
)
_WEEKDAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun"


@dataclass
class Entry:
    """One timeline entry: ``event`` text, ``at`` when a time is given, ``kind``."""

    event: str
    at: datetime | None
    kind: str
    marks: dict[str, datetime] = field(default_factory=dict)


@dataclass
class Times:
    """The incident's instants, where each came from, the zone and the timeline."""

    zone: Zone
    zone_stated: bool
    incident_date: date | None
    started_at: datetime | None = None
    detected_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    notes: dict[str, str] = field(default_factory=dict)
    timeline: list[Entry] = field(default_factory=list)


def document_zone(document: Document) -> tuple[Zone, bool]:
    """The zone the document states (a ``Timezone:`` fact first, then the first zone named)."""
    fact = document.fact("timezone", "time zone", "tz", "zone", "times", "all times")
    for text in ([fact.value] if fact else []) + ["\n".join(document.lines)]:
        found = find_zone(text)
        if found:
            return found[1], True
    return Zone(UTC, "UTC"), False


def incident_date(document: Document) -> date | None:
    """The day the incident started, as the document states it, for times written without one.

    An "Incident date:" fact first; then a date the title, the summary or the timeline names;
    only then a bare "Date:" fact, which is often the day the document was written.
    """
    candidates = [
        fact.value
        for key in INCIDENT_DATE_KEYS
        if key != "date"
        for fact in document.facts
        if fact.key == key
    ]
    candidates.append(facts.title(document) or "")
    for section in document.of_kind("summary", "timeline"):
        candidates += [sentence for line in section.lines for sentence in sentences(line)]
    candidates += [fact.value for fact in document.facts if fact.key == "date"]
    candidates += [
        sentence
        for line in document.lines
        for sentence in sentences(line)
        if not _WRITTEN_KEY.search(sentence.split(":", 1)[0])
    ]
    for text in candidates:
        for moment in scan(text):
            if moment.has_date and moment.year:
                return date(moment.year, moment.month or 1, moment.day or 1)
    year = re.search(r"\b(?:19|20)\d{2}\b", "\n".join(document.lines))
    for line in document.lines:
        for moment in scan(line):
            if moment.has_date and year:
                return date(int(year.group(0)), moment.month or 1, moment.day or 1)
    return None


def classify_event(text: str) -> str:
    """The timeline kind an event's words suggest (``note`` when none does)."""
    return next((kind for kind, pattern in KIND_PATTERNS if pattern.search(text)), "note")


def _is_date_line(text: str, moments: list[Moment]) -> bool:
    rest = text
    for moment in reversed(moments):
        rest = rest[: moment.start] + rest[moment.end :]
    rest = re.sub(
        rf"\b(?:{_WEEKDAYS})\b|\ball times\b|\btimes? (?:are |in )?\b", "", rest, flags=re.I
    )
    rest = re.sub(r"\b[A-Z]{1,5}\b|UTC[+\-−]\d+(?::\d\d)?", "", rest)
    return not re.search(r"[A-Za-z0-9]", rest)


def _event_text(text: str, first: Moment) -> str:
    """The event without its leading time stamp and separators."""
    lead = text[: first.start].strip().lower()
    if lead not in ("", "at", "~", "around", "approx.", "approximately", "by"):
        return text
    rest = text[first.end :]
    rest = (
        re.sub(r"^\s*\(?(?:UTC|GMT)?\s*[+\-−]?\d{0,2}(?::\d\d)?\)?", "", rest)
        if re.match(r"^\s*\(?(?:UTC|GMT)", rest)
        else rest
    )
    rest = re.sub(r"^\s*\(?[A-Z]{2,5}\)?(?=[\s:|\-–—,]|$)", "", rest)
    rest = re.sub(r"^[\s:|\-–—,.)]+", "", rest)
    return rest or text


def _entry(text: str, clock: Clock) -> Entry | None:
    """A timeline entry from one line or sentence; ``None`` for a line that only sets the date."""
    text = clean(text)
    if not text:
        return None
    moments = scan(text)
    line_zone = find_zone(text)
    zone = line_zone[1] if line_zone else None
    if not moments and zone is not None and _ZONE_NOTE.match(text):
        return None  # "All times UTC.": the zone is the document's (see ``document_zone``)
    if moments and not any(moment.has_time for moment in moments) and _is_date_line(text, moments):
        for moment in moments:
            clock.resolve(moment, zone)
        return None
    resolved = [(moment, clock.resolve(moment, zone)) for moment in moments]
    timed = [(moment, value) for moment, value in resolved if value is not None]
    event = _event_text(text, timed[0][0]) if timed else text
    entry = Entry(event, timed[0][1] if timed else None, classify_event(event))
    for kind, pattern in KIND_PATTERNS:
        for match in pattern.finditer(text):
            if timed:
                nearest = min(
                    timed, key=lambda item: _distance(item[0], match.start(), match.end())
                )
                entry.marks.setdefault(kind, nearest[1])
    return entry


def _marks(text: str, at: datetime) -> dict[str, datetime]:
    """The kinds a sentence with one instant ``at`` marks."""
    return {kind: at for kind, pattern in KIND_PATTERNS if pattern.search(text)}


def _distance(moment: Moment, start: int, end: int) -> int:
    return max(moment.start - end, start - moment.end, 0)


def _section_entries(section: Section, clock: Clock) -> list[Entry]:
    entries: list[Entry] = []
    tables = find_tables(section.lines)
    in_table = {line for start, end, _ in tables for line in range(start, end)}
    rows_at = {start: table for start, _end, table in tables}
    lines = section.lines
    index = 0
    while index < len(lines) and len(entries) <= MAX_ENTRIES:
        if index in rows_at:
            entries.extend(_table_entries(rows_at[index], clock))
        if index in in_table:
            index += 1
            continue
        line = lines[index]
        text = strip_bullet(line) if is_bullet(line) else line.strip()
        if _is_event(text):
            entry = _entry(text, clock)
            if entry:
                entries.append(entry)
        index += 1
    return entries


def _is_event(text: str) -> bool:
    """Whether a timeline line says something (not a rule, an empty checkbox or "None.")."""
    return bool(re.search(r"[A-Za-z]{2}", text)) and not _PLACEHOLDER.match(clean(text))


def _table_entries(table: Table, clock: Clock) -> list[Entry]:
    event_column = table.column("event", "description", "what", "action", "detail", "update")
    if event_column is None:
        event_column = len(table.header) - 1
    entries: list[Entry] = []
    for row in table.rows:
        stamp = " ".join(cell for index, cell in enumerate(row) if index != event_column)
        event = clean(row[event_column]) if event_column < len(row) else ""
        if not _is_event(f"{stamp} {event}"):
            continue
        entry = _entry(f"{stamp} — {event}" if stamp.strip() else event, clock)
        if entry:
            entries.append(entry)
    return entries


def _prose_entries(document: Document, clock: Clock) -> list[Entry]:
    """Time-bearing sentences of narrative text, in document order."""
    skipped = {"actions", "lessons", "went_well", "went_wrong", "got_lucky", "five_whys", "related"}
    blocks = [document.preamble] + [s.lines for s in document.sections if s.kind not in skipped]
    entries: list[Entry] = []
    fact_lines = {document.lines[fact.line].strip() for fact in document.facts if fact.line >= 0}
    for block in blocks:
        kept = [line for line in block if line.strip() not in fact_lines]
        for paragraph in _items_and_paragraphs(kept):
            for sentence in sentences(paragraph):
                if len(entries) > MAX_ENTRIES:
                    return entries
                if any(moment.has_time for moment in scan(sentence)):
                    entry = _entry(sentence, clock)
                    if entry and entry.at:
                        entries.append(entry)
                    continue
                delta = relative_delta(sentence)
                at = clock.after(delta) if delta else None
                if at:
                    entries.append(
                        Entry(sentence, at, classify_event(sentence), _marks(sentence, at))
                    )
    return entries


def _items_and_paragraphs(lines: list[str]) -> list[str]:
    """Each list item on its own, the other lines as paragraphs."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if is_bullet(line) or not line.strip():
            blocks.append([line] if line.strip() else [])
        else:
            blocks[-1].append(line)
    return [text for block in blocks for text in paragraphs(block)]


def _fact_instant(document: Document, keys: tuple[str, ...], clock: Clock) -> datetime | None:
    fact = document.fact(*keys)
    if not fact:
        return None
    line_zone = find_zone(fact.value)
    for moment in scan(fact.value):
        value = clock.resolve(moment, line_zone[1] if line_zone else None)
        if value:
            return value
    return None


def _fact_range(document: Document, clock: Clock) -> tuple[datetime, datetime] | None:
    """A ``Duration: <start> to <end>`` style header fact, or a "from … to …" summary sentence."""
    texts = [
        fact.value
        for fact in document.facts
        if _RANGE_KEY.search(fact.key) and not _WRITTEN_KEY.search(fact.key)
    ]
    for section in document.of_kind("summary", "impact"):
        texts += [
            s
            for p in paragraphs(section.lines)
            for s in sentences(p)
            if re.search(r"\b(?:from|between)\b", s, re.IGNORECASE)
        ]
    for text in texts:
        moments = [moment for moment in scan(text) if moment.has_time]
        for first, second in pairwise(moments):
            if _RANGE_WORD.match(text[first.end : second.start]) or _RANGE_WORD.match(
                re.sub(r"(?<!\s)\s*\(?[A-Z]{2,5}\)?\s*", " ", text[first.end : second.start])
            ):
                line_zone = find_zone(text)
                zone = line_zone[1] if line_zone else None
                dates = [moment for moment in scan(text) if not moment.has_time]
                for moment in [m for m in dates if m.end <= first.start] or dates[:1]:
                    clock.resolve(moment, zone)
                start, end = clock.resolve(first, zone), clock.resolve(second, zone)
                if start and end:
                    return start, end
    return None


def extract_times(document: Document) -> Times:
    """Zone, date, timeline and the four instants of the incident."""
    zone, stated = document_zone(document)
    base = incident_date(document)
    times = Times(zone, stated, base)
    timeline_sections = document.of_kind("timeline")
    per_section = [_section_entries(section, Clock(base, zone)) for section in timeline_sections]
    if any(entry.at for entries in per_section for entry in entries):
        per_section = [entries for entries in per_section if any(entry.at for entry in entries)]
    times.timeline = [entry for entries in per_section for entry in entries]
    if not timeline_sections:
        times.timeline = _prose_entries(document, Clock(base, zone))
    _from_facts(document, times, Clock(base, zone))
    _from_timeline(times)
    _keep_order(times)
    return times


def _keep_order(times: Times) -> None:
    """No instant before the start: a time earlier on the clock is the next day (within a day);
    anything further back contradicts the start and is dropped."""
    start = times.started_at
    if start is None:
        return
    for name in ("detected_at", "mitigated_at", "resolved_at"):
        value = getattr(times, name)
        if value is None or value >= start:
            continue
        if start - value < timedelta(days=1):
            setattr(times, name, value + timedelta(days=1))
            times.notes[name] = "; ".join(
                filter(
                    None, [times.notes.get(name), "earlier on the clock than the start: next day"]
                )
            )
        else:
            setattr(times, name, None)
    if times.mitigated_at and times.resolved_at and times.mitigated_at > times.resolved_at:
        times.mitigated_at = None


def _from_facts(document: Document, times: Times, clock: Clock) -> None:
    times.started_at = _fact_instant(document, START_KEYS, clock)
    times.detected_at = _fact_instant(document, DETECTED_KEYS, clock)
    times.mitigated_at = _fact_instant(document, MITIGATED_KEYS, clock)
    times.resolved_at = _fact_instant(document, RESOLVED_KEYS, clock)
    if times.started_at is None or times.resolved_at is None:
        found = _fact_range(document, Clock(times.incident_date, times.zone))
        if found:
            times.started_at = times.started_at or found[0]
            times.resolved_at = times.resolved_at or found[1]
    if times.started_at is None:
        times.started_at = _fact_instant(document, ("date", "time", "date and time"), clock)


def _from_timeline(times: Times) -> None:
    timed = [entry for entry in times.timeline if entry.at]
    if not timed:
        return
    if times.started_at is None:
        strong = [entry.marks["impact-start"] for entry in timed if "impact-start" in entry.marks]
        broad = [
            entry.at
            for entry in timed
            if entry.at
            and entry.kind not in ("mitigated", "resolved")
            and _BROAD_IMPACT.search(entry.event)
        ]
        if strong:
            times.started_at = strong[0]
        elif broad:
            times.started_at = broad[0]
            times.notes["started_at"] = "first timeline entry that mentions impact"
        else:
            times.started_at = timed[0].at
            times.notes["started_at"] = "first timeline entry"
    start = times.started_at
    if start is None:  # never: the first timed entry's time was taken above
        return
    later = [entry for entry in timed if entry.at and entry.at >= start]

    def marks(kind: str) -> list[datetime]:
        return [
            entry.marks[kind]
            for entry in later
            if kind in entry.marks and entry.marks[kind] >= start
        ]

    if times.detected_at is None and marks("detected"):
        times.detected_at = marks("detected")[0]
    if times.mitigated_at is None and marks("mitigated"):
        declared = [  # "16:00 OUTAGE MITIGATED" outranks an earlier sign ("error rates drop")
            entry.at for entry in later if entry.at and _DECLARED_MITIGATED.search(entry.event)
        ]
        times.mitigated_at = declared[0] if declared else marks("mitigated")[0]
    if times.resolved_at is None:
        if marks("resolved"):
            times.resolved_at = max(marks("resolved"))
        elif marks("mitigated") or len(later) > 1:
            times.resolved_at = max(marks("mitigated") or [entry.at for entry in later if entry.at])
            times.notes["resolved_at"] = "last timeline entry; no resolution time stated"
    if times.mitigated_at and times.resolved_at and times.mitigated_at > times.resolved_at:
        times.mitigated_at = None
