"""Incident pages made in two processes: a build with many to make forks a child that renders
chunks of them while this process renders the others and hands every page on in order.

Making an incident page (its template, each Markdown field through Python-Markdown and the
sanitiser) is pure Python: one core, about a quarter of a cold build at 10,000 incidents. A
child forked where the pages have got to holds the same pages in the same order (``site_pages``
is a generator: the child has its own copy of it, at the same point) and needs nothing else.

What the child may touch is narrow: the page store through a connection of its own (a SQLite
connection must not cross a fork: ``TextStore.detach``), what it would put sent back for this
process to put, each page's log records sent back and logged here when the page is taken
(``--strict`` counts them here), and a page that fails or is too big to send is left for this
process to make (a failure fails here the same way). Forked only on Linux, with two cores or
more, and with no other Python thread running (a lock another thread holds would stay held in
the child); from the fork to the child's guard that ends it, interrupts wait.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import pickle
import select
import signal
import struct
import sys
import threading
import warnings
from collections.abc import Generator, Iterable, Iterator, Sequence
from pathlib import Path

from mkdocs.plugins import get_plugin_logger

from ..core.cache import TextStore
from .pages import GeneratedPage

log = get_plugin_logger(__name__)

CHUNK = 16
"""Pages in a chunk: the child renders every other chunk (about 0.2 s of work each)."""
CHILD_CHUNKS = 16
"""Chunks one child renders before it ends and the next is forked where the pages have got to.
Each page either process writes after a fork is copied, the child's copy kept until it ends:
one child for a whole build of 10,000 incidents came to about 230 MB."""
MIN_PAGES = 128
"""Fewer incidents than this are made in this process alone (a fork costs milliseconds)."""
ANSWER_CHARACTERS = 8_000_000
"""Most characters of pages in one answer: the rest of its chunk is made here (an answer is
held whole, three times over, while it is read)."""
ANSWER_SECONDS = 300.0
"""Longest wait for a chunk (16 of the costliest pages ``validate`` accepts take about 150 s):
a child that has not answered by then is ended, and its chunk made here."""
_HEADER = struct.Struct("!Q")

Made = tuple[int, str, list[logging.LogRecord]]
"""A page the child made: its index, its Markdown and the records logged while making it."""


def can_fork() -> bool:
    """Whether a child may be forked here and now (see the module). Threads an extension runs
    outside Python do not count: numpy's OpenBLAS keeps a pool of them, idle between calls,
    which it stops before a fork (and the child does no arithmetic)."""
    if sys.platform != "linux" or threading.active_count() != 1:
        return False
    return min(len(os.sched_getaffinity(0)), _cpu_quota()) >= 2


def _cpu_quota(path: Path = Path("/sys/fs/cgroup/cpu.max")) -> float:
    """The CPUs a container's quota gives this process (cgroup v2; unlimited if none)."""
    try:
        quota, period = path.read_text(encoding="ascii").split()[:2]
        return float("inf") if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        return float("inf")


def made_in_two_processes(
    pages: Iterable[GeneratedPage], store: TextStore, incidents: int
) -> Generator[GeneratedPage, None, None]:
    """``pages``, their incident pages made by forked children and by this process in turn;
    every page as ``site_pages`` gives it (each ``content`` the same) when no child can be
    made or one fails. Close it to end the child at once."""
    iterator = iter(pages)
    if incidents < MIN_PAGES or not can_fork():
        yield from iterator
        return
    yield from _alongside(iterator, store)


def _alongside(pages: Iterator[GeneratedPage], store: TextStore) -> Iterator[GeneratedPage]:
    """``pages``, chunk by chunk: this process's chunk, then one asked of a child, whose pages
    come from its answer. A child is forked at one of this process's chunks, where the pages
    have got to, and ends after ``CHILD_CHUNKS`` of its own."""
    child: _Child | None = None
    may_fork = True
    asked: int | None = None  # the chunk the child is rendering
    answers: dict[int, Made] = {}
    made = children = 0
    try:
        for index, page in enumerate(pages):
            chunk, first = divmod(index, CHUNK)
            if page.source is None:  # incident pages come first: no more to make
                may_fork = False
                if child is not None:
                    child.stop()
            elif first == 0 and chunk != asked:  # one of this process's: first give a child one
                if child is not None and (not child.alive or child.asked == CHILD_CHUNKS):
                    may_fork = child.alive  # one that failed would fail again
                    child.close()  # done with its chunks, or dead
                    child = None
                if child is None and may_fork:
                    child = _Child.fork(pages, store, position=index + 1)
                    may_fork = child is not None
                    children += child is not None
                if child is not None and child.alive:
                    asked = chunk + 1
                    child.ask(asked)
            if first == 0 and chunk == asked:
                assert child is not None  # it was asked
                answers = {entry[0]: entry for entry in child.answer(chunk, store)}
                made += len(answers)
                asked = None
            answer = answers.pop(index, None)
            yield page if answer is None else _as_made(page, answer)
    finally:
        if child is not None:
            child.close()
    log.debug(f"{made} incident pages made in {children} child processes")


def _as_made(page: GeneratedPage, made: Made) -> GeneratedPage:
    """``page`` with the Markdown the child made; what it logged making it is logged here when
    the page is taken, as it would have been had it been made here."""
    _, text, records = made

    def taken() -> str:
        for record in records:
            logging.getLogger(record.name).handle(record)
        return text

    return dataclasses.replace(page, make=taken)


class _Child:
    """A forked child, seen from this process: ask it for a chunk, read its answer."""

    def __init__(self, pid: int, requests: int, answers: int) -> None:
        self.pid = pid
        self._requests: int | None = requests
        self._answers: int | None = answers
        self.alive = True
        self.asked = 0
        """How many chunks it was asked for."""

    @classmethod
    def fork(cls, pages: Iterator[GeneratedPage], store: TextStore, position: int) -> _Child | None:
        """A child holding ``pages`` as they are here, at ``position`` (the index of the page
        they give next); ``None`` if none can be made."""
        ends: list[int] = []
        try:
            ends += os.pipe()
            ends += os.pipe()
        except OSError as error:
            _no_child(ends, error)
            return None
        request_read, request_write, answer_read, answer_write = ends
        detached = store.detach()
        interrupts = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        try:
            with warnings.catch_warnings():  # Python 3.12+ counts BLAS's threads (``can_fork``)
                warnings.filterwarnings("ignore", "This process .* is multi-threaded")
                pid = os.fork()
        except BaseException as error:
            store.attach(detached, in_child=False)
            _no_child(ends, error)
            signal.pthread_sigmask(signal.SIG_SETMASK, interrupts)
            if not isinstance(error, OSError):
                raise
            return None
        if pid == 0:  # the child: ends here, whatever happens
            status = 1
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, interrupts)
                os.close(request_write)
                os.close(answer_read)
                store.attach(detached, in_child=True)
                _serve(pages, position, store, request_read, answer_write)
                status = 0
            finally:
                os._exit(status)  # none of this process's cleanup (its files, its build)
        store.attach(detached, in_child=False)
        os.close(request_read)
        os.close(answer_write)
        child = cls(pid, request_write, answer_read)
        try:  # a signal that came during the fork is handled here, the child known
            signal.pthread_sigmask(signal.SIG_SETMASK, interrupts)
        except BaseException:
            child.close()
            raise
        return child

    def ask(self, chunk: int) -> None:
        """Ask for the pages of ``chunk``."""
        assert self._requests is not None
        self.asked += 1
        try:
            os.write(self._requests, _HEADER.pack(chunk))
        except OSError:
            self.alive = False

    def answer(self, chunk: int, store: TextStore) -> list[Made]:
        """The pages of ``chunk`` the child made (none if it failed or took too long); what it
        put in the store is put here."""
        if not self.alive or self._answers is None:
            return []
        try:
            waiting = select.poll()
            waiting.register(self._answers, select.POLLIN)
            if not waiting.poll(ANSWER_SECONDS * 1000):
                raise TimeoutError(f"no answer in {ANSWER_SECONDS:.0f} s")
            (size,) = _HEADER.unpack(_read_exactly(self._answers, _HEADER.size))
            made, puts, reads = pickle.loads(_read_exactly(self._answers, size))
        except Exception as error:  # a child that died, hangs, or an answer too big to hold
            log.debug(f"a child process stopped at chunk {chunk}: {error!r}")
            self.close()
            return []
        store.take_over(puts, reads)
        return list(made)

    def stop(self) -> None:
        """No more chunks: the child ends once it answered those asked."""
        if self._requests is not None:
            os.close(self._requests)
            self._requests = None

    def close(self) -> None:
        """End the child (at once, whatever it was doing) and wait for it."""
        self.stop()
        if self._answers is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        os.close(self._answers)
        self._answers = None
        self.alive = False


def _no_child(ends: Sequence[int], error: BaseException) -> None:
    """Close the pipes' ``ends``; say why no child was made."""
    for end in ends:
        os.close(end)
    log.debug(f"pages made in this process alone from here: no child ({error})")


def _read_exactly(fd: int, size: int) -> bytes:
    parts = []
    while size:
        part = os.read(fd, min(size, 1 << 20))
        if not part:
            raise EOFError("no answer")
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


class _Records(logging.Handler):
    """The child's log records, kept to be sent to the parent."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None  # its arguments may not pickle
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
        self.records.append(record)


def _serve(
    pages: Iterator[GeneratedPage], position: int, store: TextStore, requests: int, answers: int
) -> None:
    """The child: render the incident pages of each chunk asked, until no more are;
    ``position`` is the index of the page ``pages`` gives next."""
    records = _Records()
    for logger in [logging.root, *logging.Logger.manager.loggerDict.values()]:
        if isinstance(logger, logging.Logger):
            logger.handlers = []
            logger.propagate = True
    logging.root.handlers = [records]
    finished = False  # past the incident pages: nothing further to make
    while True:
        try:
            (chunk,) = _HEADER.unpack(_read_exactly(requests, _HEADER.size))
        except EOFError:
            return
        made: list[Made] = []
        characters = 0
        for index in range(chunk * CHUNK, (chunk + 1) * CHUNK):
            page = None
            while not finished and position <= index:  # past this process's chunks
                page = next(pages, None)
                position += 1
                finished = page is None or page.source is None
            if finished or page is None:
                break
            records.records = []  # what stepping past pages logged: the parent logs it too
            text = _made(page, store) if characters <= ANSWER_CHARACTERS else None
            page_records, records.records = records.records, []
            if text is not None:
                made.append((index, text, page_records))
                characters += len(text)
        answer = pickle.dumps((made, *store.taken()), pickle.HIGHEST_PROTOCOL)
        os.write(answers, _HEADER.pack(len(answer)))
        view = memoryview(answer)
        while view:
            view = view[os.write(answers, view) :]


def _made(page: GeneratedPage, store: TextStore) -> str | None:
    """The page's Markdown, or ``None`` when the store has it (the parent reads it there) or
    making it failed (the parent fails the same way, and says why)."""
    if store.get(page.key) is not None:
        return None
    try:
        return page.content
    except Exception:
        return None
