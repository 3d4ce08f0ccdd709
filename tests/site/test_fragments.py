"""A listing's rows in runs a preview keeps: a save changes the run of the edited row alone."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from postmortems.core.cache import TextStore
from postmortems.site.fragments import RUN_ROWS, Fragments, runs


@dataclass(frozen=True)
class Incident:
    digest: bytes


@dataclass(frozen=True)
class ActionRow:
    incident: Incident
    position: int


def digest(number: int) -> bytes:
    return hashlib.blake2b(str(number).encode(), digest_size=16).digest()


ROWS = [ActionRow(Incident(digest(n // 3)), n % 3) for n in range(3000)]


def changed_keys(before: list[ActionRow], after: list[ActionRow]) -> int:
    """How many runs of ``after`` no run of ``before`` has the key of."""
    kept = {run.key for run in runs(before, "incident.digest", "position")}
    return sum(run.key not in kept for run in runs(after, "incident.digest", "position"))


def test_runs_hold_every_row_in_order_about_run_rows_at_a_time() -> None:
    found = runs(ROWS, "incident.digest", "position")
    assert [row for run in found for row in run.rows] == ROWS
    assert RUN_ROWS / 2 < len(ROWS) / len(found) < RUN_ROWS * 2
    assert runs([], "digest") == []


def test_a_changed_inserted_or_removed_row_changes_its_own_run_alone() -> None:
    middle = len(ROWS) // 2
    edited = [
        *ROWS[:middle],
        replace(ROWS[middle], incident=Incident(digest(-1))),
        *ROWS[middle + 1 :],
    ]
    assert 1 <= changed_keys(ROWS, edited) <= 2
    inserted_first = [ActionRow(Incident(digest(-2)), 0), *ROWS]  # a new incident, newest first
    assert 1 <= changed_keys(ROWS, inserted_first) <= 2
    assert 1 <= changed_keys(ROWS, ROWS[:middle] + ROWS[middle + 1 :]) <= 2


def test_a_row_without_a_digest_leaves_its_run_unkept() -> None:
    rows = [*ROWS[:10], ActionRow(Incident(b""), 0), *ROWS[10:]]
    found = runs(rows, "incident.digest", "position")
    assert found[0].key == b""
    fragments = Fragments()
    fragments.start(b"templates", TextStore(None))
    made: list[str] = []
    for _ in range(2):
        fragments("page.md", found[0].key, caller=lambda: made.append("first") or "a")
        fragments("page.md", found[1].key, caller=lambda: made.append("second") or "b")
    assert made == ["first", "second", "first"]  # the run with a digest-less row: made again


def test_runs_a_preview_made_are_found_by_a_later_preview(
    tmp_path: Path,
) -> None:
    """A preview started again renders on its first save the edited incident's run alone: the
    others are in the page store."""
    made: list[str] = []

    def build(fragments: Fragments, rows: list[ActionRow], signature: bytes) -> str:
        store = TextStore(tmp_path / "rendered.sqlite")
        fragments.start(signature, store)
        text = "".join(
            fragments("page.md", run.key, caller=lambda run=run: made.append("run") or str(run))
            for run in runs(rows, "incident.digest", "position")
        )
        store.close_later()()
        return text

    first = build(Fragments(), ROWS, b"templates")
    count = len(made)
    assert build(Fragments(), ROWS, b"templates") == first
    assert len(made) == count  # nothing rendered again
    edited = [replace(ROWS[0], incident=Incident(digest(-1))), *ROWS[1:]]
    build(Fragments(), edited, b"templates")
    assert 1 <= len(made) - count <= 2
    build(Fragments(), ROWS, b"other templates")
    assert len(made) - count > 20  # what other templates made is never used
