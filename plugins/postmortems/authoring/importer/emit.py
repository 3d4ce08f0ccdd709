"""Write a draft incident as YAML text with comments.

The draft is an ordinary mapping in which two wrappers may appear: ``Commented`` (a value with
a trailing ``# comment``) and ``Todo`` (a required field that was not found: written as a
``# TODO`` comment line instead of a value). ``plain`` removes them, giving exactly what
``yaml.safe_load`` reads back from ``emit``'s text. Every string scalar is written by PyYAML's
own emitter (quoted when needed), multi-line text as a ``|`` block when that reads back
unchanged; no anchors are ever written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import yaml

_INDENT = 2


@dataclass(frozen=True)
class Commented:
    """A value followed by a ``# comment`` on its line."""

    value: Any
    comment: str


@dataclass(frozen=True)
class Todo:
    """A field not found in the source, or found but not readable (``note`` says which)."""

    field: str
    note: str = "not found in the source — fill in"

    @property
    def line(self) -> str:
        return f"# TODO {self.field}: {' '.join(self.note.split())}"


def plain(value: Any) -> Any:
    """``value`` without ``Commented`` wrappers and ``Todo`` entries."""
    if isinstance(value, Commented):
        return plain(value.value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items() if not isinstance(item, Todo)}
    if isinstance(value, list):
        return [plain(item) for item in value if not isinstance(item, Todo)]
    return value


def _comment(text: str) -> str:
    return "  # " + " ".join(text.split()) if text else ""


def _quoted(text: str) -> str:
    """One string scalar as PyYAML writes it: plain when that is safe, else quoted."""
    dumped = yaml.safe_dump(text, allow_unicode=True, width=1_000_000, default_flow_style=False)
    dumped = dumped.removesuffix("\n...\n").removesuffix("\n")
    if "\n" in dumped:
        dumped = yaml.safe_dump(text, allow_unicode=True, width=1_000_000, default_style='"')
        dumped = dumped.removesuffix("\n")
    return dumped


def _literal(text: str, indent: int) -> list[str] | None:
    """``text`` as a ``|-`` block (header and lines) when that reads back unchanged."""
    if (
        "\r" in text
        or text != text.strip()
        or any(line != line.rstrip() for line in text.split("\n"))
    ):
        return None
    body = [line and " " * indent + line for line in text.split("\n")]
    try:
        if yaml.safe_load("k: |-\n" + "\n".join(body)) != {"k": text}:
            return None
    except yaml.YAMLError:
        return None
    return ["|-", *body]


def scalar(value: Any) -> str:
    """A non-string scalar (or a one-line string) in YAML syntax."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        text = value.isoformat()
        return text.removesuffix("+00:00") + "Z" if value.utcoffset() == timedelta(0) else text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value)
    return _quoted(str(value))


def _value_lines(prefix: str, value: Any, comment: str, indent: int) -> list[str]:
    """``prefix`` (``key:`` or ``-``) followed by ``value`` at nesting ``indent``."""
    if isinstance(value, dict):
        return [prefix + _comment(comment), *_mapping(value, indent + _INDENT)]
    if isinstance(value, list):
        return [prefix + _comment(comment), *_sequence(value, indent + _INDENT)]
    if isinstance(value, str) and "\n" in value:
        block = _literal(value, indent + _INDENT)
        if block:
            return [f"{prefix} {block[0]}{_comment(comment)}", *block[1:]]
    return [f"{prefix} {scalar(value)}{_comment(comment)}"]


def _mapping(mapping: dict[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, value in mapping.items():
        if isinstance(value, Todo):
            lines.append(pad + value.line)
            continue
        comment = ""
        if isinstance(value, Commented):
            value, comment = value.value, value.comment
        lines += [pad + line if index == 0 else line for index, line in enumerate(
            _value_lines(f"{_quoted(key)}:", value, comment, indent)
        )]  # fmt: skip
    return lines


def _sequence(items: list[Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for item in items:
        comment = ""
        if isinstance(item, Commented):
            item, comment = item.value, item.comment
        if isinstance(item, dict) and item:
            body = _mapping(item, indent + _INDENT)
            body[0] = pad + "- " + body[0].lstrip()
            if comment:
                body.insert(0, pad + _comment(comment).strip())
            lines += body
        else:
            lines += [pad + line if index == 0 else line for index, line in enumerate(
                _value_lines("-", item, comment, indent)
            )]  # fmt: skip
    return lines


def emit(header: list[str], document: dict[str, Any]) -> str:
    """The YAML text: ``header`` comment lines, then the document's fields in order."""
    return "\n".join([*header, *_mapping(document, 0)]) + "\n"
