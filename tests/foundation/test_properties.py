"""Random damage to a valid incident never makes the command crash, and names the file."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from postmortems.core.checking import check_bytes
from postmortems.core.loader import load_bytes, to_json
from postmortems.core.project import PACKAGED_SCHEMAS
from postmortems.core.validator import DocumentValidator

from .conftest import Project
from .documents import VALID, VALID_ID

pytestmark = pytest.mark.slow  # hundreds of damaged files, each checked twice

SCHEMA = json.loads((PACKAGED_SCHEMAS / "incident.schema.json").read_text("utf-8"))
VALIDATOR = DocumentValidator(SCHEMA)
DOCUMENT = to_json(load_bytes(VALID.encode(), "x.yaml").data)
PATH = f"incidents/2024/{VALID_ID}.yaml"
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5)),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else []
    )
    for key, item in items:
        found += _paths(item, (*prefix, key))
    return found


def _mutated(document: Any, path: tuple[Any, ...], action: str, junk: Any) -> Any:
    copy = json.loads(json.dumps(document))
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    if action == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = junk
    return copy


@st.composite
def damaged_files(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["delete", "retype", "junk-text", "random-bytes", "truncate"]))
    if kind in ("delete", "retype"):
        document = DOCUMENT
        for _ in range(draw(st.integers(1, 3))):
            path = draw(st.sampled_from(_paths(document) or [("id",)]))
            document = _mutated(document, path, kind, draw(_junk))
        return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()
    raw = VALID.encode()
    at = draw(st.integers(0, len(raw)))
    if kind == "truncate":
        return raw[:at]
    if kind == "junk-text":
        text = draw(st.text(alphabet=st.characters(codec="utf-8"), max_size=20))
        return raw[:at] + text.encode() + raw[at:]
    return raw[:at] + draw(st.binary(max_size=20)) + raw[at:]


@SETTINGS
@given(damaged_files())
def test_damaged_file_gives_exit_0_or_1_and_every_problem_names_it(
    valid_project: Project, raw: bytes
) -> None:
    valid_project.write(PATH, raw)
    code, out, err = valid_project.validate("--format", "json")
    assert code in (0, 1)
    assert err == ""
    problems = json.loads(out)
    assert all(problem["path"] == PATH for problem in problems)
    assert all(problem["line"] >= 1 and problem["column"] >= 1 for problem in problems)
    assert (code == 1) == any(problem["level"] == "error" for problem in problems)


@settings(max_examples=300, deadline=None)
@given(damaged_files())
def test_fast_and_exact_paths_give_the_same_verdict(raw: bytes) -> None:
    quick = check_bytes(raw, PATH, VALID_ID, VALIDATOR)
    loaded = load_bytes(raw, PATH)
    exact = (
        loaded.problems
        if loaded.data is None
        else VALIDATOR.problems(to_json(loaded.data), PATH, VALID_ID, lambda f, k: (1, 1))
    )
    assert bool(quick.problems) == bool(exact)
    if not exact:
        assert quick.document == to_json(loaded.data)
