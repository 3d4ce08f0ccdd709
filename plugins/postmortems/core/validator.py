"""Check one incident document against the JSON Schema and the contract's per-file rules.

JSON Schema errors are all reported (not just the first) and reworded for people:
``severity: 'SEV9' is not one of SEV1, SEV2, SEV3, SEV4``. Rules the schema cannot express
(time order, timeline order, id = file stem, unfilled ``TODO`` placeholders) follow.
Rules across files live in :mod:`postmortems.core.crosscheck`.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import jsonschema
import jsonschema_rs

from .limits import MarkdownLimits, heading_count, line_count, markdown_values, nesting_depth
from .loader import Position, child_path
from .model import TIMESTAMP_FIELDS
from .problems import Problem, kind_of
from .suggest import closest

Locate = Callable[[str, bool], Position]
"""Where a field is written: ``locate(field_path, key)``; ``key=True`` for the key's position."""

_MAX_SUGGESTIONS = 100
"""Unknown keys in one object that get a "did you mean"; the rest are reported without one."""

PLACEHOLDER = re.compile(r"^\s*TODO(:|\s*$)")
"""A value ``postmortems new`` leaves for the author to fill in: ``TODO`` or ``TODO: ...``."""


def parse_timestamp(text: str) -> datetime:
    """An RFC 3339 timestamp (already matched by the schema's pattern) as an aware datetime."""
    return datetime.fromisoformat(text.replace("z", "Z"))


# ECMA-262 white space and line terminators: what ``\s`` means in a JSON Schema pattern.
_SPACE = [(0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A)]
_SPACE += [(0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000)]
_SPACE += [(0xFEFF, 0xFEFF)]


def _class_body(ranges: list[tuple[int, int]]) -> str:
    return "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges)


def _complement(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    bounds = [-1] + [edge for low, high in ranges for edge in (low, high)] + [0x110000]
    pairs = zip(bounds[::2], bounds[1::2], strict=True)
    return [(end + 1, start - 1) for end, start in pairs if start - end > 1]


_ECMA_ESCAPES = {"\\s": _class_body(_SPACE), "\\S": _class_body(_complement(_SPACE))}


@functools.lru_cache(maxsize=64)
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` with ECMA-262 meaning, as JSON Schema (and the compiled validator) reads it.

    Python's ``$`` also matches before a final newline and its ``\\s``, ``\\d``, ``\\w`` differ
    from ECMA-262's; left as they are, ``tags: ["db\\n"]`` would pass the reference validator.
    """
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escape = pattern[index : index + 2]
            body = _ECMA_ESCAPES.get(escape)
            out.append(escape if body is None else body if in_class else f"[{body}]")
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            char = "\\Z"
        out.append(char)
        index += 1
    return re.compile("".join(out), re.ASCII)


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


_ReferenceValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"pattern": _ecma_pattern}
)


class DocumentValidator:
    """Validates incident documents against one schema, fast when they are valid."""

    def __init__(self, schema: dict[str, Any]) -> None:
        jsonschema.Draft202012Validator.check_schema(schema)
        self.schema = schema
        self._reference = _ReferenceValidator(schema)
        self._fast = jsonschema_rs.Draft202012Validator(schema, validate_formats=False)
        definitions = schema.get("$defs", {})
        self._timestamp_pattern = definitions.get("timestamp", {}).get("pattern")
        self._date_pattern = definitions.get("date", {}).get("pattern")
        self._text_patterns = {
            definitions.get(name, {}).get("pattern") for name in ("line", "markdown")
        } - {None}
        self._markdown = MarkdownLimits.from_schema(schema)
        self._reaches_markdown: dict[int, bool] = {}

    def is_valid(self, document: Any) -> bool:
        """Fast yes/no on a JSON document (the compiled validator)."""
        return self._fast.is_valid(document)

    def problems(
        self, document: Any, path: str, stem: str, locate: Locate, *, incident: bool = True
    ) -> list[Problem]:
        """Every problem in a JSON document: schema errors, then (for incidents) cross-checks."""
        found = [
            problem
            for error in self._reference.iter_errors(document)
            for problem in self._describe(error, path, locate)
        ]
        if incident and isinstance(document, dict):
            flagged = {problem.field for problem in found}
            found += _cross_checks(document, path, stem, locate, flagged=flagged)
        found += [
            Problem(path, *locate(field_path, False), field_path, message, hint)
            for field_path, message, hint in self._markdown_problems(document)
        ]
        return sorted(set(found))

    def _markdown_problems(self, document: Any) -> Iterator[tuple[str, str, str | None]]:
        """Markdown values with too many lines, too deep a nesting or too many headings."""
        most_lines, deepest = self._markdown.lines, self._markdown.nesting
        most_headings, headings = self._markdown.headings, 0
        longest, length = self._markdown.total_length, 0
        for field_path, text in markdown_values(self.schema, document, self._reaches_markdown):
            if longest is not None and length <= longest:
                length += len(text)
                if length > longest:
                    yield (
                        field_path,
                        f"brings the Markdown text of this file past {longest:,} characters",
                        "shorten the longest fields, or link to the full document",
                    )
            if most_headings is not None and headings <= most_headings:
                headings += heading_count(text)
                if headings > most_headings:
                    yield (
                        field_path,
                        f"brings the headings of this file past {most_headings:,}",
                        "use fewer headings: lists or bold text also structure a long text",
                    )
            lines = line_count(text) if most_lines is not None else 0
            if most_lines is not None and lines > most_lines:
                yield (
                    field_path,
                    f"has {lines:,} lines; at most {most_lines:,} allowed",
                    "shorten it, or link to the full document",
                )
            if deepest is not None and nesting_depth(text, deepest) > deepest:
                yield (
                    field_path,
                    f"nests lists or block quotes more than {deepest} levels deep",
                    "flatten the nested lists or quotes",
                )

    def cross_check_problems(
        self, document: dict[str, Any], stem: str, *, placeholders: bool = True
    ) -> bool:
        """Whether a schema-valid incident breaks a per-file rule (positions not needed).

        ``placeholders=False`` skips the scan for ``TODO`` values, for text known to hold none.
        """
        if any(True for _ in self._markdown_problems(document)):
            return True
        return bool(
            _cross_checks(
                document,
                "",
                stem,
                lambda f, k: (0, 0),
                flagged=set(),
                placeholders=placeholders,
            )
        )

    def _describe(
        self, error: jsonschema.ValidationError, path: str, locate: Locate
    ) -> Iterator[Problem]:
        field_path = _field_path(error.absolute_path)
        line, column = locate(field_path, False)
        kind, value = error.validator, error.validator_value
        instance = error.instance

        def problem(message: str, hint: str | None = None, where: str = field_path) -> Problem:
            at_line, at_column = (line, column) if where == field_path else locate(where, True)
            return Problem(path, at_line, at_column, where, message, hint)

        if kind == "required":
            missing = [name for name in value if name not in instance]
            for name in missing:
                yield problem(
                    f"required field '{name}' is missing", where=child_path(field_path, name)
                )
        elif kind == "additionalProperties":
            for name, hint in _unknown_fields(error.schema, instance):
                yield problem(f"unknown field '{name}'", hint, where=child_path(field_path, name))
        elif kind == "oneOf" and _is_vocabulary(value):
            allowed = [str(option["const"]) for option in value]
            nearest = closest(str(instance), allowed)
            yield problem(
                f"{_show(instance)} is not one of {', '.join(allowed)}",
                f"did you mean '{nearest}'?" if nearest else None,
            )
        elif kind == "pattern":
            yield problem(*self._pattern_message(instance, value, field_path))
        else:
            yield problem(_bound_message(kind, value, instance) or _shorten(error.message))

    def _pattern_message(
        self, instance: str, pattern: str, field_path: str
    ) -> tuple[str, str | None]:
        shown = _show(instance)
        if pattern in self._text_patterns:
            return _forbidden_character(instance, pattern)
        if pattern == self._timestamp_pattern:
            if _looks_like_date(instance):
                return (
                    f"{shown} is a date; a timestamp with a time and UTC offset is needed",
                    f"e.g. {instance}T00:00:00Z",
                )
            if _NO_OFFSET.match(instance):
                return (
                    f"{shown} has no UTC offset",
                    "add Z (UTC) or the offset it was written in, e.g. 2024-07-30T00:50:00-05:00",
                )
            example = _example_timestamp(instance)
            return (
                f"{shown} is not an RFC 3339 timestamp",
                f"write YYYY-MM-DDTHH:MM:SS and Z or the offset, e.g. {example}Z "
                f"or {example}+01:00",
            )
        if pattern == self._date_pattern:
            return f"{shown} is not a date", "write it as YYYY-MM-DD, e.g. 2024-07-31"
        if "https?" in pattern:
            return f"{shown} is not an http(s) URL", "links must start with http:// or https://"
        if pattern.startswith("^[a-z0-9]"):
            leaf = field_path.rsplit(".", 1)[-1]
            what = "an id" if leaf in ("id", "related") or leaf.startswith("related[") else "a slug"
            bounds = re.search(r"\{(\d+),(\d+)\}\$$", pattern)
            hint = "use lowercase letters, digits and hyphens, starting with a letter or digit"
            if bounds:
                hint += f", {int(bounds[1]) + 1} to {int(bounds[2]) + 1} characters in all"
            return f"{shown} is not {what}", hint
        return f"{shown} does not match the expected form {pattern}", None


_REPEATS_SHOWN = 10


def _repeated(items: list[Any]) -> str:
    """The items listed more than once, counted in one pass (a list may hold 80 000 tags)."""
    seen: dict[str, int] = {}
    for item in items:
        key = _show(item) if isinstance(item, str) else json.dumps(item, sort_keys=True)
        seen[key] = seen.get(key, 0) + 1
    repeated = sorted(
        key if key.startswith("'") else _show(json.loads(key))
        for key, count in seen.items()
        if count > 1
    )
    shown = ", ".join(repeated[:_REPEATS_SHOWN])
    more = len(repeated) - _REPEATS_SHOWN
    return f"{shown} and {more:,} more" if more > 0 else shown


_END_OF_TEXT = "(?![\\s\\S])"
"""How the one-line pattern ends: unlike ``$``, never before a final newline, in any dialect.
(The Markdown pattern allows newlines, so it ends with ``$``, which keeps regexes fast.)"""
_BIDI_OVERRIDES = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))


def _forbidden_character(text: str, pattern: str) -> tuple[str, str | None]:
    """What a text pattern (one line, Markdown) refuses in ``text``: its first bad character."""
    allowed = ecma_regex(pattern.removeprefix("^").removesuffix(_END_OF_TEXT).removesuffix("$"))
    match = allowed.match(text)
    index = match.end() if match else 0
    if index >= len(text):
        return f"{_show(text)} does not match the expected form {pattern}", None
    code = ord(text[index])
    if text[index] in "\r\n":
        return "must be a single line", None
    if code in _BIDI_OVERRIDES:
        return f"contains a bidirectional override (U+{code:04X}); remove it", None
    return f"contains a control character (U+{code:04X}); remove it", None


_Finding = tuple[str, str, str | None]
"""A broken rule before it is located: the field path, the message and a hint (or ``None``)."""


def _cross_checks(
    document: dict[str, Any],
    path: str,
    stem: str,
    locate: Locate,
    *,
    flagged: set[str],
    placeholders: bool = True,
) -> list[Problem]:
    """The per-file rules JSON Schema cannot express, each broken one located in the file;
    ``flagged``: the fields the schema found wrong (not reported twice)."""
    findings: list[_Finding] = [
        *(_placeholders(document) if placeholders else ()),
        *_id_names_the_file(document, stem),
        *_real_timestamps(document, flagged),
        *_times_in_order(document),
        *_timeline_in_order(document),
        *_real_dates(document),
    ]
    problems = []
    for field_path, message, hint in findings:
        line, column = locate(field_path, False)
        problems.append(Problem(path, line, column, field_path, message, hint))
    return problems


def _placeholders(document: dict[str, Any]) -> Iterator[_Finding]:
    for field_path, text in _strings(document, ""):
        if PLACEHOLDER.match(text):
            yield field_path, f"placeholder {_show(text)} not filled in", None


def _id_names_the_file(document: dict[str, Any], stem: str) -> Iterator[_Finding]:
    incident_id = document.get("id")
    if isinstance(incident_id, str) and incident_id != stem:
        yield (
            "id",
            f"id '{incident_id}' differs from the file name '{stem}'",
            f"rename the file to {incident_id}.yaml or change the id",
        )


def _real_timestamps(document: dict[str, Any], flagged: set[str]) -> Iterator[_Finding]:
    """Every timestamp written (the incident's and the timeline's) is a real date and time with
    an offset: the schema checks only its shape (``2024-02-30T25:00:00Z`` has the shape)."""
    written = [(name, document.get(name)) for name in TIMESTAMP_FIELDS]
    timeline = document.get("timeline")
    if isinstance(timeline, list):
        written += [
            (f"timeline[{index}].at", entry.get("at"))
            for index, entry in enumerate(timeline)
            if isinstance(entry, dict)
        ]
    for field_path, text in written:
        if isinstance(text, str) and field_path not in flagged and aware_timestamp(text) is None:
            yield field_path, f"{_show(text)} is not a real date and time", None


def _times_in_order(document: dict[str, Any]) -> Iterator[_Finding]:
    """Detection, mitigation and resolution not before the start, resolution not before
    mitigation."""
    times = {name: aware_timestamp(document.get(name)) for name in TIMESTAMP_FIELDS}
    started = times["started_at"]
    for name in ("detected_at", "mitigated_at", "resolved_at"):
        if started and (moment := times[name]) and moment < started:
            yield name, f"is before started_at ({document['started_at']})", None
    mitigated, resolved = times["mitigated_at"], times["resolved_at"]
    if mitigated and resolved and resolved < mitigated:
        yield "resolved_at", f"is before mitigated_at ({document['mitigated_at']})", None


def _timeline_in_order(document: dict[str, Any]) -> Iterator[_Finding]:
    timeline = document.get("timeline")
    if not isinstance(timeline, list):
        return
    previous: tuple[datetime, int] | None = None
    for index, entry in enumerate(timeline):
        at = aware_timestamp(entry.get("at")) if isinstance(entry, dict) else None
        if at is None:
            continue
        if previous and at < previous[0]:
            message = f"is earlier than timeline[{previous[1]}].at; keep the timeline in time order"
            yield f"timeline[{index}].at", message, None
        previous = (at, index)


def _real_dates(document: dict[str, Any]) -> Iterator[_Finding]:
    for field_path, text in _dates(document):
        if not _DATE_SHAPE.match(text):
            continue  # the schema's pattern reports it
        try:
            date.fromisoformat(text)
        except ValueError:
            yield field_path, f"{_show(text)} is not a real date", None


def _dates(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if isinstance(document.get("written_on"), str):
        yield "written_on", document["written_on"]
    actions = document.get("action_items")
    if isinstance(actions, list):
        for index, action in enumerate(actions):
            if isinstance(action, dict) and isinstance(action.get("due"), str):
                yield f"action_items[{index}].due", action["due"]


def _strings(value: Any, field_path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield field_path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if not str(key).startswith("x-"):
                yield from _strings(item, child_path(field_path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, child_path(field_path, index))


def aware_timestamp(value: Any) -> datetime | None:
    """An aware timestamp from a document's text, or ``None`` (the schema reports bad ones)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_timestamp(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _field_path(parts: Any) -> str:
    field_path = ""
    for part in parts:
        field_path = child_path(field_path, part)
    return field_path


def _unknown_fields(schema: dict[str, Any], instance: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Each key of ``instance`` that ``schema`` neither names nor matches by a pattern, with its
    hint: the known name it is close to, and that extension keys start with ``x-``."""
    known = list(schema.get("properties", {}))
    patterns = schema.get("patternProperties", {})
    unknown = [
        name
        for name in instance
        if name not in known and not any(re.search(p, name) for p in patterns)
    ]
    extension = "extension keys must start with 'x-'"
    for index, name in enumerate(unknown):
        # Suggestions cost time: a file of 100 000 junk keys must not take minutes.
        suggest = index < _MAX_SUGGESTIONS
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6) if suggest else []
        hint = f"did you mean '{close[0]}'?" if close else None
        yield name, f"{hint} {extension[0].upper()}{extension[1:]}." if hint else extension


def _bound_message(kind: str, value: Any, instance: Any) -> str | None:
    """What is wrong with a value a type, length, count, range or constant check refused;
    ``None`` for another check."""
    if kind == "type":
        if instance is None:
            return f"is empty; expected {_type_name(value)}"
        scalar = "" if isinstance(instance, dict | list) else f" {_show(instance)}"
        return f"expected {_type_name(value)}, found {kind_of(instance)}{scalar}"
    if kind == "minLength":
        return "must not be empty" if value == 1 else f"must be at least {value} characters"
    if kind == "maxLength":
        return f"is {len(instance):,} characters long; at most {value:,} allowed"
    if kind == "maxItems":
        return f"lists {len(instance):,} items; at most {value:,} allowed"
    if kind == "maxProperties":
        return f"has {len(instance):,} entries; at most {value:,} allowed"
    if kind == "minItems":
        return f"must list at least {value} item{'s' if value > 1 else ''}"
    if kind == "uniqueItems":
        return f"lists {_repeated(instance)} more than once"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = "at least" if "inimum" in kind else "at most"
        return f"{_show(instance)} is out of range: must be {bound} {value}"
    if kind == "const":
        return f"must be {_show(value)}, found {_show(instance)}"
    return None


def _is_vocabulary(options: Any) -> bool:
    return isinstance(options, list) and all(isinstance(o, dict) and "const" in o for o in options)


_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)

_NO_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\Z", re.ASCII)
"""An RFC 3339 timestamp but for its missing offset."""

_DAY_MONTH_YEAR = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\Z", re.ASCII
)


def _example_timestamp(text: str) -> str:
    """``text`` rewritten as an RFC 3339 timestamp without offset, when its date is unambiguous.

    ``18/11/2026 14:31`` → ``2026-11-18T14:31:00``; ``05/06/2026`` could be either month, so
    the example is a generic one.
    """
    found = _DAY_MONTH_YEAR.match(text.strip())
    if found:
        first, second, year = (int(part) for part in found.group(1, 2, 3))
        hour, minute, second_of_minute = (int(part or 0) for part in found.group(4, 5, 6))
        day, month = (first, second) if first > 12 else (second, first) if second > 12 else (0, 0)
        try:
            return datetime(year, month, day, hour, minute, second_of_minute).isoformat()
        except ValueError:
            pass
    return "2024-07-30T00:50:00"


def _looks_like_date(text: Any) -> bool:
    return isinstance(text, str) and len(text) == 10 and text[4:5] == "-" and text[7:8] == "-"


def _show(value: Any) -> str:
    return _shorten(repr(value) if isinstance(value, str) else _json_repr(value), 80)


def _json_repr(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _type_name(value: Any) -> str:
    names: dict[str, str] = {
        "string": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "array": "a list",
        "object": "a mapping of fields",
        "null": "null",
    }
    if isinstance(value, list):
        return " or ".join(names.get(str(v), str(v)) for v in value)
    return names.get(str(value), str(value))
