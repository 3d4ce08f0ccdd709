"""Limits on Markdown that JSON Schema cannot express: lines, container nesting, headings.

The numbers live in the schema's ``markdown`` definition (``x-maxLines``, ``x-maxNesting``,
``x-maxHeadings``) beside its ``maxLength``; this module finds every Markdown value of a
document by following the schema, and measures each text in one pass. Headings are counted
over a whole file: they all end up on one page, whose table of contents numbers repeated
headings one by one (quadratic in their count).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .loader import child_path

MARKDOWN_REF = "#/$defs/markdown"
_MARKERS = ("-", "*", "+", ">", ". ", ")")
_TAB = 4
_HEADING = re.compile(r"^ {0,3}(?:#|=+[ \t]*$|-+[ \t]*$)", re.MULTILINE)
"""A ``#`` heading (Python-Markdown needs no space: ``#a`` is one), or a line that may underline
a setext heading (a rule counts too)."""


@dataclass(frozen=True)
class MarkdownLimits:
    """How many lines and how deep a nesting one Markdown value may have (``None``: no limit)."""

    lines: int | None
    nesting: int | None
    headings: int | None
    """In all the Markdown values of one file together."""
    total_length: int | None = None
    """Characters in all the Markdown values of one file together."""

    @classmethod
    def from_schema(cls, schema: dict[str, Any]) -> MarkdownLimits:
        definition = schema.get("$defs", {}).get("markdown", {})
        return cls(
            definition.get("x-maxLines"),
            definition.get("x-maxNesting"),
            definition.get("x-maxHeadings"),
            definition.get("x-maxTotalLength"),
        )


def markdown_values(
    schema: dict[str, Any], document: Any, reaches: dict[int, bool] | None = None
) -> Iterator[tuple[str, str]]:
    """``(field path, text)`` of every Markdown value in ``document``, found through ``schema``.

    Only the parts of ``document`` whose schema can hold Markdown are visited; ``reaches``
    remembers which those are, for the next document checked against the same schema.
    """
    definitions = schema.get("$defs", {})
    reaches = {} if reaches is None else reaches
    stack: list[tuple[dict[str, Any], Any, str]] = [(schema, document, "")]
    while stack:
        node, value, field_path = stack.pop()
        if node.get("$ref") == MARKDOWN_REF:
            if isinstance(value, str):
                yield field_path, value
            continue
        node = _target(node, definitions)
        children: list[tuple[dict[str, Any], Any, str]] = []
        if isinstance(value, dict):
            properties = node.get("properties", {})
            extra = node.get("additionalProperties")
            for key, item in value.items():
                child = properties.get(key, extra)
                if isinstance(child, dict) and _reaches(child, definitions, reaches):
                    children.append((child, item, child_path(field_path, key)))
        elif isinstance(value, list):
            items = node.get("items")
            if isinstance(items, dict) and _reaches(items, definitions, reaches):
                children = [
                    (items, item, child_path(field_path, index)) for index, item in enumerate(value)
                ]
        stack.extend(reversed(children))  # popped in document order


def _target(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/$defs/"):
        return definitions.get(reference.removeprefix("#/$defs/"), {})
    return node


def _reaches(node: dict[str, Any], definitions: dict[str, Any], memo: dict[int, bool]) -> bool:
    """Whether a value described by ``node`` can hold Markdown at any depth."""
    if node.get("$ref") == MARKDOWN_REF:
        return True
    if id(node) not in memo:
        memo[id(node)] = False  # a schema that refers to itself ends here
        target = _target(node, definitions)
        parts = [*target.get("properties", {}).values()]
        parts += [target[key] for key in ("additionalProperties", "items") if key in target]
        memo[id(node)] = any(
            isinstance(part, dict) and _reaches(part, definitions, memo) for part in parts
        )
    return memo[id(node)]


def heading_count(text: str) -> int:
    """Lines of ``text`` that may be headings (ATX ``#`` headings and setext underlines)."""
    return (
        sum(1 for _ in _HEADING.finditer(text)) if "#" in text or "=" in text or "-" in text else 0
    )


def line_count(text: str) -> int:
    """Lines of ``text`` (a final line break does not start another line)."""
    return text.count("\n", 0, len(text.rstrip("\n"))) + 1


def nesting_depth(text: str, stop_above: int | None = None) -> int:
    """How deep list items and block quotes nest in ``text``, in one pass over it.

    A line's depth is the number of list items it is indented into (a stack of the columns
    where their content starts) plus the block quote and list markers it opens itself
    (``> - > 1. x``). Fenced code is skipped. Scanning stops after the first line deeper
    than ``stop_above``.
    """
    if sum(text.count(marker) for marker in _MARKERS) < (stop_above or 0):
        return 0  # too few markers to nest that deep: no need to look closer
    deepest = 0
    open_items: list[tuple[int, int]] = []  # (content column, block quotes around) still open
    fence = ""
    for line in text.split("\n"):
        first, index = _indent(line, 0, 0)
        if fence:
            if line[index:].startswith(fence):
                fence = ""
            continue
        if index == len(line):
            continue  # blank lines close nothing: a list item may go on after one
        column, quotes = first, 0
        while index < len(line) and line[index] == ">":
            quotes += 1
            column, index = _indent(line, column + 1, index + 1)
        while open_items:
            content, around = open_items[-1]
            # An item outside quotes ends at a line starting left of its content; one inside
            # quotes, at a line with fewer quotes or starting left of it after the quotes.
            start = first if around == 0 else column if quotes >= around else -1
            if content <= start:
                break
            open_items.pop()
        while True:
            width = _list_marker(line, index)
            if not width:
                break
            column, index = _indent(line, column + width, index + width)
            open_items.append((column, quotes))
        deepest = max(deepest, quotes + len(open_items))
        if stop_above is not None and deepest > stop_above:
            break
        rest = line[index:]
        if rest.startswith(("```", "~~~")):
            fence = rest[:3]
    return deepest


def _indent(line: str, column: int, index: int) -> tuple[int, int]:
    """Column and index after the spaces and tabs at ``index`` (tabs stop every 4 columns)."""
    while index < len(line) and line[index] in " \t":
        column = column + _TAB - column % _TAB if line[index] == "\t" else column + 1
        index += 1
    return column, index


def _list_marker(line: str, index: int) -> int:
    """Width of the list marker at ``index`` (``-``, ``*``, ``+``, ``1.``, ``1)``), else 0."""
    end = index
    while end < len(line) and end - index < 9 and line[end] in "0123456789":
        end += 1
    if end > index:
        if end >= len(line) or line[end] not in ".)":
            return 0
        end += 1
    elif index < len(line) and line[index] in "-*+":
        end += 1
    else:
        return 0
    return end - index if end == len(line) or line[end] in " \t" else 0
