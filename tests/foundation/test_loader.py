"""The safe loader refuses what the format forbids, says where, and agrees with its fast path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from postmortems.core.loader import MAX_BYTES, fast_load, load_bytes, to_json

from .documents import OLDER, VALID

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted((REPO / "incidents").rglob("[!_]*.yaml"))


def _problems(text: str | bytes) -> list[str]:
    raw = text.encode() if isinstance(text, str) else text
    loaded = load_bytes(raw, "x.yaml")
    assert loaded.data is None or not loaded.problems
    return [str(problem) for problem in loaded.problems]


REFUSED = [
    ("anchor", "a: &x 1\n", "x.yaml:1:4: a: anchor '&x' is not allowed"),
    ("alias", "a: 1\nb: *x\n", "x.yaml:2:4: b: alias '*x' is not allowed"),
    ("merge-key", "a:\n  <<: {b: 1}\n", "x.yaml:2:3: a.<<: merge keys ('<<') are not allowed"),
    (
        "python-object",
        "a: !!python/object/apply:os.system [ls]\n",
        "x.yaml:1:4: a: explicit YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is "
        "not allowed",
    ),
    ("str-tag", "a: !!str 1\n", "x.yaml:1:4: a: explicit YAML tag 'tag:yaml.org,2002:str'"),
    ("local-tag", "a: !vault secret\n", "x.yaml:1:4: a: explicit YAML tag '!vault'"),
    (
        "two-documents",
        "a: 1\n---\nb: 2\n",
        "x.yaml:2:1: (file): more than one YAML document; put one incident per file",
    ),
    ("integer-key", "1: a\n", "x.yaml:1:1: 1: key '1' is read as an integer, not as text"),
    ("boolean-key", "yes: a\n", "x.yaml:1:1: yes: key 'yes' is read as a boolean, not as text"),
    ("null-key", "null: a\n", "x.yaml:1:1: null: key 'null' is read as null, not as text"),
    ("date-key", "2024-01-01: a\n", "key '2024-01-01' is read as a date, not as text"),
    ("list-key", "? [a]\n: b\n", "x.yaml:1:3: (file): a key must be a plain string"),
    (
        "duplicate-key",
        "a: 1\nb:\n  c: 1\n  c: 2\n",
        "x.yaml:4:3: b.c: key 'c' appears twice in the same mapping",
    ),
    ("nan", "a: .nan\n", "x.yaml:1:4: a: '.nan' (NaN or infinity) is not allowed"),
    ("infinity", "a: [-.inf]\n", "x.yaml:1:5: a[0]: '-.inf' (NaN or infinity) is not allowed"),
    ("empty", "", "x.yaml:1:1: (file): file is empty"),
    ("only-comments", "# nothing\n", "x.yaml:1:1: (file): file is empty"),
    (
        "top-level-list",
        "- a\n",
        "x.yaml:1:1: (file): an incident file must be a mapping of fields, not a list",
    ),
    ("top-level-text", "hello\n", "x.yaml:1:1: (file): an incident file must be a mapping"),
    ("syntax-error", "a: [1, 2\nb: c\n", "x.yaml:1:4: (file): YAML syntax error:"),
    (
        "control-character",
        'a: b\nc: "d\x01"\n',
        "x.yaml:2:6: (file): character U+0001 is not allowed: control characters are not allowed",
    ),
    (
        "deep-flow",
        "a: " + "[" * 70 + "]" * 70 + "\n",
        "x.yaml:1:67: a[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0...: nesting "
        "deeper than 64 levels is not allowed",
    ),
    (
        "deep-block",
        "".join("  " * i + f"k{i}:\n" for i in range(70)) + "  " * 70 + "v\n",
        "x.yaml:65:129: k0.k1.k2.k3.k4.k5.k6.k7.k8.k9.k10.k11.k12.k13.k14.k15.k16...: nesting",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_forbidden_yaml_is_refused_at_its_position(text: str, expected: str) -> None:
    problems = _problems(text)
    assert problems, "accepted"
    assert (
        problems[0].startswith(expected)
        if expected.startswith("x.yaml")
        else expected in problems[0]
    )
    assert all("\n" not in problem for problem in problems)
    assert fast_load(text.encode()) is None


def test_every_alias_of_an_alias_bomb_is_refused_without_expanding_it() -> None:
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    problems = _problems("\n".join(levels) + "\n")
    assert len(problems) == 10 + 81  # ten anchors, nine aliases on each of nine lines
    assert problems[1] == (
        "x.yaml:2:5: a1: anchor '&a1' is not allowed (hint: write the value out in full: "
        "anchors, aliases and merge keys are refused)"
    )


def test_file_over_one_mebibyte_is_refused_before_parsing() -> None:
    raw = b"a: [" + b"x" * MAX_BYTES  # unparseable as well: the size is all that is reported
    assert _problems(raw) == [
        "x.yaml:1:1: (file): file is larger than 1024 KiB; refusing to parse it"
    ]


def test_a_mebibyte_of_opening_brackets_is_refused_at_the_first_level_too_deep() -> None:
    # libyaml reads ahead and stops at its own cap (1000 levels); the contract's message and
    # the position of the 65th level are what the author sees, whatever libyaml's cap is.
    problems = _problems(b"[" * (MAX_BYTES - 1))
    assert len(problems) == 1
    assert problems[0].startswith("x.yaml:1:65: [0][0]")
    assert problems[0].endswith(": nesting deeper than 64 levels is not allowed")


def test_thousands_of_nested_flow_mappings_are_refused_at_the_first_level_too_deep() -> None:
    problems = _problems(b"a: " + b"{b: " * 3000)
    assert len(problems) == 1
    assert problems[0].startswith("x.yaml:1:256: a.b.b.b")
    assert problems[0].endswith(": nesting deeper than 64 levels is not allowed")


def test_thousands_of_nested_block_lists_are_refused_at_the_first_level_too_deep() -> None:
    problems = _problems("- " * 1500 + "x\n")
    assert len(problems) == 1
    assert problems[0].startswith("x.yaml:1:129: [0][0]")
    assert problems[0].endswith(": nesting deeper than 64 levels is not allowed")


def test_nesting_of_exactly_64_levels_is_accepted() -> None:
    loaded = load_bytes(("a: " + "[" * 63 + "]" * 63 + "\n").encode(), "x.yaml")
    assert loaded.problems == []


def test_invalid_utf8_is_reported_at_the_byte() -> None:
    assert _problems(b"id: x\ntitle: caf\xe9\n") == [
        "x.yaml:2:11: (file): invalid UTF-8 (byte 0xe9); save the file as UTF-8"
    ]


def test_byte_order_mark_and_crlf_line_ends_are_accepted() -> None:
    raw = b"\xef\xbb\xbf" + VALID.replace("\n", "\r\n").encode()
    loaded = load_bytes(raw, "x.yaml")
    assert loaded.problems == []
    assert loaded.data == load_bytes(VALID.encode(), "x.yaml").data
    assert loaded.value_positions["severity"] == (4, 11)
    assert fast_load(raw) == to_json(loaded.data)


def test_values_are_located_by_field_path() -> None:
    loaded = load_bytes(VALID.encode(), "x.yaml")
    assert loaded.position("timeline[2].kind") == (39, 11)
    assert loaded.position("action_items[0].due") == (46, 10)
    assert loaded.position("impact", key=True) == (13, 1)
    assert loaded.position("impact.not_written", key=True) == (13, 1)


def test_unquoted_timestamp_keeps_its_offset() -> None:
    data = load_bytes(VALID.encode(), "x.yaml").data
    assert data is not None
    assert data["started_at"].isoformat() == "2024-03-05T10:00:00-05:00"
    assert data["detected_at"] == "2024-03-05T10:05:00-05:00"


@pytest.mark.parametrize("path", [*SHIPPED, "VALID", "OLDER"], ids=lambda p: getattr(p, "name", p))
def test_fast_path_builds_exactly_what_the_exact_path_builds(path: Path | str) -> None:
    raw = {"VALID": VALID.encode(), "OLDER": OLDER.encode()}.get(path) or Path(path).read_bytes()
    exact = load_bytes(raw, "x.yaml")
    assert exact.problems == []
    assert fast_load(raw) in (None, to_json(exact.data))


def test_prose_with_markdown_emphasis_and_ampersands_takes_the_fast_path() -> None:
    raw = VALID.replace("A deploy.", "R&D said *wow*! 'TODO' & more").encode()
    assert fast_load(raw) == to_json(load_bytes(raw, "x.yaml").data)


@pytest.mark.parametrize("line_break", [b"\n", b"\r", b"\xc2\x85", b"\xe2\x80\xa8"])
def test_deep_compact_sequences_after_any_line_break_are_refused_without_crashing(
    line_break: bytes,
) -> None:
    raw = b"a:" + line_break + b"  " + b"- " * 400_000 + b"x"
    assert fast_load(raw) is None
    assert load_bytes(raw, "x.yaml").problems[0].message == (
        "nesting deeper than 64 levels is not allowed"
    )


@pytest.mark.parametrize("line_break", ["\r", "\x85", "\u2028", "\u2029"])
def test_alias_after_an_unusual_line_break_is_refused(line_break: str) -> None:
    raw = f"a: &x 1{line_break}b:{line_break}  *x\n".encode()
    assert fast_load(raw) is None
    assert "alias '*x' is not allowed" in str(load_bytes(raw, "x.yaml").problems)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates().map(str),
    st.sampled_from(
        [
            "yes",
            "no",
            "on",
            "~",
            "0x1f",
            "1_000",
            "1:30",
            "=",
            "<<",
            ".nan",
            "-.inf",
            "2024-01-02T03:04:05Z",
            "2024-01-02 03:04:05",
            "0o17",
            "+1.5e3",
            "&a",
            "!x",
        ]
    ),
)
_keys = st.one_of(st.text(max_size=8), st.sampled_from(["yes", "1", "null", "<<", "a", "b"]))
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=20,
)


def _dumped(value: object, style: str) -> str:
    return yaml.safe_dump(value, default_flow_style=style == "flow", allow_unicode=style != "ascii")


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(_keys, _values, min_size=1, max_size=6),
    st.sampled_from(["block", "flow", "ascii"]),
)
def test_fast_path_agrees_with_exact_path_on_generated_documents(
    document: dict[object, object], style: str
) -> None:
    raw = _dumped(document, style).encode()
    fast = fast_load(raw)
    exact = load_bytes(raw, "x.yaml")
    if fast is not None:
        assert exact.problems == []
        assert fast == to_json(exact.data)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from([*"ab:-[]{}&*!?|>'\"#,.% \n\t01yn<=~", "\r", "\x85", "\u2028"]),
        max_size=60,
    )
)
def test_fast_path_agrees_with_exact_path_on_generated_text(text: str) -> None:
    raw = text.encode()
    fast = fast_load(raw)
    exact = load_bytes(raw, "x.yaml")
    if fast is not None:
        assert exact.problems == []
        assert fast == to_json(exact.data)
    assert all("\n" not in str(problem) for problem in exact.problems)


# Syntax errors libyaml notices lines later (often at the end of the file) are placed where
# the construct left open starts, in the middle of a long file.
BEFORE = "".join(f"before_{n}: text {n}\n" for n in range(20))
AFTER = "".join(f"after_{n}: text {n}\n" for n in range(40))
MISPLACED = [
    (
        "unclosed-double-quote",
        'title: "Checkout down\nsummary: x\n',
        "x.yaml:21:8: (file): YAML syntax error: the quoted value that starts here is never "
        'closed (hint: close it with " where the value ends)',
    ),
    (
        "unclosed-single-quote-in-a-list",
        "lessons:\n  - 'one\n  - two\n",
        "x.yaml:22:5: (file): YAML syntax error: the quoted value that starts here is never "
        "closed (hint: close it with ' where the value ends)",
    ),
    (
        "unclosed-quote-closed-by-the-next-one",
        'title: "Checkout down\nsummary: "x"\n',
        "x.yaml:21:8: (file): YAML syntax error: the quoted value that starts here runs on to "
        'line 22 (hint: close it with " where the value ends)',
    ),
    (
        "unclosed-flow-sequence",
        "services: [a, b\nsummary: x\n",
        "x.yaml:21:11: (file): YAML syntax error: the '[' here is not closed before line 22 "
        "(hint: close it with ']')",
    ),
    (
        "unclosed-flow-mapping",
        "impact: {summary: x\nsummary: x\n",
        "x.yaml:21:9: (file): YAML syntax error: the '{' here is not closed before line 22 "
        "(hint: close it with '}')",
    ),
    (
        "key-without-colon",
        "services\n",
        "x.yaml:21:1: (file): YAML syntax error: a line with neither 'key: value' nor '- item' "
        "(hint: add ': ' after the field name, or indent the line under the value it continues)",
    ),
    (
        "key-indented-too-deep",
        "impact:\n  summary: x\n    users_affected: 3\n",
        "x.yaml:23:5: (file): YAML syntax error: 'users_affected:' is indented deeper than "
        "'summary:' above it (hint: line it up with 'summary:', or quote a value that holds ': ')",
    ),
    (
        "key-indented-too-shallow",
        "impact:\n    summary: x\n  users_affected: 3\n",
        "x.yaml:23:3: (file): YAML syntax error: this line, indented 2 spaces, lines up with "
        "no block above it (the keys around it start at column 1, line 1)",
    ),
    (
        "list-item-indented-too-shallow",
        "lessons:\n  went_well:\n    - a\n   - b\n",
        "x.yaml:24:4: (file): YAML syntax error: this line, indented 3 spaces, lines up with "
        "no block above it (the keys around it start at column 3, line 22)",
    ),
]


@pytest.mark.parametrize(
    ("middle", "expected"), [c[1:] for c in MISPLACED], ids=[c[0] for c in MISPLACED]
)
def test_syntax_errors_are_placed_where_the_construct_left_open_starts(
    middle: str, expected: str
) -> None:
    problems = _problems(BEFORE + middle + AFTER)
    assert len(problems) == 1
    assert problems[0].startswith(expected)


def test_a_colon_in_a_value_still_asks_for_quotes_not_for_indentation() -> None:
    problems = _problems(BEFORE + "impact:\n  summary: Checkout: down\n" + AFTER)
    assert problems == [
        "x.yaml:22:20: (file): YAML syntax error: a value holding ': ' must be quoted "
        '(hint: write summary: "Checkout: down")'
    ]
