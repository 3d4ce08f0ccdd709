"""What a preview writes after its build (search index, exports, the page store), in a thread.

A preview answers as soon as its pages are written; the rest catches up in the background. At
10,000 incidents that writing takes about 25 s, mostly in Python (one interpreter lock for both
threads): a save soon after a rebuild would be rebuilt at half speed meanwhile. So the writing
pauses while a build runs, between the pages it gives the search index and between the pieces
of each export it writes (an export made in one piece, and the store's writing, which SQLite
does mostly outside the lock, run to their end).

Every method but ``paced`` is called from the thread that builds; ``paced`` runs in the writer's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from ..core.terminal import inert

log = get_plugin_logger(__name__)

T = TypeVar("T")

ITEMS_BETWEEN_PAUSES = 32
"""Items written between two looks at whether a build has started."""
THREAD_NAME = "postmortems-background"
"""The name of the threads that do the writing."""


class Background:
    """One preview's background writing: each build's jobs run one after the other, after the
    jobs of earlier builds, paused while a build runs (``paced``); a build's replaceable jobs
    are skipped once a later build's replace them."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._superseded: threading.Event | None = None
        self._stopping = threading.Event()
        self._kept_waiting = 0
        self._lock = threading.Lock()
        self._between_builds = threading.Event()
        self._between_builds.set()
        self._builds = 0
        """How many builds have started."""

    @property
    def keeping(self) -> bool:
        """Whether a ``kept`` job waits for its turn."""
        with self._lock:
            return self._kept_waiting > 0

    def _kept(self, job: Callable[[], None]) -> Callable[[], None]:
        """``job``, counted as waiting until it runs."""
        with self._lock:
            self._kept_waiting += 1

        def run() -> None:
            with self._lock:
                self._kept_waiting -= 1
            job()

        return run

    @property
    def paused(self) -> bool:
        """Whether the writing waits for a build to end."""
        return not self._between_builds.is_set()

    def build_started(self) -> None:
        """Pause the writing (at its next ``paced`` item) until ``build_ended``."""
        self._stopping.clear()
        self._between_builds.clear()
        self._builds += 1

    def build_ended(self) -> None:
        self._between_builds.set()

    def between_builds(self, job: Callable[[], None]) -> Callable[[], None]:
        """``job`` as a job of this build that runs once no build runs: skipped once another
        build has started (its own ``between_builds`` job does it then) or the preview stops."""
        build = self._builds

        def run() -> None:
            self._between_builds.wait()
            if self._builds == build and not self._stopping.is_set():
                job()

        return run

    def paced(self, items: Iterable[T]) -> Iterator[T]:
        """``items``, waiting between them while a build runs."""
        for count, item in enumerate(items):
            if count % ITEMS_BETWEEN_PAUSES == 0:
                self._between_builds.wait()
            yield item

    def start(
        self, replaceable: list[Callable[[], None]], kept: Callable[[], None] | None = None
    ) -> None:
        """Once the writing of earlier builds is done, run ``kept`` (unless the preview stops),
        then ``replaceable``: the replaceable jobs of earlier builds not started yet are skipped
        (these write everything again)."""
        if self._superseded is not None:
            self._superseded.set()
        self._superseded = threading.Event()
        stages = [([] if kept is None else [self._kept(kept)], self._stopping)]
        stages.append((replaceable, self._superseded))
        self._thread = threading.Thread(
            target=_run_after, args=(self._thread, stages), name=THREAD_NAME, daemon=True
        )
        self._thread.start()

    def join(self) -> None:
        """Wait until every job started is done; until the next build starts, they run on
        without pausing."""
        self._between_builds.set()
        if self._thread is not None:
            self._thread.join()

    def stop(self) -> None:
        """Skip every job not yet started, and wait for the one under way."""
        self._stopping.set()
        if self._superseded is not None:
            self._superseded.set()
        self.join()
        with self._lock:
            self._kept_waiting = 0  # the kept jobs skipped


def _run_after(
    previous: threading.Thread | None,
    stages: Iterable[tuple[Iterable[Callable[[], None]], threading.Event]],
) -> None:
    """Once ``previous`` is done, run the jobs of each stage one after the other, but none of a
    stage once its event is set. A failure is logged (no build is left to fail) and the next
    job still runs."""
    if previous is not None:
        previous.join()
    for jobs, skip in stages:
        for job in jobs:
            if skip.is_set():
                break
            try:
                job()
            except PluginError as error:
                log.error(str(error))
            except Exception as error:  # the thread's end: shown, not lost
                log.error(inert(f"postmortems: background writing failed: {error!r}"))
