"""The Markdown limits the schema cannot express, measured in one pass."""

from __future__ import annotations

import json

import pytest
from postmortems.core.limits import (
    MarkdownLimits,
    heading_count,
    line_count,
    markdown_values,
    nesting_depth,
)
from postmortems.core.project import PACKAGED_SCHEMAS

SCHEMA = json.loads((PACKAGED_SCHEMAS / "incident.schema.json").read_text("utf-8"))
LIMITS = MarkdownLimits.from_schema(SCHEMA)


def test_the_limits_come_from_the_schema() -> None:
    assert (LIMITS.lines, LIMITS.nesting, LIMITS.headings) == (2000, 8, 500)
    assert LIMITS.total_length == 150_000


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("A paragraph.\n\nAnother one - with a dash.", 0),
        ("- one\n- two\n  - two.a\n    1. two.a.i\n- three", 3),
        ("> quoted\n> - item in a quote\n>   - nested in it", 3),
        ("- " * 16 + "x", 16),
        ("> " * 17 + "x", 17),
        ("\n".join("    " * level + "- item" for level in range(20)), 20),
        ("```\n" + "- " * 40 + "\n```\nafter", 0),
        ("-not a list\n*emphasis*\n1.5 is a number", 0),
    ],
)
def test_nesting_depth_counts_list_items_and_block_quotes(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


@pytest.mark.slow
def test_nesting_depth_of_a_megabyte_of_markers_is_found_in_one_pass() -> None:
    assert nesting_depth("- " * 500_000 + "x", stop_above=16) > 16
    assert nesting_depth("\n".join(["- x"] * 300_000)) == 1


def test_lines_are_counted_without_a_final_line_break() -> None:
    assert [line_count(text) for text in ("one", "one\n", "one\ntwo\n\n", "")] == [1, 1, 2, 1]


def test_markdown_values_are_found_through_the_schema() -> None:
    document = {
        "title": "not markdown",
        "summary": "s",
        "impact": {"summary": "i", "regions": ["eu"]},
        "timeline": [{"event": "e0"}, {"event": "e1", "kind": "note"}],
        "lessons": {"went_well": ["w"]},
        "root_cause": {"summary": "one line", "description": "d"},
        "x-notes": "extension",
    }
    found = dict(markdown_values(SCHEMA, document))
    assert found == {
        "summary": "s",
        "impact.summary": "i",
        "timeline[0].event": "e0",
        "timeline[1].event": "e1",
        "lessons.went_well[0]": "w",
        "root_cause.description": "d",
    }


def test_headings_and_setext_underlines_are_counted() -> None:
    text = "# One\n## Two\nThree\n=====\nFour\n---\n#a\n    # code\n- - -\nC# and F#"
    assert heading_count(text) == 5
