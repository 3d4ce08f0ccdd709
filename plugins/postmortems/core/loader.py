"""Read one incident YAML file safely, remembering where every field was written.

The file is parsed into YAML *events* (libyaml's C parser when available) and built by hand,
so anchors, aliases, explicit tags, extra documents and deep nesting are refused before any
value is constructed: alias bombs and ``!!python`` tags never get a chance to run. Every value
is located by its field path (``root_cause.category``, ``timeline[2].at``) at ``line:column``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from yaml import events
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.reader import ReaderError
from yaml.resolver import Resolver

from .problems import Problem, kind_of

try:
    from yaml import CSafeLoader as EventLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as EventLoader  # type: ignore[assignment]

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64

Position = tuple[int, int]


@dataclass
class LoadedFile:
    """What a file holds, where each field is, and what was wrong with it."""

    path: str
    data: dict[str, Any] | None = None
    value_positions: dict[str, Position] = field(default_factory=dict)
    key_positions: dict[str, Position] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def position(self, field_path: str, *, key: bool = False) -> Position:
        """Where ``field_path`` is written; falls back to its nearest written parent."""
        table = self.key_positions if key else self.value_positions
        candidate = field_path
        while candidate:
            if candidate in table:
                return table[candidate]
            if key and candidate in self.value_positions:
                return self.value_positions[candidate]
            candidate = parent_path(candidate)
        return (1, 1)

    def problem(
        self,
        field_path: str,
        message: str,
        *,
        hint: str | None = None,
        key: bool = False,
        level: str = "error",
    ) -> Problem:
        """A problem located at ``field_path`` in this file."""
        line, column = self.position(field_path, key=key)
        return Problem(self.path, line, column, field_path, message, hint, level)  # type: ignore[arg-type]


def parent_path(field_path: str) -> str:
    """``timeline[2].at`` → ``timeline[2]`` → ``timeline`` → ``""``."""
    cut = max(field_path.rfind("."), field_path.rfind("["))
    return field_path[:cut] if cut > 0 else ""


def child_path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def load_file(path: Path, display: str | None = None, what: str = "an incident file") -> LoadedFile:
    """Load ``path`` (``what`` it is, for messages); problems are collected, never raised."""
    shown = display or str(path)
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as error:
        return LoadedFile(
            shown, problems=[Problem(shown, 1, 1, "", f"cannot read file: {error.strerror}")]
        )
    return load_bytes(raw, shown, what)


def load_bytes(raw: bytes, display: str, what: str = "an incident file") -> LoadedFile:
    """Load a file's bytes (see :func:`load_file`)."""
    result = LoadedFile(display)
    if len(raw) > MAX_BYTES:
        result.problems.append(
            Problem(
                display,
                1,
                1,
                "",
                f"file is larger than {MAX_BYTES // 1024} KiB; refusing to parse it",
            )
        )
        return result
    text = _decode(raw, result)
    if text is None:
        return result
    _Builder(text, result, what).build()
    return result


# Text that could hold an anchor, alias, tag, merge key or directive, or a line opening many
# block collections at once: such files take the exact event-by-event path. So do files with
# many flow brackets. Together these keep the C composer's recursion far from its stack limit.
# Node properties can only start a node: at the start of a line (YAML also breaks lines at CR,
# NEL, LS and PS) or after an indicator, so ``R&D`` in prose stays on the fast path. Aliases
# need an anchor (else the C loader fails), so ``*`` (Markdown emphasis) is not looked for; an
# alias is refused by :class:`_PlainLoader` all the same.
_LINE_START = rb"(?:^|\r|\xc2\x85|\xe2\x80[\xa8\xa9])"
_NEEDS_EVENTS = re.compile(
    rb"(?:" + _LINE_START + rb"|[\[\]{},:?-])[ \t]*[&!]|<<|" + _LINE_START + rb"%", re.MULTILINE
)
_EVENT_MARKERS = (b"&", b"!", b"<<", b"%")
# A line opening many block collections at once; searched in ``b"\n" + raw`` (faster than ``^``).
_DEEP_LINE = re.compile(rb"[\n\r\x85\xa8\xa9][ \t]*(?:[-?:][ \t]+){16}")
_MAX_FAST_BRACKETS = 64


class _PlainLoader(EventLoader):
    """The C loader, refusing (by raising) what the event path would report as a problem."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value) or not all(type(key) is str for key in mapping):
            raise _NotPlain
        return mapping


class _AnchorAwareLoader(_PlainLoader):
    """For text holding ``&`` that is no anchor (``R&D``): refuses any alias all the same."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        if node in self.constructed_objects:  # an alias the text check did not see
            raise _NotPlain
        return super().construct_object(node, deep=deep)


class _NotPlain(Exception):
    """The file needs the exact path (duplicate or non-text keys, too deep, NaN...)."""


def fast_load(raw: bytes) -> dict[str, Any] | None:
    """The file as a JSON document, parsed in one C call; ``None`` when only the exact path may.

    ``None`` is no verdict: the caller then uses :func:`load_bytes`, which reports problems.
    A document is returned only when the exact path would build the same values without
    problems; timestamps and dates come as RFC 3339 / ISO strings, as :func:`to_json` gives.
    """
    brackets = raw.count(b"[") + raw.count(b"{")
    if (
        len(raw) > MAX_BYTES
        or brackets > _MAX_FAST_BRACKETS
        or (any(marker in raw for marker in _EVENT_MARKERS) and _NEEDS_EVENTS.search(raw))
        or _DEEP_LINE.search(b"\n" + raw)
    ):
        return None
    loader_class = _AnchorAwareLoader if b"&" in raw else _PlainLoader
    try:
        data = yaml.load(raw.decode("utf-8-sig"), Loader=loader_class)
        return _plain_json(data, 1) if isinstance(data, dict) else None
    except (_NotPlain, yaml.YAMLError, ValueError, OverflowError, RecursionError):
        return None


def to_json(value: Any) -> Any:
    """Values as JSON: timestamps and dates become RFC 3339 / ISO strings (offsets kept)."""
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_json(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _plain_json(value: Any, depth: int) -> Any:
    """:func:`to_json`, refusing what the exact path reports (too deep, NaN or infinity)."""
    if depth > MAX_DEPTH:
        raise _NotPlain
    if isinstance(value, dict):
        return {key: _plain_json(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_json(item, depth + 1) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        raise _NotPlain
    return value


def _decode(raw: bytes, result: LoadedFile) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = error.start
        line = raw.count(b"\n", 0, start) + 1
        column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
        result.problems.append(
            Problem(
                result.path,
                line,
                column,
                "",
                f"invalid UTF-8 (byte 0x{raw[start]:02x}); save the file as UTF-8",
            )
        )
        return None


_TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels is not allowed"


def _is_libyaml_depth_cap(error: yaml.MarkedYAMLError) -> bool:
    """libyaml's own nesting cap (PyYAML >= 6.0.2 bundles a libyaml that has one)."""
    return "maximum nesting depth" in (error.problem or "")


def _line_at(lines: list[str], mark: Any) -> str:
    """The line a libyaml mark points into (``""`` past the end, or for no mark)."""
    return lines[mark.line] if mark is not None and mark.line < len(lines) else ""


class _DepthExceeded(Exception):
    """Nesting went past :data:`MAX_DEPTH`; building stops at once."""


class _Spot(NamedTuple):
    """A place in the text, zero-based like a libyaml mark."""

    line: int
    column: int


class _Builder:
    """Builds plain Python values from a YAML event stream, refusing what the format forbids.

    A refused construct (alias, anchor, tag, duplicate or non-string key, NaN) is reported and
    building goes on, so one run lists every such problem; only excessive depth stops it.
    """

    def __init__(self, text: str, result: LoadedFile, what: str = "an incident file") -> None:
        self.text = text
        self.what = what
        self.result = result
        self.resolver = Resolver()
        self.constructor = SafeConstructor()
        self.open_flows: list[Any] = []  # start events of the ``[...]``/``{...}`` being read
        self.last_scalar: events.ScalarEvent | None = None

    def fail(self, mark: Any, field_path: str, message: str, hint: str | None = None) -> None:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        self.result.problems.append(
            Problem(self.result.path, line, column, field_path, message, hint)
        )

    def build(self) -> None:
        """The file's mapping into ``result.data``, or its problems into ``result.problems``."""
        data: Any = None
        documents = 0
        try:
            documents, data = self.documents()
        except _DepthExceeded:
            return
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            if _is_libyaml_depth_cap(error) and self.refuse_depth_before(mark):
                return
            mark, message, hint = self.syntax_problem(error, mark)
            self.fail(mark, "", f"YAML syntax error: {message}", hint)
        except ReaderError as error:
            before = self.text[: error.position]
            line, column = before.count("\n") + 1, error.position - before.rfind("\n")
            message = f"character U+{error.character:04X} is not allowed: {error.reason}"
            hint = "remove it, or write it as an escape in a double-quoted string"
            self.result.problems.append(Problem(self.result.path, line, column, "", message, hint))
        except yaml.YAMLError as error:
            self.fail(None, "", f"YAML error: {' '.join(str(error).split())}")
        if documents == 0 and not self.result.problems:
            self.result.problems.append(Problem(self.result.path, 1, 1, "", "file is empty"))
        if not self.result.problems and isinstance(data, dict):
            self.result.data = data

    def documents(self) -> tuple[int, Any]:
        """How many documents the file holds (reading stops at the second, a problem) and the
        value of the first; a value that is not a mapping is a problem too."""
        stream = yaml.parse(self.text, Loader=EventLoader)
        data: Any = None
        documents = 0
        for event in stream:
            if not isinstance(event, events.DocumentStartEvent):
                continue
            documents += 1
            if documents > 1:
                self.fail(
                    event.start_mark, "", "more than one YAML document; put one incident per file"
                )
                break
            root_event = next(stream)
            if isinstance(root_event, events.DocumentEndEvent):
                documents -= 1
                continue
            data = self.value(root_event, stream, "", 1)
            if not isinstance(data, dict):
                # The type only, never the text: the file may be anything (a linked secret).
                message = f"{self.what} must be a mapping of fields, not {kind_of(data)}"
                self.fail(root_event.start_mark, "", message)
        return documents, data

    def syntax_problem(self, error: yaml.MarkedYAMLError, mark: Any) -> tuple[Any, str, str | None]:
        """Where a person would look for a syntax error, libyaml's words said plainly for the
        errors everyone meets, and a hint when one is plausible.

        libyaml notices a construct left open (a quote, a ``[``, a key without ``:``) only lines
        later, often at the end of the file: such errors are placed where the construct starts.
        """
        lines = _LINE_BREAK.split(self.text) if mark is not None else []
        left_open = self.left_open(error, mark, lines)
        if left_open is not None:
            return left_open
        problem = error.problem or ""
        line = _line_at(lines, mark)
        column = mark.column if mark is not None else 0
        if "\t" in line[: column + 1] and not line[:column].strip(" \t-"):
            return mark, "a tab character; indent with spaces", None
        if problem.startswith("mapping values are not allowed"):
            deeper = self.indented_key(mark, lines)
            if deeper is not None:
                return deeper
            value = _UNQUOTED_VALUE.match(line)
            if value:
                quoted = value.group(3).strip().replace("\\", "\\\\").replace('"', '\\"')
                return (
                    mark,
                    "a value holding ': ' must be quoted",
                    f'write {value.group(2)}: "{_shorten(quoted)}"',
                )
            return mark, "a ': ' inside a value; quote the value", None
        block = error.context_mark
        if block is not None and problem.startswith(_MISALIGNED):
            items = "keys" if problem.startswith(_MISALIGNED[0]) else "'-' items"
            return (
                mark,
                f"this line, indented {column} spaces, lines up with no block above it (the "
                f"{items} around it start at column {block.column + 1}, line {block.line + 1})",
                "indent it like the lines it belongs with; if it is right, a line above it may "
                "be indented too far",
            )
        return mark, " ".join(part for part in (error.context, problem) if part), None

    def left_open(
        self, error: yaml.MarkedYAMLError, mark: Any, lines: list[str]
    ) -> tuple[Any, str, str | None] | None:
        """A quote, a ``[``/``{`` or a key left open before libyaml's ``mark``: the problem and
        where the construct starts, else ``None``."""
        context = error.context or ""
        opened: Any = error.context_mark
        later = mark is not None and opened is not None and mark.line > opened.line
        if later and context.startswith("while scanning a quoted scalar"):
            quote = _line_at(lines, opened)[opened.column : opened.column + 1] or '"'
            return (
                opened,
                "the quoted value that starts here is never closed",
                f"close it with {quote} where the value ends",
            )
        if later and context.startswith("while scanning a simple key"):
            return (
                opened,
                "a line with neither 'key: value' nor '- item'",
                "add ': ' after the field name, or indent the line under the value it continues",
            )
        swallowed: Any = self.last_scalar
        if (
            swallowed is not None
            and swallowed.style in ("'", '"')
            and mark is not None
            and swallowed.start_mark.line < swallowed.end_mark.line == mark.line
        ):
            # A quote left open runs on to the next quote, lines later, where text follows it.
            return (
                swallowed.start_mark,
                f"the quoted value that starts here runs on to line {mark.line + 1}",
                f"close it with {swallowed.style} where the value ends",
            )
        flow = self.open_flows[-1] if "flow" in context and self.open_flows else None
        if flow is not None and mark is not None and mark.line > flow.start_mark.line:
            opener = "[" if isinstance(flow, events.SequenceStartEvent) else "{"
            closer = "]" if opener == "[" else "}"
            return (
                flow.start_mark,
                f"the '{opener}' here is not closed before line {mark.line + 1}",
                f"close it with '{closer}'",
            )
        return None

    @staticmethod
    def indented_key(mark: Any, lines: list[str]) -> tuple[Any, str, str | None] | None:
        """A ``key:`` line indented deeper than the ``field: value`` line above it, which libyaml
        reads as more of that value: the problem and where its key starts, else ``None``."""
        line = lines[mark.line]
        key = _KEY_LINE.match(line)
        if key is None or key.end(2) != mark.column:
            return None
        above = next(
            (
                text
                for text in reversed(lines[: mark.line])
                if text.strip() and not text.lstrip().startswith("#")
            ),
            "",
        )
        field = _UNQUOTED_VALUE.match(above) or _KEY_LINE.match(above)
        if field is None or len(field.group(1)) >= len(key.group(1)):
            return None
        at = _Spot(mark.line, len(key.group(1)))
        above_key = field.group(2).strip()
        return (
            at,
            f"'{key.group(2).strip()}:' is indented deeper than '{above_key}:' above it",
            f"line it up with '{above_key}:', or quote a value that holds ': '",
        )

    def refuse_depth_before(self, mark: Any) -> bool:
        """Report our own depth problem for text libyaml refused at its nesting cap.

        libyaml scans ahead and stops at its own cap (1000 levels) before our builder reaches
        level :data:`MAX_DEPTH`; the text up to that point is within libyaml's cap, so building
        it finds and locates the first level too deep. Returns whether such a problem was found.
        """
        if mark is None or not 0 < mark.index <= len(self.text):
            return False
        probe = LoadedFile(self.result.path)
        _Builder(self.text[: mark.index], probe).build()
        depth_problems = [p for p in probe.problems if p.message == _TOO_DEEP]
        self.result.problems.extend(depth_problems[:1])
        return bool(depth_problems)

    def refuse_markup(self, event: Any, field_path: str) -> None:
        anchor = getattr(event, "anchor", None)
        if isinstance(event, events.AliasEvent):
            self.fail(
                event.start_mark, field_path, f"alias '*{anchor}' is not allowed", _NO_ALIASES
            )
        elif anchor is not None:
            self.fail(
                event.start_mark, field_path, f"anchor '&{anchor}' is not allowed", _NO_ALIASES
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            self.fail(
                event.start_mark,
                field_path,
                f"explicit YAML tag '{tag}' is not allowed",
                "remove the tag; quote the value if it must be text",
            )

    def value(self, event: Any, stream: Any, field_path: str, depth: int) -> Any:
        self.refuse_markup(event, field_path)
        mark = event.start_mark
        self.result.value_positions.setdefault(field_path, (mark.line + 1, mark.column + 1))
        if depth > MAX_DEPTH:
            shown = field_path if len(field_path) < 60 else field_path[:57] + "..."
            self.fail(mark, shown, _TOO_DEEP)
            raise _DepthExceeded
        if isinstance(event, events.ScalarEvent):
            value = self.scalar(event, field_path)
            return None if value is _INVALID else value
        if isinstance(event, events.CollectionStartEvent):
            # Left on the stack when a syntax error ends the stream inside it.
            if event.flow_style:
                self.open_flows.append(event)
            if isinstance(event, events.SequenceStartEvent):
                collection: Any = self.sequence(stream, field_path, depth)
            else:
                collection = self.mapping(stream, field_path, depth)
            if event.flow_style:
                self.open_flows.pop()
            return collection
        return None  # an alias: already reported

    def sequence(self, stream: Any, field_path: str, depth: int) -> list[Any]:
        items: list[Any] = []
        for event in stream:
            if isinstance(event, events.SequenceEndEvent):
                break
            items.append(self.value(event, stream, child_path(field_path, len(items)), depth + 1))
        return items

    def mapping(self, stream: Any, field_path: str, depth: int) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for event in stream:
            if isinstance(event, events.MappingEndEvent):
                break
            key = self.key(event, stream, field_path, depth)
            value_event = next(stream)
            if key is None:
                self.value(value_event, stream, field_path, depth + 1)
                continue
            item_path = child_path(field_path, key)
            if key in mapping:
                self.fail(
                    event.start_mark,
                    item_path,
                    f"key '{key}' appears twice in the same mapping",
                    _duplicate_hint(mapping, key),
                )
                self.value(value_event, stream, item_path + "(duplicate)", depth + 1)
                continue
            self.result.key_positions[item_path] = (
                event.start_mark.line + 1,
                event.start_mark.column + 1,
            )
            mapping[key] = self.value(value_event, stream, item_path, depth + 1)
        return mapping

    def key(self, event: Any, stream: Any, field_path: str, depth: int) -> str | None:
        if not isinstance(event, events.ScalarEvent):
            self.value(event, stream, field_path, depth + 1)
            self.fail(
                event.start_mark, field_path, "a key must be a plain string, not a list or mapping"
            )
            return None
        key_path = child_path(field_path, event.value)
        self.refuse_markup(event, key_path)
        key = self.scalar(event, key_path)
        if key is _INVALID:
            return None
        if not isinstance(key, str):
            message = f"key {event.value!r} is read as {kind_of(key)}, not as text"
            self.fail(event.start_mark, key_path, message, f"quote it: '{event.value}'")
            return None
        return key

    def scalar(self, event: events.ScalarEvent, field_path: str) -> Any:
        self.last_scalar = event
        tag = self.resolver.resolve(ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        if tag == "tag:yaml.org,2002:merge":
            self.fail(
                event.start_mark, field_path, "merge keys ('<<') are not allowed", _NO_ALIASES
            )
            return _INVALID
        # The C parser's marks stand in for yaml.error.Mark (the stubs know only the latter).
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)  # type: ignore[arg-type]
        construct = self.constructor.yaml_constructors.get(tag)
        try:
            value = construct(self.constructor, node) if construct else event.value
        except (ValueError, OverflowError, yaml.YAMLError) as error:
            if tag in _DATE_TAGS:  # 2024-02-30: the validator says so, with every other problem
                return event.value
            self.fail(event.start_mark, field_path, f"cannot read {event.value[:40]!r}: {error}")
            return _INVALID
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(
                event.start_mark,
                field_path,
                f"{event.value!r} (NaN or infinity) is not allowed",
                "write a finite number, or quote it if it is text",
            )
            return _INVALID
        return value


_DATE_TAGS = frozenset({"tag:yaml.org,2002:timestamp"})
"""What YAML reads as a date or a time: when it is no real one, it is kept as written."""

_MISALIGNED = ("did not find expected key", "did not find expected '-' indicator")
"""libyaml's words for a line indented to match nothing above it (in a mapping, in a list)."""

_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
"""What YAML counts as a line break, so that a mark's line number finds its line."""

_KEY_LINE = re.compile(r"(\s*(?:-\s+)?)([^\s:#'\"][^:#]*):(?:\s|$)")
"""A ``key:`` line: its indentation (and list dash), and its key."""
_UNQUOTED_VALUE = re.compile(r"(\s*(?:-\s+)?)([^\s:#'\"][^:#]*):\s+([^'\"\s].*)")
"""A ``key: value`` line whose plain value holds a colon (``title: Outage: checkout``)."""


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_INVALID: Any = object()
_NO_ALIASES = "write the value out in full: anchors, aliases and merge keys are refused"


def _duplicate_hint(mapping: dict[str, Any], key: str) -> str:
    """Keep one; or, when the key just before is a mapping without this key, the likelier
    mistake: the key lost its indentation."""
    above = next(reversed(mapping))
    if isinstance(mapping[above], dict) and key not in mapping[above]:
        return f"indent it under '{above}' if it belongs there; else keep one (keys are unique)"
    return "keep one: YAML keys must be unique"
