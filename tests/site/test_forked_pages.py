"""Incident pages made in two processes: the same pages, in the same order, whatever the child
does; its store writes, log records and failures come back to the building process."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from postmortems.core.cache import TextStore, fingerprint
from postmortems.site import forked_pages
from postmortems.site.forked_pages import can_fork as real_can_fork
from postmortems.site.forked_pages import made_in_two_processes
from postmortems.site.pages import GeneratedPage
from sitebuild import BuiltSite, build_site, hostile_project

INCIDENTS = 40
"""Incident pages in each test, then a few index pages."""


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 3 pages, a child for any number of incidents, whatever threads earlier tests
    left idle in this process (their servers; ``can_fork`` is tested on its own)."""
    monkeypatch.setattr(forked_pages, "CHUNK", 3)
    monkeypatch.setattr(forked_pages, "MIN_PAGES", 0)
    monkeypatch.setattr(forked_pages, "can_fork", lambda: True)


def pages(make: Callable[[int], str], store: TextStore | None = None) -> Iterator[GeneratedPage]:
    """``INCIDENTS`` incident pages, then 3 index pages; each made by ``make(number)``, through
    ``store`` when given (as ``StoredPages.text`` does)."""
    for number in range(INCIDENTS + 3):
        key = fingerprint(number)
        source = f"{number}.yaml" if number < INCIDENTS else None

        def made(number: int = number, key: bytes = key) -> str:
            if store is None:
                return make(number)
            text = store.get(key)
            if text is None:
                text = make(number)
                store.put(key, text)
            return text

        yield GeneratedPage(f"page-{number}.md", key, made, source)


def by_process(number: int) -> str:
    return f"page {number} made in {os.getpid()}"


def test_every_page_comes_in_order_and_the_child_makes_about_half_of_them() -> None:
    contents = [
        page.content
        for page in made_in_two_processes(pages(by_process), TextStore(None), INCIDENTS)
    ]
    assert [text.split(" made")[0] for text in contents] == [
        f"page {n}" for n in range(INCIDENTS + 3)
    ]
    here = f" made in {os.getpid()}"
    by_child = [n for n, text in enumerate(contents) if not text.endswith(here)]
    assert INCIDENTS // 3 <= len(by_child) <= 2 * INCIDENTS // 3
    assert all(n < INCIDENTS for n in by_child)  # index pages are made here


def test_a_child_ends_after_its_chunks_and_the_next_goes_on_where_the_pages_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forked_pages, "CHILD_CHUNKS", 2)
    made = made_in_two_processes(pages(by_process), TextStore(None), INCIDENTS)
    contents = [page.content for page in made]
    assert [text.split(" made")[0] for text in contents] == [
        f"page {n}" for n in range(INCIDENTS + 3)
    ]
    makers = [int(text.rsplit(" ", 1)[1]) for text in contents[:INCIDENTS]]
    children = set(makers) - {os.getpid()}
    # Chunks of 3: this process's are 0, 2 ... 12; the children's 1 and 3, 5 and 7, 9 and 11,
    # then 13, whose incident page is the last, 39.
    assert len(children) == 4
    assert makers.count(os.getpid()) == 21
    for pid in children:  # each ended and was waited for
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_below_the_threshold_every_page_is_made_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked_pages, "MIN_PAGES", INCIDENTS + 1)
    contents = [
        page.content
        for page in made_in_two_processes(pages(by_process), TextStore(None), INCIDENTS)
    ]
    assert all(text.endswith(f" made in {os.getpid()}") for text in contents)


def test_what_the_child_puts_in_the_store_is_put_by_this_process(tmp_path: Path) -> None:
    store = TextStore(tmp_path / "store.sqlite")
    contents = [
        page.content for page in made_in_two_processes(pages(by_process, store), store, INCIDENTS)
    ]
    store.close()
    again = TextStore(tmp_path / "store.sqlite", reader=True)
    assert [again.get(fingerprint(n)) for n in range(INCIDENTS + 3)] == contents


def test_pages_the_store_has_are_read_from_it_not_made_again(tmp_path: Path) -> None:
    store = TextStore(tmp_path / "store.sqlite")
    for number in range(INCIDENTS):
        store.put(fingerprint(number), f"stored {number}")
    store.close()
    store = TextStore(tmp_path / "store.sqlite")
    contents = [
        page.content for page in made_in_two_processes(pages(by_process, store), store, INCIDENTS)
    ]
    assert contents[:INCIDENTS] == [f"stored {n}" for n in range(INCIDENTS)]


def test_the_child_s_log_records_are_logged_here(caplog: pytest.LogCaptureFixture) -> None:
    def warning(number: int) -> str:
        logging.getLogger("mkdocs.plugins.test").warning(f"page {number} in {os.getpid()}")
        return str(number)

    with caplog.at_level(logging.WARNING):
        for page in made_in_two_processes(pages(warning), TextStore(None), INCIDENTS):
            assert page.content
    warned = [r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.test"]
    assert sorted(warned, key=lambda m: int(m.split()[1])) == warned  # in page order
    assert len(warned) == INCIDENTS + 3
    assert any(not message.endswith(f" in {os.getpid()}") for message in warned)


def test_what_the_child_logged_making_a_page_is_logged_only_if_the_page_is_taken(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A page the build does not take (a page of the docs folder replaces it) logs nothing,
    as it would not had it been made here."""

    def warning(number: int) -> str:
        logging.getLogger("mkdocs.plugins.test").warning(f"page {number}")
        return str(number)

    with caplog.at_level(logging.WARNING):
        for page in made_in_two_processes(pages(warning), TextStore(None), INCIDENTS):
            if page.src_uri != "page-4.md":  # made by the child (chunk 3 to 5)
                assert page.content
    warned = [r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.test"]
    assert warned == [f"page {n}" for n in range(INCIDENTS + 3) if n != 4]


def test_a_page_that_fails_in_the_child_fails_here_with_its_error() -> None:
    def failing(number: int) -> str:
        if number == 4:  # in the child's first chunk (3 to 5)
            raise ValueError("page 4 cannot be made")
        return str(number)

    made = made_in_two_processes(pages(failing), TextStore(None), INCIDENTS)
    with pytest.raises(ValueError, match="page 4 cannot be made"):
        for page in made:
            assert page.content


def test_a_child_that_dies_leaves_its_pages_to_this_process() -> None:
    parent = os.getpid()

    def dying(number: int) -> str:
        if number == 10 and os.getpid() != parent:  # in the child's second chunk (9 to 11)
            os._exit(3)
        return f"{number} made in {os.getpid()}"

    made = made_in_two_processes(pages(dying), TextStore(None), INCIDENTS)
    contents = [page.content for page in made]
    assert [text.split(" made")[0] for text in contents] == [str(n) for n in range(INCIDENTS + 3)]
    makers = [int(text.rsplit(" ", 1)[1]) for text in contents]
    children = set(makers) - {parent}
    assert [n for n, pid in enumerate(makers) if pid != parent] == [3, 4, 5]  # no other child
    with pytest.raises(ChildProcessError):  # reaped
        os.waitpid(children.pop(), os.WNOHANG)


def test_a_child_that_does_not_answer_in_time_is_ended_and_its_pages_made_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forked_pages, "ANSWER_SECONDS", 0.5)
    parent = os.getpid()

    def stalling(number: int) -> str:
        if number == 4 and os.getpid() != parent:  # in the child's first chunk (3 to 5)
            time.sleep(60)
        return f"{number} made in {os.getpid()}"

    started = time.monotonic()
    made = made_in_two_processes(pages(stalling), TextStore(None), INCIDENTS)
    contents = [page.content for page in made]
    assert time.monotonic() - started < 30
    assert contents == [f"{n} made in {parent}" for n in range(INCIDENTS + 3)]


def test_stopping_early_ends_the_child_at_once() -> None:
    made = made_in_two_processes(pages(by_process), TextStore(None), INCIDENTS)
    child = {int(page.content.rsplit(" ", 1)[1]) for page, _ in zip(made, range(8), strict=False)}
    made.close()
    others = child - {os.getpid()}
    assert len(others) == 1
    with pytest.raises(ChildProcessError):  # reaped already: no process left behind
        os.waitpid(others.pop(), os.WNOHANG)


@pytest.mark.parametrize(
    ("cpu_max", "cpus"),
    [
        ("max 100000\n", float("inf")),
        ("150000 100000\n", 1.5),
        ("200000 100000\n", 2.0),
        ("", float("inf")),
    ],
)
def test_a_container_s_cpu_quota_counts(tmp_path: Path, cpu_max: str, cpus: float) -> None:
    """With one CPU's worth of quota a child would only take turns with the build."""
    path = tmp_path / "cpu.max"
    path.write_text(cpu_max, encoding="ascii")
    assert forked_pages._cpu_quota(path) == cpus
    assert forked_pages._cpu_quota(tmp_path / "none") == float("inf")


def test_no_child_while_another_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked_pages, "can_fork", real_can_fork)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not real_can_fork()
        contents = [
            page.content
            for page in made_in_two_processes(pages(by_process), TextStore(None), INCIDENTS)
        ]
    finally:
        stop.set()
        thread.join()
    assert all(text.endswith(f" made in {os.getpid()}") for text in contents)


@pytest.mark.slow
def test_a_site_made_in_two_processes_is_the_one_made_in_one(
    hostile_site: BuiltSite,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The hostile project (fields Markdown fails on, that cost too much to convert, markup
    to sanitise), every other incident page made by a child: byte for byte the site made in
    one process."""
    monkeypatch.setattr(forked_pages, "CHUNK", 1)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # every page made anew
    project = hostile_project(tmp_path / "project")
    with caplog.at_level(logging.DEBUG, logger=forked_pages.log.logger.name):
        forked = build_site(project, tmp_path / "site")
    made = [r.getMessage() for r in caplog.records if "child processes" in r.getMessage()]
    assert len(made) == 1 and int(made[0].split()[1]) == 3, made  # 1, 3 and 5 of 7 incidents
    made_here, made_forked = site_files(hostile_site.site_dir), site_files(forked.site_dir)
    assert len(made_here) > 100
    assert made_here.keys() == made_forked.keys()
    assert [name for name in made_here if made_here[name] != made_forked[name]] == []


def site_files(site_dir: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site_dir).as_posix(): path.read_bytes()
        for path in sorted(site_dir.rglob("*"))
        if path.is_file()
    }
