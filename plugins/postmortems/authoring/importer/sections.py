"""Find the headed sections and ``Key: value`` facts of a postmortem in Markdown or plain text.

Headings are recognised in every common form: ``#`` headings, underlined (setext) headings,
lines in bold, ``Title:`` lines and bare lines that name a known section. Markdown headings
always start a section (of kind ``other`` when unknown); plain-text lines only do when they
name a known section, so sub-headings inside a list stay in the list. A two-column table whose
first column names known sections (the Atlassian header table) becomes one section per row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .tables import find_tables
from .text import clean, in_code, is_bullet, normalise_key, strip_bullet

# Exact (normalised) heading texts and the section kind they start.
HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary",
        "issue summary",
        "incident summary",
        "executive summary",
        "overview",
        "what happened",
        "incident overview",
        "tl;dr",
        "tldr",
        "background",
        "description",
    ),
    "impact": ("impact", "user impact", "customer impact", "impact summary", "scope and impact"),
    "business": ("business impact", "financial impact", "revenue impact"),
    "reputation": ("reputation impact", "reputational impact", "reputation"),
    "root_cause": (
        "root cause",
        "root causes",
        "root cause analysis",
        "cause",
        "causes",
        "fault",
        "rca",
        "root cause and resolution",
        "what went wrong technically",
        "technical root cause",
    ),
    "trigger": ("trigger", "triggers", "leadup", "lead-up", "lead up", "triggering event"),
    "resolution": (
        "resolution",
        "recovery",
        "resolution and recovery",
        "mitigation",
        "fix",
        "resolution and mitigation",
        "mitigation and resolution",
        "how it was fixed",
    ),
    "response": ("response", "incident response"),
    "detection": ("detection", "how it was detected", "detection and response"),
    "timeline": (
        "timeline",
        "timeline of events",
        "incident timeline",
        "chronology",
        "sequence of events",
        "timeline (all times utc)",
        "detailed timeline",
    ),
    "actions": (
        "action items",
        "action item",
        "actions",
        "follow-ups",
        "follow ups",
        "followups",
        "follow-up",
        "follow-up actions",
        "follow-up items",
        "next steps",
        "remediation",
        "remediations",
        "corrective actions",
        "corrective and preventative measures",
        "corrective and preventive measures",
        "preventative measures",
        "preventive measures",
        "preventative actions",
        "preventive actions",
        "tasks",
        "tasks to address the issue",
        "action plan",
        "action items and follow-ups",
        "remediation items",
        "todo",
        "to do",
        "what we will change",
        "what we are changing",
        "what we're changing",
        "what we will do",
        "what we are doing about it",
        "what we're doing about it",
        "what's next",
        "improvements",
    ),
    "lessons": ("lessons learned", "lessons learnt", "lessons", "learnings", "takeaways"),
    "went_well": ("what went well", "things that went well", "went well", "what worked"),
    "went_wrong": (
        "what went wrong",
        "things that went wrong",
        "went wrong",
        "what didn't go well",
        "what did not go well",
        "what could have gone better",
        "what could be improved",
        "what went poorly",
    ),
    "got_lucky": ("where we got lucky", "what we got lucky with", "got lucky", "luck", "lucky"),
    "five_whys": ("five whys", "5 whys", "the five whys", "5 why's", "five why's"),
    "contributing": ("contributing factors", "contributing factor", "contributing causes"),
    "related": ("related incidents", "related", "similar incidents"),
    "services": (
        "services",
        "affected services",
        "systems",
        "systems affected",
        "affected systems",
        "services affected",
        "affected components",
        "components",
    ),
    "conclusion": ("conclusion", "conclusions", "closing", "closing notes"),
}
KIND_BY_HEADING = {text: kind for kind, texts in HEADINGS.items() for text in texts}
# Kinds that a ``Key: value`` line starts (the value is the section's first line).
INLINE_KINDS = frozenset(
    {"summary", "impact", "business", "reputation", "root_cause", "trigger", "resolution",
     "response", "detection", "conclusion", "actions", "lessons"}
)  # fmt: skip
# Loose keyword rules for explicit (Markdown) headings that match no exact text.
_LOOSE = (
    ("five_whys", r"\b(five|5) whys?\b"),
    ("went_well", r"went well|what worked"),
    ("went_wrong", r"went wrong|go well|gone better|went poorly"),
    ("got_lucky", r"\blucky\b|\bluck\b"),
    ("lessons", r"lesson|learning|takeaway"),
    ("timeline", r"timeline|chronolog"),
    (
        "actions",
        r"action item|follow[- ]?up|corrective|preventa?t?ive|remediation|next steps|"
        r"what we(?: will|'ll| are going to) (?:change|do)",
    ),
    ("contributing", r"contributing"),
    ("root_cause", r"root cause|\bcauses?\b|why (?:it|this) happened|why did (?:it|this) happen"),
    ("business", r"business impact"),
    ("impact", r"\bimpact\b|what (?:users|customers) (?:saw|experienced|noticed)|who was affected"),
    ("trigger", r"trigger|lead[- ]?up"),
    (
        "resolution",
        r"resolution|recovery|mitigation|how (?:we|it was) (?:fixed|resolved|mitigated|recovered)",
    ),
    ("detection", r"detection"),
    ("summary", r"summary|overview"),
    ("services", r"(affected|impacted) (services|systems|components)"),
)
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")  # its closing hashes: see ``_atx_text``
_SETEXT = re.compile(r"^\s{0,3}(=+|-{2,})\s*$")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)([^*_\n]{1,80}?)(?:\*\*|__)\s*:?\s*$")
_COLON_LINE = re.compile(r"^\s*([A-Za-z][^:|]{0,60}):\s*$")
_FACT = re.compile(r"^\s*(?:\*\*|__)?([A-Za-z][A-Za-z0-9 ()/&'._-]{0,40}?)(?:\*\*|__)?\s*:\s*(.+)$")
_CONCLUSION = re.compile(r"^\s*in (?:conclusion|summary)\b", re.IGNORECASE)


@dataclass
class Section:
    """A headed part of the document; ``lines`` are its body lines as written."""

    kind: str
    heading: str
    lines: list[str] = field(default_factory=list)
    from_table: bool = False


@dataclass(frozen=True)
class Fact:
    """A ``Key: value`` line: ``key`` normalised, ``line`` 0-based (-1 for a table row)."""

    key: str
    value: str
    line: int


@dataclass
class Document:
    """The document split up: title heading, text before the first section, sections, facts."""

    lines: list[str]
    title: str | None = None
    preamble: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[Section]:
        return [section for section in self.sections if section.kind in kinds]

    def fact(self, *keys: str) -> Fact | None:
        """The first fact whose key is one of ``keys``."""
        return next((fact for fact in self.facts if fact.key in keys), None)


def classify(heading: str, loose: bool) -> str | None:
    """The section kind a heading names; loose matching is for explicit Markdown headings."""
    key = normalise_key(heading)
    key = re.sub(r"(?<!\s)\s*\([^()]*\)$", "", key)  # "Timeline (all times PDT)", "Timeline (CET)"
    if key in KIND_BY_HEADING:
        return KIND_BY_HEADING[key]
    if loose:
        for kind, pattern in _LOOSE:
            if re.search(pattern, key):
                return kind
    return None


def _continues_paragraph(lines: list[str], index: int, document: Document) -> bool:
    """Whether ``lines[index]`` is a wrapped line of running prose (``hours out of date: new
    products…``), not a ``Key: value`` line: it starts in lower case right after prose."""
    line, previous = lines[index].strip(), lines[index - 1].strip() if index else ""
    return (
        bool(previous)
        and line[:1].islower()
        and not is_bullet(line)
        and not is_bullet(previous)
        and not previous.endswith(":")
        and not (document.facts and document.facts[-1].line == index - 1)
    )


def _fact(line: str, index: int) -> Fact | None:
    match = _FACT.match(strip_bullet(line))
    if not match:
        return None
    key, value = normalise_key(match.group(1)), clean(match.group(2)).strip("*_ ")
    value = re.sub(r"^\[(.*)\]$", r"\1", value).strip()
    if re.search(r"\d$", match.group(1)) and re.match(r"\d", match.group(2)):
        return None  # a clock time such as "At 14:05", not a key
    if not key or not value or len(key.split()) > 6 or key.startswith("http"):
        return None
    if re.match(r"(?:a|an|the|our|we|this|it)\b", key) and len(key.split()) > 1:
        return None  # a sentence with a colon ("A manual operation: a script ran…")
    return Fact(key, value, index)


def _atx_text(text: str) -> str:
    """A ``#`` heading's text without its closing hashes (``## Impact ##``), in linear time."""
    text = text.rstrip()
    bare = text.rstrip("#")
    return bare.rstrip() if bare != text and (not bare or bare[-1] in " \t") else text


def _heading_at(lines: list[str], index: int) -> tuple[str, str | None, int] | None:
    """``(heading text, kind, lines used)`` when a heading starts at ``index``."""
    line = lines[index]
    atx = _ATX.match(line)
    if atx:
        text = _atx_text(atx.group(2))
        return text, classify(text, loose=True) or "other", 1
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if (
        line.strip()
        and not line.strip().startswith(("|", "-", "*", "+"))
        and _SETEXT.match(following)
    ):
        return line.strip(), classify(line, loose=True) or "other", 2
    bold = _BOLD_LINE.match(line)
    if bold:
        return bold.group(1), classify(bold.group(1), loose=True) or "other", 1
    colon = _COLON_LINE.match(line)
    candidate = colon.group(1) if colon else line.strip()
    if len(candidate.split()) <= 8 and not re.search(r"[.!?]$", candidate):
        kind = classify(candidate, loose=False)
        if kind:
            return candidate, kind, 1
    return None


def _table_sections(section: Section) -> list[Section]:
    """Rows of a key/value table whose keys name sections, as sections of their own.

    The header row may be a key/value row itself, empty (``| | |``) or generic (``Field |
    Value``): the table counts when two of its keys name sections.
    """
    found: list[Section] = []
    for _start, _end, table in find_tables(section.lines):
        rows = [table.header, *table.rows]
        if len(table.header) != 2 or sum(bool(classify(row[0], loose=False)) for row in rows) < 2:
            continue
        for key, value in rows:
            kind = classify(key, loose=False)
            if kind:
                body = re.split(r"<br\s*/?>", value, flags=re.IGNORECASE)
                found.append(Section(kind, clean(key), body, from_table=True))
    return found


def split_document(text: str) -> Document:
    """Split ``text`` into title, preamble, sections and facts."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    document = Document(lines)
    current: Section | None = None
    index = 0
    code = in_code(lines)
    while index < len(lines):
        line = lines[index]
        if code[index]:  # neither headings nor facts ("# restart it")
            (document.preamble if current is None else current.lines).append(line)
            index += 1
            continue
        heading = _heading_at(lines, index)
        atx = _ATX.match(line)
        underlined = index + 1 < len(lines) and lines[index + 1].strip().startswith("=")
        first_level = (atx and len(atx.group(1)) == 1) or (not atx and underlined)
        if heading and first_level and document.title is None and not document.sections:
            document.title = clean(heading[0])
            index += heading[2]
            continue
        if heading:
            text_, kind, used = heading
            current = Section(kind or "other", clean(text_))
            document.sections.append(current)
            index += used
            continue
        fact = None if _continues_paragraph(lines, index, document) else _fact(line, index)
        if fact:
            document.facts.append(fact)
        inline_kind = KIND_BY_HEADING.get(fact.key) if fact else None
        if fact and inline_kind in INLINE_KINDS:
            current = Section(inline_kind, fact.key, [fact.value])
            document.sections.append(current)
        elif _CONCLUSION.match(line) and (current is None or current.kind != "conclusion"):
            current = Section("conclusion", "conclusion", [line])
            document.sections.append(current)
        elif current is None:
            document.preamble.append(line)
        else:
            current.lines.append(line)
        index += 1
    holders = [Section("preamble", "", document.preamble), *document.sections]
    for holder in holders:
        document.sections.extend(_table_sections(holder))
        _table_facts(holder, document)
    return document


def _table_facts(section: Section, document: Document) -> None:
    """Two-column tables with short keys (``| Severity | SEV2 |``) add facts."""
    for _start, _end, table in find_tables(section.lines):
        if len(table.header) != 2:
            continue
        for key, value in [table.header, *table.rows]:
            key_text = normalise_key(key)
            if key_text and value.strip() and len(key_text.split()) <= 4:
                document.facts.append(Fact(key_text, clean(value), -1))
