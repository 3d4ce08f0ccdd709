"""The importer reads hostile input in linear time: each text below is a 1 MiB (or large)
document that a regex retried from every position, or a scan comparing every match with
every other, used to take minutes or hours on. The tests only need to finish; the timings
are in ``benchmarks/worst_case.py``."""

from __future__ import annotations

import pytest
import yaml
from postmortems.authoring.importer import import_postmortem
from postmortems.authoring.importer.text import clean

pytestmark = pytest.mark.slow

MIB = 1024 * 1024


def imported(text: str) -> dict[str, object]:
    return yaml.safe_load(import_postmortem(text, source_name="hostile.md").yaml_text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1" * MIB, id="digits"),
        pytest.param("[" * MIB, id="open-brackets"),
        pytest.param("[a](http://" * (MIB // 11), id="unclosed-links"),
        pytest.param("Title: x" + " " * MIB + "postmortem!", id="spaces-before-title-suffix"),
        pytest.param("Services: a" + " " * MIB + "b", id="spaces-in-a-list"),
        pytest.param("Author: " + "(" * MIB, id="open-parentheses"),
        pytest.param("Author: " + "a" * MIB, id="no-at-in-an-address"),
        pytest.param("## Action items\n- fix it" + " " * MIB + "x", id="spaces-in-an-action"),
        pytest.param("h1. x\n" + "*a " * (MIB // 3), id="wiki-bold-openers"),
        pytest.param("h1. x\n" + "{info:" * (MIB // 6), id="wiki-macros-without-end"),
        pytest.param("```" + "\n```" * (MIB // 4), id="fences"),
        pytest.param("== a" + " =" * (MIB // 2), id="mediawiki-unclosed-heading"),
        pytest.param("= a" + " " * MIB + "b", id="asciidoc-spaces-in-a-title"),
        pytest.param("#+TITLE: x\n* a " + ":b" * (MIB // 2), id="org-tags-without-end"),
        pytest.param("Title\n~~~~~\n\n" + "x\n~~~\n\n" * (MIB // 8), id="rst-titles"),
        pytest.param("# x\n\n## Timeline\n\nAll times" + " " * MIB + "UTC", id="zone-note"),
    ],
)
def test_a_mebibyte_of_hostile_text_imports_to_a_draft(text: str) -> None:
    draft = imported(text)
    assert isinstance(draft, dict) and draft["status"] == "draft"


def test_a_text_full_of_times_and_dates_imports_every_time_once() -> None:
    text = "Timeline:\n" + "".join(
        f"- 2024-03-0{1 + i % 9} 12:{i % 60:02d} thing {i}\n" for i in range(20_000)
    )
    text += "12:00 " * 40_000
    draft = imported("Title: Database outage\n" + text)
    assert draft["started_at"] is not None


def test_link_text_without_brackets_still_becomes_text_and_address() -> None:
    assert clean("see [the runbook](https://example.com/rb) now") == (
        "see the runbook (https://example.com/rb) now"
    )
    assert clean("[" * 10 + "x](https://example.com)") == "[" * 9 + "x (https://example.com)"
