"""The store of rendered HTML kept between builds: it only ever costs speed, never a build."""

from __future__ import annotations

import functools
import os
import pickle
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from postmortems.core import cache as cache_module
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


def test_a_reader_reads_what_was_kept_while_a_build_writes_and_never_waits_or_writes(
    tmp_path: Path,
) -> None:
    """A preview writes its exports in the background through a reader while the next build
    may be writing: the reader sees the texts kept so far, waits for nothing, adds nothing."""
    path = tmp_path / "texts.sqlite"
    kept = TextStore(path)
    kept.put(fingerprint("kept"), "kept text")
    kept.close()
    writing = TextStore(path)
    writing.put(fingerprint("new"), "not kept yet")  # its transaction stays open
    reader = TextStore(path, reader=True)
    assert reader.get(fingerprint("kept")) == "kept text"
    assert reader.get(fingerprint("new")) is None
    reader.put(fingerprint("mine"), "ignored")
    reader.close()
    writing.close()
    assert TextStore(path).get(fingerprint("mine")) is None
    assert TextStore(tmp_path / "none.sqlite", reader=True).get(fingerprint("kept")) is None
    assert not (tmp_path / "none.sqlite").exists()


def test_a_deferred_store_writes_what_was_put_only_when_its_closing_call_runs_in_any_thread(
    tmp_path: Path,
) -> None:
    """A preview's rebuild answers before its rendered texts are written: they are read back
    from memory meanwhile, and written by the background writer's thread."""
    path = tmp_path / "texts.sqlite"
    TextStore(path).close()
    store = TextStore(path, deferred=True)
    made: list[str] = []
    store.put(fingerprint("page"), "<p>page</p>")
    store.put_lazily(fingerprint("entry"), lambda: made.append("entry") or '{"html": ""}', size=12)
    assert store.get(fingerprint("page")) == "<p>page</p>"
    keep = store.close_later()
    with closing(TextStore(path, reader=True)) as reader:
        assert reader.get(fingerprint("page")) is None
    assert made == []  # made by the background writer, not by the build
    writer = threading.Thread(target=keep)
    writer.start()
    writer.join()
    with closing(TextStore(path)) as again:
        assert again.get(fingerprint("page")) == "<p>page</p>"
        assert again.get(fingerprint("entry")) == '{"html": ""}' and made == ["entry"]


def test_a_deferred_store_writes_at_once_what_is_more_than_it_may_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild of every page (a template edited) must not hold every page in memory."""
    monkeypatch.setattr(cache_module, "DEFERRED_CHARACTERS", 10)
    path = tmp_path / "texts.sqlite"
    store = TextStore(path, deferred=True)
    store.put(fingerprint("first"), "12345678")
    store.put(fingerprint("second"), "12345678")  # over the limit: both written now
    store.put(fingerprint("third"), "123")
    assert store.get(fingerprint("first")) == "12345678"
    keep = store.close_later()
    with closing(TextStore(path, reader=True)) as reader:
        assert reader.get(fingerprint("second")) == "12345678"
    keep()
    with closing(TextStore(path)) as again:
        texts = [again.get(fingerprint(key)) for key in ("first", "second", "third")]
    assert texts == ["12345678", "12345678", "123"]


def test_a_build_writing_beyond_its_limit_leaves_the_lock_to_an_earlier_builds_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An earlier rebuild's texts are written in the background while the next one renders:
    they must not wait for that build's end (and be dropped after the lock's timeout)."""
    path = tmp_path / "texts.sqlite"
    TextStore(path).close()
    earlier = TextStore(path, deferred=True)
    earlier.put(fingerprint("earlier"), "<p>earlier</p>")
    keep_earlier = earlier.close_later()
    monkeypatch.setattr(cache_module, "DEFERRED_CHARACTERS", 4)
    building = TextStore(path, deferred=True)
    building.put(fingerprint("big"), "<p>beyond the limit</p>")  # written at once
    keep_earlier()
    building.close()
    with closing(TextStore(path, reader=True)) as reader:
        assert reader.get(fingerprint("earlier")) == "<p>earlier</p>"
        assert reader.get(fingerprint("big")) == "<p>beyond the limit</p>"


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


class Clock:
    """Time that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _count(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        (count,) = connection.execute("SELECT count(*) FROM texts").fetchone()
    return int(count)


def test_runs_that_use_few_entries_keep_what_the_pages_were_made_from(tmp_path: Path) -> None:
    """A cached build reads its pages, not the fields they were made from; a preview's rebuild
    reads fewer still: neither throws the rest away (the next build would start cold)."""
    path, clock = tmp_path / "texts.sqlite", Clock()
    full = TextStore(path, clock)
    for number in range(5000):
        full.put(fingerprint(number), "field")
    full.close()
    for run in range(12):
        clock.now += 60
        small = TextStore(path, clock)
        assert small.get(fingerprint(run)) == "field"
        small.put(fingerprint("edited", run), "page")
        small.close()
    assert _count(path) == 5012
    assert TextStore(path, clock).get(fingerprint(4999)) == "field"


def test_the_store_stays_within_four_times_the_biggest_run_dropping_the_oldest_first(
    tmp_path: Path,
) -> None:
    path, clock = tmp_path / "texts.sqlite", Clock()
    for run in range(6):  # six builds after six settings changes: each page's HTML changes
        clock.now += 60
        store = TextStore(path, clock)
        for number in range(2000):
            store.put(fingerprint(run, number), f"run {run}")
        store.close()
    assert _count(path) <= 4 * 2000
    newest = TextStore(path, clock)
    assert newest.get(fingerprint(5, 1999)) == "run 5"
    assert newest.get(fingerprint(0, 0)) is None


def test_entries_no_run_used_for_a_month_are_dropped(tmp_path: Path) -> None:
    path, clock = tmp_path / "texts.sqlite", Clock()
    store = TextStore(path, clock)
    store.put(fingerprint("old"), "old")
    store.put(fingerprint("kept"), "kept")
    store.close()
    clock.now += 20 * 24 * 3600
    reader = TextStore(path, clock)
    assert reader.get(fingerprint("kept")) == "kept"
    reader.close()
    clock.now += 20 * 24 * 3600
    TextStore(path, clock).close()  # any run, even one that uses nothing
    later = TextStore(path, clock)
    assert later.get(fingerprint("old")) is None
    assert later.get(fingerprint("kept")) == "kept"


def test_a_store_of_an_older_layout_starts_over(tmp_path: Path) -> None:
    path = tmp_path / "texts.sqlite"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE texts (key BLOB PRIMARY KEY, text TEXT NOT NULL)")
        connection.execute("INSERT INTO texts VALUES (?, ?)", (fingerprint("a"), "old layout"))
        connection.commit()
    store = TextStore(path)
    assert store.get(fingerprint("a")) is None
    store.put(fingerprint("a"), "text")
    store.close()
    assert TextStore(path).get(fingerprint("a")) == "text"


def test_fingerprints_do_not_depend_on_where_objects_live_in_memory() -> None:
    class Formatter:
        def __call__(self) -> None: ...

    assert fingerprint({"format": len, "b": [1, 2]}) == fingerprint({"format": len, "b": [1, 2]})
    assert fingerprint({"a": 1, "b": 2}) != fingerprint({"b": 2, "a": 1})  # a page lists in order
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
    assert fingerprint(looped) != fingerprint(looped)  # no endless recursion, never reused


def test_a_forked_child_reads_the_store_and_hands_back_what_it_puts(tmp_path: Path) -> None:
    """A build forks a child to make pages: the child reads what the parent wrote so far
    (committed at the fork), writes nothing itself, and what it puts reaches the store through
    the parent; the parent's connection goes on working."""
    path = tmp_path / "texts.sqlite"
    store = TextStore(path)
    store.put(fingerprint("before"), "written before the fork")
    read, write = os.pipe()
    detached = store.detach()
    pid = os.fork()
    if pid == 0:  # the child
        status = 1
        try:
            store.attach(detached, in_child=True)
            found = store.get(fingerprint("before"))
            store.put(fingerprint("child"), "made in the child")
            puts, reads = store.taken()
            os.write(write, pickle.dumps((found, puts, reads)))
            status = 0
        finally:
            os._exit(status)
    store.attach(detached, in_child=False)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        found, puts, reads = pickle.loads(answer.read())
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert found == "written before the fork"
    assert puts == [(fingerprint("child"), "made in the child")]
    assert reads == [fingerprint("before")]
    assert TextStore(path, reader=True).get(fingerprint("child")) is None  # the child wrote none
    store.take_over(puts, reads)
    store.put(fingerprint("after"), "written after the fork")
    store.close()
    again = TextStore(path)
    assert again.get(fingerprint("child")) == "made in the child"
    assert again.get(fingerprint("after")) == "written after the fork"
