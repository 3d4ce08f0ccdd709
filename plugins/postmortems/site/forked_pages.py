"""Incident pages made in two processes: a build with many to make forks a child that renders
chunks of them while this process renders the others and hands every page on in order.

Making an incident page (its template, each Markdown field through Python-Markdown and the
sanitiser) is pure Python: one core, about a quarter of a cold build at 10,000 incidents. A
child forked after loading holds the same pages in the same order (``site_pages`` is a
generator: the child has its own copy of it, at the same point) and needs nothing else.

What the child may touch is narrow: the page store through a connection of its own (a SQLite
connection must not cross a fork: ``TextStore.fork``), what it would put sent back for this
process to put, its log records sent back for this process to log (``--strict`` counts them
here), and a page that fails is left for this process to render again (it fails here the same
way). Forked only on Linux, with two cores or more, and with no other thread running (a lock
another thread holds would stay held in the child).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import struct
import sys
import threading
import warnings
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from typing import Any

from mkdocs.plugins import get_plugin_logger

from ..core.cache import TextStore
from .pages import GeneratedPage

log = get_plugin_logger(__name__)

CHUNK = 16
"""Pages the child renders per request: about 0.1 s of work, a message of a few hundred KB."""
AHEAD = 1
"""Chunks asked of the child before each chunk this process renders: every other chunk is the
child's (at 1,000 incidents this process then waited 0.5 s for it in all, the child less)."""
CHILD_CHUNKS = 16
"""Chunks one child renders before it ends and the next is forked where the pages have got to.
Each page either process writes after a fork is copied, the child's copy kept until it ends:
one child for a whole build of 10,000 incidents came to about 250 MB."""
MIN_PAGES = 128
"""Fewer incidents than this are made in this process alone (a fork costs milliseconds)."""
_HEADER = struct.Struct("!Q")

Result = tuple[list[tuple[int, str | None]], list[tuple[bytes, str]], list[bytes], list[Any]]
"""A chunk's answer: each page's Markdown (``None``: in the store, not an incident page, or
failed: this process makes it), the texts put, the keys read and the log records."""


def can_fork() -> bool:
    """Whether a child may be forked here and now (see the module). Threads an extension runs
    outside Python do not count: numpy's BLAS keeps a pool of them, idle between calls, which
    it shuts down before a fork (and the child does no arithmetic)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return sys.platform == "linux" and cores >= 2 and threading.active_count() == 1


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
    """``pages``, chunk by chunk: a chunk asked of a child comes from its answer. A child is
    forked at one of this process's chunks, where the pages have got to, and ends after
    ``CHILD_CHUNKS`` of its own."""
    child: _Child | None = None
    can_fork_more = True
    asked: deque[int] = deque()  # the chunks the child is rendering, in order
    answers: dict[int, str | None] = {}
    next_chunk = 0
    rendered = children = 0
    try:
        for index, page in enumerate(pages):
            chunk = index // CHUNK
            if page.source is None:  # incident pages come first: no more to make
                can_fork_more = False
                if child is not None:
                    child.stop()
            elif chunk == next_chunk:  # a chunk of this process's: first give a child work
                next_chunk += 1
                if child is not None and (not child.alive or child.asked == CHILD_CHUNKS):
                    can_fork_more = child.alive  # one that failed would fail again
                    child.close()  # it answered every chunk asked (``AHEAD`` is 1)
                    child = None
                if child is None and can_fork_more:
                    child = _Child.fork(pages, store, position=index + 1)
                    can_fork_more = child is not None
                    children += child is not None
                while child is not None and child.alive and len(asked) < AHEAD:
                    child.ask(next_chunk)
                    asked.append(next_chunk)
                    next_chunk += 1
            if asked and asked[0] == chunk and index % CHUNK == 0:
                asked.popleft()
                answer = child.answer(chunk, store) if child is not None else []
                answers = dict(answer)
                rendered += sum(text is not None for _, text in answer)
            text = answers.pop(index, None)
            yield page if text is None else page.made(text)
    finally:
        if child is not None:
            child.close()
    log.debug(f"{rendered} incident pages made in {children} child processes")


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
        request_read, request_write = os.pipe()
        answer_read, answer_write = os.pipe()
        try:
            with warnings.catch_warnings():  # Python 3.12+ counts BLAS's threads (``can_fork``)
                warnings.filterwarnings("ignore", "This process .* is multi-threaded")
                pid = store.fork()
        except OSError as error:
            for end in (request_read, request_write, answer_read, answer_write):
                os.close(end)
            log.debug(f"pages made in this process alone from here: no child ({error.strerror})")
            return None
        if pid == 0:  # the child: never returns
            status = 1
            try:
                os.close(request_write)
                os.close(answer_read)
                _serve(pages, position, store, request_read, answer_write)
                status = 0
            finally:
                os._exit(status)  # no cleanup of this process's state (the parent's connections)
        os.close(request_read)
        os.close(answer_write)
        return cls(pid, request_write, answer_read)

    def ask(self, chunk: int) -> None:
        """Ask for the pages of ``chunk``."""
        assert self._requests is not None
        self.asked += 1
        try:
            os.write(self._requests, _HEADER.pack(chunk))
        except OSError:
            self.alive = False

    def answer(self, chunk: int, store: TextStore) -> list[tuple[int, str | None]]:
        """The pages of ``chunk`` the child made (none if it failed); its store uses and log
        records are taken over here."""
        if not self.alive or self._answers is None:
            return []
        try:
            (size,) = _HEADER.unpack(_read_exactly(self._answers, _HEADER.size))
            answer: Result = pickle.loads(_read_exactly(self._answers, size))
        except (OSError, EOFError, pickle.UnpicklingError) as error:
            log.debug(f"a second process stopped at chunk {chunk}: {error}")
            self.alive = False
            return []
        pages, puts, reads, records = answer
        store.take_over(puts, reads)
        for record in records:
            logging.getLogger(record.name).handle(record)
        return pages

    def stop(self) -> None:
        """No more chunks: the child ends once it answered those asked."""
        if self._requests is not None:
            os.close(self._requests)
            self._requests = None

    def close(self) -> None:
        """End the child (at once, whatever it was doing) and wait for it."""
        self.stop()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        if self._answers is not None:
            os.close(self._answers)
            self._answers = None
        self.alive = False


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
        record.exc_info = record.exc_text = None
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
        made: list[tuple[int, str | None]] = []
        for index in range(chunk * CHUNK, (chunk + 1) * CHUNK):
            page = None
            while not finished and position <= index:  # past this process's chunks
                page = next(pages, None)
                position += 1
                finished = page is None or page.source is None
            if finished or page is None:
                break
            made.append((index, _made(page, store)))
        puts, reads = store.taken()
        answer = pickle.dumps((made, puts, reads, records.records), pickle.HIGHEST_PROTOCOL)
        records.records = []
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
