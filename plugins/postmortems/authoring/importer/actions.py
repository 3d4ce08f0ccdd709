"""Action items (tables, bullets, checkboxes, "we will …" sentences) and lessons."""

from __future__ import annotations

import re
from typing import Any

from .emit import Todo
from .sections import Document, Section
from .tables import Table, find_tables
from .text import CHECKBOX, clean, is_bullet, list_items, paragraphs, sentences, shorten
from .times import parse_date

_URL = re.compile(r"https?://[^\s)\]>|,]+")
_STATUS_WORDS = (
    ("done", r"done|completed?|fixed|closed|resolved|finished|shipped|merged"),
    ("in-progress", r"in[- ]progress|wip|started|ongoing|in review|doing"),
    ("wont-do", r"won'?t[- ]do|wontfix|won't fix|cancell?ed|dropped|rejected"),
    ("open", r"open|todo|to[- ]do|not started|planned|pending|new|backlog"),
)
_TYPES = (
    ("prevent", r"prevent\w*"),
    ("mitigate", r"mitigat\w*"),
    ("detect", r"detect\w*|monitor\w*|alert\w*"),
    ("process", r"process\w*"),
    ("repair", r"repair\w*|fix"),
    ("investigate", r"investigat\w*"),
)
_META_KEY = re.compile(
    r"^(owner|assignee|assigned to|who|due|due date|deadline|by|priority|prio|status|ticket|"
    r"bug|issue|jira|type)\s*[:=]?\s*(.*)$",
    re.IGNORECASE,
)
_WILL = re.compile(
    r"^(?:(?:finally|also|additionally|in addition|next|then|lastly|first(?:ly)?|second(?:ly)?|"
    r"third(?:ly)?|going forward|to prevent (?:this|a recurrence)),?\s+)?"
    r"(?:we(?: will|'ll| are going to| plan to| need to)(?: also)?|action:|follow-?up:)\s+",
    re.I,
)
_LESSON = re.compile(r"(?:lessons?|learnings?|takeaways?)(?: learn[et]d?)?\s*:", re.IGNORECASE)
"""A lesson written among the action items: never an action item itself."""
_POSITIVE = re.compile(
    r"went well|worked (?:well|as (?:expected|intended|designed))|\bwas effective|"
    r"\bwere effective|helped us|\bsucceeded\b|paid off|^good:|^positive:|^what went well",
    re.IGNORECASE,
)


_MARKED_STATUS = re.compile(r"(?:\*\*|__)\s*([A-Za-z][A-Za-z' -]{1,20}?)\s*(?:\*\*|__)\s*$")
"""A status marked in bold at the end of a cell of a table without a status column
(``Bug 5554825 **DONE**``, as Google's example postmortem writes it)."""


def _status(text: str) -> str | None:
    lowered = clean(text).lower().strip(" .")
    for status, pattern in _STATUS_WORDS:
        if re.fullmatch(rf"(?:{pattern})", lowered):
            return status
    return None


def _type(text: str) -> str | None:
    lowered = clean(text).lower().strip()
    return next((kind for kind, pattern in _TYPES if re.fullmatch(pattern, lowered)), None)


def _priority(text: str) -> str | None:
    match = re.search(r"\bP([0-4])\b", text, re.IGNORECASE)
    return f"P{match.group(1)}" if match else None


def _apply_meta(item: dict[str, Any], part: str, year: int | None) -> bool:
    """Read one metadata fragment (``owner: @sam``, ``due 2024-03-01``, ``P1``…) into ``item``."""
    part = part.strip(" .")
    key_match = _META_KEY.match(part)
    key, value = (
        (key_match.group(1).lower(), key_match.group(2).strip()) if key_match else ("", part)
    )
    if key in ("owner", "assignee", "assigned to", "who") and value:
        item["owner"] = value.lstrip("@")
    elif key in ("due", "due date", "deadline", "by") and parse_date(value, year):
        item["due"] = parse_date(value, year)
    elif key in ("due", "due date", "deadline") and value:
        item["due"] = Todo("due", f"{_unplaced(value)} is no date the importer can place")
    elif key in ("priority", "prio") and _priority(value):
        item["priority"] = _priority(value)
    elif key == "status" and _status(value):
        item["status"] = _status(value)
    elif key == "type" and _type(value):
        item["type"] = _type(value)
    elif key in ("ticket", "bug", "issue", "jira") and value:
        _ticket(item, value)
    elif re.fullmatch(r"@[\w.-]+", part):
        item["owner"] = part[1:]
    elif re.fullmatch(r"P[0-4]", part, re.IGNORECASE):
        item["priority"] = part.upper()
    elif _status(part):
        item["status"] = _status(part)
    elif _URL.fullmatch(part):
        item["ticket"] = part
    else:
        return False
    return True


def _unplaced(value: str) -> str:
    """Text the importer could not read, quoted for a one-line comment."""
    return '"' + shorten(" ".join(value.split()), 80) + '"'


def _ticket(item: dict[str, Any], value: str) -> None:
    url = _URL.search(value)
    if url:
        item["ticket"] = url.group(0)
    elif clean(value).strip("* ") and clean(value).strip("* ").upper() not in ("TODO", "N/A", "-"):
        item["x-ticket"] = clean(value).strip("* ")


def action_from_text(text: str, year: int | None) -> dict[str, Any] | None:
    """An action item from one list line: checkbox state, ``(owner: …, due …)`` details, URL."""
    item: dict[str, Any] = {}
    text = text.strip()
    box = CHECKBOX.match(text)
    if box:
        item["status"] = "open" if box.group(1) == " " else "done"
        text = text[box.end() :]
    link = re.search(r"\[([^\[\]]*)\]\((https?://[^)\s\[]+)\)", text)
    if link:
        item["ticket"] = link.group(2)
    text = clean(text)
    if _LESSON.match(text):
        return None

    def parenthesis(match: re.Match[str]) -> str:
        parts = re.split(r"(?<!\s)\s*[,;]\s*", match.group(1))
        applied = [_apply_meta(item, part, year) for part in parts]
        return "" if all(applied) else match.group(0)

    text = re.sub(r"[(\[]([^()\[\]]*)[)\]]", parenthesis, text)
    tail = re.split(r"(?<!\s)\s+(?:—|–|--|\|)\s+|(?<!\s)\s+-\s+(?=(?:owner|due|@|P[0-4]))", text)
    if len(tail) > 1 and all(
        _apply_meta(item, part, year)
        for part in tail[1:]
        for part in re.split(r"(?<!\s)\s*[,;]\s*", part)
    ):
        text = tail[0]
    if "owner" not in item:
        mention = re.search(r"(?<![\w.])@([A-Za-z][\w.-]*)", text)
        if mention:
            item["owner"] = mention.group(1)
    if "ticket" not in item:
        url = _URL.search(text)
        if url:
            item["ticket"] = url.group(0)
            text = text.replace(url.group(0), "")
    title = re.sub(r"\s+", " ", text).strip(" -–—:;,.") or ""
    if not title:
        return None
    return {"title": shorten(title, 300), "status": item.pop("status", "open"), **item}


def actions_from_table(table: Table, year: int | None) -> list[dict[str, Any]]:
    """Action items from a table with an action/item/task column and optional details."""
    title_column = table.column(
        "action", "item", "task", "title", "description", "what", "remediation"
    )
    if title_column is None:
        title_column = 0
    columns = {
        "owner": table.column("owner", "assignee", "who", "responsible"),
        "due": table.column("due", "deadline", "date", "target"),
        "status": table.column("status", "state", "done"),
        "priority": table.column("priority", "prio"),
        "type": table.column("type", "kind", "category"),
        "ticket": table.column("bug", "ticket", "issue", "link", "jira", "tracking"),
    }
    items: list[dict[str, Any]] = []
    for cells in table.rows:
        item = action_from_text(cells[title_column], year)
        if not item:
            continue
        row = list(cells)
        for place, cell in enumerate(row):
            marked = _MARKED_STATUS.search(cell) if place != title_column else None
            if marked and _status(marked.group(1)) and columns["status"] is None:
                item["status"] = _status(marked.group(1))
                row[place] = cell[: marked.start()]
        for field, index in columns.items():
            if index is None or index == title_column or not row[index].strip():
                continue
            value = clean(row[index])
            if field == "owner" and value.strip("*- ").upper() not in ("", "TBD", "TODO", "N/A"):
                item["owner"] = value.lstrip("@")
            elif field == "due" and parse_date(value, year):
                item["due"] = parse_date(value, year)
            elif field == "due" and value.strip("*- ").upper() not in ("", "TBD", "TODO", "N/A"):
                item["due"] = Todo("due", f"{_unplaced(value)} is no date the importer can place")
            elif field == "status" and _status(value):
                item["status"] = _status(value)
            elif field == "priority" and _priority(value):
                item["priority"] = _priority(value)
            elif field == "type" and _type(value):
                item["type"] = _type(value)
            elif field == "ticket":
                _ticket(item, row[index])
        items.append(item)
    return items


def _section_actions(section: Section, year: int | None) -> list[dict[str, Any]]:
    tables = find_tables(section.lines)
    items: list[dict[str, Any]] = []
    for _start, _end, table in tables:
        items += actions_from_table(table, year)
    bulleted = any(is_bullet(line) for line in section.lines)
    texts = list_items(section.lines)
    if not bulleted:
        texts = [part for text in texts for part in re.split(r";\s+", text)]
    for text in texts:
        item = action_from_text(text, year)
        if item:
            items.append(item)
    return items


def action_items(document: Document, year: int | None) -> list[dict[str, Any]]:
    """All action items; without an action section, "we will …" sentences of the text."""
    sections = document.of_kind("actions")
    if sections:
        return [item for section in sections for item in _section_actions(section, year)]
    found: list[dict[str, Any]] = []
    blocks = [document.preamble] + [section.lines for section in document.sections]
    for block in blocks:
        for paragraph in paragraphs(block):
            for sentence in sentences(paragraph):
                if not _WILL.match(sentence):
                    continue
                rest = _WILL.sub("", sentence)
                for clause in re.split(r"[,;]\s+(?:and\s+)?(?=we(?: will|'ll)\b)", rest):
                    item = action_from_text(_WILL.sub("", clause).rstrip("."), year)
                    if item:
                        item["title"] = item["title"][0].upper() + item["title"][1:]
                        found.append(item)
    return found


def lessons(document: Document) -> tuple[dict[str, list[str]], bool]:
    """``{went_well, went_wrong, got_lucky}``; the flag says plain "lessons" were sorted by guess.

    Plain "lessons learned" items are things to improve, so they go to ``went_wrong`` unless
    they clearly say something went well.
    """
    result: dict[str, list[str]] = {"went_well": [], "went_wrong": [], "got_lucky": []}
    sorted_by_guess = False
    for section in document.sections:
        if section.kind in result:
            result[section.kind] += list_items(section.lines)
        elif section.kind == "lessons":
            for item in list_items(section.lines):
                sorted_by_guess = True
                result["went_well" if _POSITIVE.search(item) else "went_wrong"].append(item)
    return {key: value for key, value in result.items() if value}, sorted_by_guess
