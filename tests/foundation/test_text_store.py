"""The store of rendered HTML kept between builds: it only ever costs speed, never a build."""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

from postmortems.core.cache import CheckCache, TextStore, fingerprint
from postmortems.core.checking import FileCheck
from postmortems.core.problems import Problem


def test_texts_put_in_one_run_are_found_by_the_next(tmp_path: Path) -> None:
    store = TextStore(tmp_path / "texts.sqlite")
    store.put(fingerprint("a"), "<p>ä 🔥</p>")
    store.close()
    again = TextStore(tmp_path / "texts.sqlite")
    assert again.get(fingerprint("a")) == "<p>ä 🔥</p>"
    assert again.get(fingerprint("b")) is None


def test_a_store_that_cannot_be_opened_forgets_instead_of_failing(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    store = TextStore(blocker / "texts.sqlite")
    store.put(fingerprint("a"), "text")
    assert store.get(fingerprint("a")) is None
    store.close()


def test_a_corrupt_store_file_is_replaced_by_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "texts.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    store = TextStore(path)
    store.put(fingerprint("a"), "text")
    store.close()
    assert TextStore(path).get(fingerprint("a")) == "text"


def test_a_store_mostly_of_entries_no_run_uses_is_emptied(tmp_path: Path) -> None:
    path = tmp_path / "texts.sqlite"
    store = TextStore(path)
    for number in range(5000):
        store.put(fingerprint(number), "old")
    store.close()
    small_run = TextStore(path)
    small_run.put(fingerprint("new"), "new")
    small_run.close()
    (count,) = sqlite3.connect(path).execute("SELECT count(*) FROM texts").fetchone()
    assert count == 0


def test_fingerprints_do_not_depend_on_where_objects_live_in_memory() -> None:
    class Formatter:
        def __call__(self) -> None: ...

    assert fingerprint({"format": len, "b": [1, 2]}) == fingerprint({"b": [1, 2], "format": len})
    assert fingerprint(Formatter()) == fingerprint(Formatter())
    assert fingerprint(b"one") != fingerprint(b"two")


def test_check_results_are_found_again_only_for_the_same_file_bytes_and_schema(
    tmp_path: Path,
) -> None:
    problem = Problem("a.yaml", 3, 5, "severity", "is not one of SEV1, SEV2", None, "error")
    cache = CheckCache(tmp_path, tmp_path / "incidents", '{"schema": 1}')
    cache.put(cache.key("a", b"id: a\n"), FileCheck({"id": "a"}, [problem]))
    cache.save()
    again = CheckCache(tmp_path, tmp_path / "incidents", '{"schema": 1}')
    found = again.get(again.key("a", b"id: a\n"), "incidents/a.yaml")
    assert found is not None and found.document == {"id": "a"}
    assert [(p.path, p.line, p.message) for p in found.problems] == [
        ("incidents/a.yaml", 3, "is not one of SEV1, SEV2")
    ]
    assert again.get(again.key("a", b"id: b\n"), "incidents/a.yaml") is None
    other_schema = CheckCache(tmp_path, tmp_path / "incidents", '{"schema": 2}')
    assert other_schema.get(other_schema.key("a", b"id: a\n"), "incidents/a.yaml") is None


def test_fingerprints_tell_partial_functions_apart_and_never_reuse_opaque_objects() -> None:
    lower = functools.partial(sorted, key=str.lower)
    assert fingerprint(lower) == fingerprint(functools.partial(sorted, key=str.lower))
    assert fingerprint(lower) != fingerprint(functools.partial(sorted, key=str.upper))
    opaque = object()
    assert fingerprint(opaque) != fingerprint(object())
    looped: list[object] = []
    looped.append(looped)
    assert fingerprint(looped) == fingerprint(looped)  # no endless recursion
