"""Assemble a draft incident from a split document: every field in contract order, a ``Todo``
for each required field that was not found, a comment on each guessed value."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ...core.timestamps import build_date
from ...similarity.mechanisms import suggest
from ..scaffold import slugify
from . import facts
from .actions import action_items, lessons
from .category import guess_category
from .emit import Commented, Todo
from .sections import Document, Section
from .text import clean, list_items, paragraphs, sentences, shorten
from .timeline import MAX_ENTRIES, Times, extract_times
from .times import scan

_DETECTION_METHODS = (
    ("customer-report", r"customer|user reports?|users? reported|support (?:ticket|team)|complain"),
    ("automated-test", r"synthetic|probe|canary|smoke test|automated test|health ?check"),
    ("monitoring", r"alert|monitor|pager|paged|dashboard|metric|on-call"),
    ("employee-report", r"employee|engineer noticed|staff|internal report|colleague|noticed"),
)
_ROOT_CAUSE_SENTENCE = re.compile(r"root cause|caused by|\bbecause\b|\bdue to\b|triggered by", re.I)
_CAUSE_WORDS = re.compile(
    r"root cause|caused by|\bbecause\b|\bdue to\b|triggered by|\bled to\b|\bexhaust\w*|"
    r"\bexpir\w*|ran out|run out|\bleak\w*|\boverload\w*|deadlock\w*|misconfigur\w*|"
    r"race condition|saturat\w*|\bfilled up\b|\bbug\b|\bfailed to\b",
    re.IGNORECASE,
)
"""Words that say what made it happen: the root-cause summary is a sentence holding one."""
_ANY_STATEMENT = re.compile(
    r"^(?!(?:\w+,?\s+)?we(?: will|'ll| are going to| plan to)\b)", re.IGNORECASE
)
_RESOLUTION_SENTENCE = re.compile(
    r"rolled back|roll(?:ed)? back|reverted|fixed|restored|resolved by|mitigated by|restart\w*|"
    r"fail(?:ed)? over|scaled",
    re.IGNORECASE,
)


@dataclass
class Draft:
    """The draft mapping (with ``Commented``/``Todo`` wrappers), its id, year and warnings."""

    data: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    id: str = ""
    year: int = 0

    def todo(self, name: str) -> Todo:
        self.warnings.append(f"{name}: not found in the source")
        return Todo(name)


def _markdown(sections: Sequence[Section], fact_lines: Collection[str] = ()) -> str:
    """The sections' bodies as Markdown, fact lines and tables left out."""
    blocks: list[str] = []
    for section in sections:
        lines = [
            line.rstrip()
            for line in section.lines
            if line.strip() not in fact_lines
            and not line.strip().startswith("|")
            and not re.fullmatch(r"\s*[-=*_]{3,}\s*", line)
        ]
        text = re.sub(r"\n{3,}", "\n\n", textwrap.dedent("\n".join(lines))).strip()
        text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
        if text:
            blocks.append(text)
    return "\n\n".join(blocks)


def _sentences_matching(document: Document, pattern: re.Pattern[str]) -> list[str]:
    blocks = [document.preamble] + [
        s.lines for s in document.sections if s.kind not in ("actions", "lessons", "timeline")
    ]
    return [
        s for block in blocks for p in paragraphs(block) for s in sentences(p) if pattern.search(s)
    ]


def _timeline_sentences(document: Document, pattern: re.Pattern[str]) -> list[str]:
    """Sentences of timeline entries matching ``pattern``, without their leading clock time
    (an incident-channel log states its cause only there)."""
    return [
        _CLOCK_LEAD.sub("", sentence)
        for section in document.of_kind("timeline")
        for item in list_items(section.lines)
        for sentence in sentences(item)
        if pattern.search(sentence)
    ]


_CLOCK_LEAD = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp]\.?[Mm]\.?)?[\s:—–-]*")


def _opening_paragraph(document: Document) -> str:
    for paragraph in paragraphs(document.preamble):
        if len(paragraph) > 80 and not re.match(r"[A-Za-z][\w ()/-]{0,30}:\s", paragraph):
            return paragraph
    return ""


def _detection(document: Document) -> dict[str, Any] | None:
    text = _markdown(document.of_kind("detection"))
    if not text:
        return None
    method = next(
        (
            (name, re.search(p, text, re.I))
            for name, p in _DETECTION_METHODS
            if re.search(p, text, re.I)
        ),
        None,
    )
    if method and method[1]:
        return {
            "method": Commented(method[0], f'guessed from "{method[1].group(0)}"'),
            "description": text,
        }
    return {"method": Commented("other", "no detection method named"), "description": text}


def _impact(document: Document, summary: str, fact_lines: Collection[str], draft: Draft) -> Any:
    text = _markdown(document.of_kind("impact"), fact_lines)
    numbers_text = " ".join([text, summary, _markdown(document.of_kind("business"))])
    impact: dict[str, Any] = (
        {"summary": text} if text else {"summary": draft.todo("impact.summary")}
    )
    count = facts.users_affected(numbers_text)
    if count:
        impact["users_affected"] = count.value
    percent = facts.users_affected_percent(numbers_text)
    if percent:
        impact["users_affected_percent"] = (
            Commented(percent.value, percent.why) if percent.why else percent.value
        )
    for kind in ("business", "reputation"):
        value = _markdown(document.of_kind(kind))
        if value:
            impact[kind] = value
    if not text and len(impact) == 1:
        return draft.todo("impact")
    return impact


def _root_cause(
    document: Document,
    summary: str,
    categories: Sequence[str],
    fact_lines: Collection[str],
    draft: Draft,
) -> dict[str, Any]:
    text = _markdown(document.of_kind("root_cause"), fact_lines)
    guessed_summary = False
    kinds = ["trigger", "resolution", "contributing"]
    if not text:
        found = _sentences_matching(document, _ROOT_CAUSE_SENTENCE)
        if not found:  # an incident-channel log: the cause and its context are in the timeline
            found, kinds = _timeline_sentences(document, _ROOT_CAUSE_SENTENCE), [*kinds, "timeline"]
        found.sort(key=lambda sentence: not re.search(r"root cause", sentence, re.IGNORECASE))
        text, guessed_summary = (found[0], True) if found else ("", False)
    context = " ".join([summary] + [_markdown(document.of_kind(k)) for k in kinds])
    if not text:  # prose without a stated cause: every sentence but the plans weighs in
        context = " ".join(_sentences_matching(document, _ANY_STATEMENT))
    category, words = guess_category(text, context, categories)
    why = (
        "guessed from " + ", ".join(f'"{word}"' for word in words)
        if words
        else "no root-cause keyword matched: choose a category"
    )
    result: dict[str, Any] = {"category": Commented(category, why)}
    summary = _cause_sentence(text)
    if summary:
        result["summary"] = (
            Commented(summary, "taken from the text") if guessed_summary else summary
        )
        if clean(text) != summary:
            result["description"] = text
    else:
        result["summary"] = draft.todo("root_cause.summary")
    whys = [item for section in document.of_kind("five_whys") for item in list_items(section.lines)]
    if whys:
        result["five_whys"] = whys
    return result


def _cause_sentence(text: str) -> str:
    """The sentence of ``text`` that states the mechanism (else the first), shortened."""
    found = [
        sentence for paragraph in paragraphs(text.split("\n")) for sentence in sentences(paragraph)
    ]
    stating = (sentence for sentence in found if _CAUSE_WORDS.search(sentence))
    return shorten(next(stating, found[0] if found else ""), 200)


def _contributing(document: Document) -> list[dict[str, str]]:
    factors: list[dict[str, str]] = []
    for section in document.of_kind("contributing"):
        for item in list_items(section.lines):
            head, _, rest = item.partition(": ")
            if rest and len(head) <= 80:
                factors.append({"title": head, "description": rest})
            else:
                factors.append({"title": item})
    return factors


def _timeline(times: Times, draft: Draft) -> list[dict[str, Any]]:
    if len(times.timeline) > MAX_ENTRIES:
        draft.warnings.append(f"timeline: more than {MAX_ENTRIES} entries, only the first kept")
    entries: list[dict[str, Any]] = []
    for entry in times.timeline[:MAX_ENTRIES]:
        item: dict[str, Any] = {}
        if entry.at:
            item["at"] = entry.at
        item["event"] = entry.event
        item["kind"] = entry.kind
        entries.append(item)
    return entries


def _timestamps(times: Times, draft: Draft) -> None:
    for name in ("started_at", "detected_at", "mitigated_at", "resolved_at"):
        value = getattr(times, name)
        if value is None:
            if name == "started_at":
                draft.data[name] = draft.todo(name)
            continue
        why = times.notes.get(name, "")
        if not times.zone_stated:
            why = "; ".join(filter(None, [why, "no time zone stated: UTC assumed"]))
        draft.data[name] = Commented(value, why) if why else value


def _identity(draft: Draft, title: str | None, times: Times, written: date | None) -> None:
    day = times.started_at.date() if times.started_at else times.incident_date or written
    if day is None:
        day = build_date()
        draft.warnings.append("no incident date found: the id uses today's date")
    slug = slugify(_without_dates(title or "")) or "incident"
    draft.id = f"{day.isoformat()}-{slug}"
    draft.year = day.year


def _without_dates(title: str) -> str:
    """``title`` without the dates it names: the id starts with the date already."""
    for moment in reversed([moment for moment in scan(title) if moment.has_date]):
        title = title[: moment.start] + " " + title[moment.end :]
    return title


def build(
    document: Document,
    source_name: str,
    categories: Sequence[str],
    severities: Sequence[str],
    failure_modes: Sequence[str] | None = None,
    catalog: Mapping[str, str] | None = None,
) -> Draft:
    """The draft incident for ``document``; ``catalog`` maps service slugs to names.

    Fields are filled in the order the contract lists them, which is the order of the YAML.
    """
    draft = Draft()
    fact_lines = {document.lines[f.line].strip() for f in document.facts if f.line >= 0}
    title = facts.title(document)
    times = extract_times(document)
    year = times.started_at.year if times.started_at else (times.incident_date or build_date()).year
    written = facts.written_on(document, year)
    _identity(draft, title, times, written)
    if not times.zone_stated:
        draft.warnings.append("no time zone stated: times read as UTC")
    summary = _headline(draft, document, title, severities, fact_lines)
    _story(draft, document, title, summary, times, categories, failure_modes, catalog, fact_lines)
    _follow_up(draft, document, times, year)
    if written:
        draft.data["written_on"] = written
    draft.data["x-imported-from"] = source_name
    return draft


def _headline(
    draft: Draft,
    document: Document,
    title: str | None,
    severities: Sequence[str],
    fact_lines: Collection[str],
) -> str:
    """Fill in id, title, status, severity and summary; returns the summary ("" when none)."""
    data = draft.data
    data["id"] = draft.id
    data["title"] = title if title else draft.todo("title")
    data["status"] = "draft"
    severity = facts.severity(document, severities)
    data["severity"] = draft.todo("severity") if severity is None else _guessed(severity)
    summary = (
        _markdown(document.of_kind("summary"), fact_lines)
        or _markdown(document.of_kind("conclusion"), fact_lines)
        or _opening_paragraph(document)
    )
    data["summary"] = summary if summary else draft.todo("summary")
    return summary


def _story(
    draft: Draft,
    document: Document,
    title: str | None,
    summary: str,
    times: Times,
    categories: Sequence[str],
    failure_modes: Sequence[str] | None,
    catalog: Mapping[str, str] | None,
    fact_lines: Collection[str],
) -> None:
    """Fill in what happened: services, times, impact, detection, cause and resolution."""
    data = draft.data
    services = facts.services(document, title, summary, catalog)
    data["services"] = draft.todo("services") if services is None else _guessed(services)
    _timestamps(times, draft)
    data["impact"] = _impact(document, summary, fact_lines, draft)
    _set_if_found(data, "detection", _detection(document))
    _set_if_found(data, "trigger", _markdown(document.of_kind("trigger"), fact_lines))
    data["root_cause"] = _root_cause(document, summary, categories, fact_lines, draft)
    _set_if_found(data, "contributing_factors", _contributing(document))
    modes = suggest("\n".join(document.lines), failure_modes)
    if modes:
        data["failure_modes"] = Commented(modes, "suggested from the text: keep those that fit")
    data["resolution"] = _resolution(document, fact_lines, draft)


def _follow_up(draft: Draft, document: Document, times: Times, year: int) -> None:
    """Fill in the timeline, action items, lessons, authors and reviewers."""
    data = draft.data
    _set_if_found(data, "timeline", _timeline(times, draft))
    _set_if_found(data, "action_items", action_items(document, year))
    found_lessons, sorted_by_guess = lessons(document)
    if found_lessons:
        note = '"lessons learned" items filed under went_wrong unless clearly positive'
        data["lessons"] = Commented(found_lessons, note) if sorted_by_guess else found_lessons
    for key, keys in (("authors", facts.AUTHOR_KEYS), ("reviewers", facts.REVIEWER_KEYS)):
        _set_if_found(data, key, facts.people(document, keys))


def _resolution(document: Document, fact_lines: Collection[str], draft: Draft) -> Any:
    """The resolution section, else sentences about the fix, else a TODO."""
    resolution = _markdown(document.of_kind("resolution"), fact_lines) or _markdown(
        document.of_kind("response"), fact_lines
    )
    if resolution:
        return resolution
    found = _sentences_matching(document, _RESOLUTION_SENTENCE) or _timeline_sentences(
        document, _RESOLUTION_SENTENCE
    )
    if found:
        return Commented(" ".join(found[:3]), "sentences about the fix, taken from the text")
    return draft.todo("resolution")


def _guessed(found: facts.Guess) -> Any:
    """A value read from the document, with the reason for it when it was a guess."""
    return Commented(found.value, found.why) if found.why else found.value


def _set_if_found(data: dict[str, Any], key: str, value: Any) -> None:
    if value:
        data[key] = value
