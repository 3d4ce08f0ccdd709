"""What a preview writes after its build (search index, exports), in a thread of its own.

A preview answers as soon as its pages are written; the rest catches up in the background. At
10,000 incidents that writing takes about 25 s, in Python (one interpreter lock for both
threads): a save soon after a rebuild would be rebuilt at half speed meanwhile. So the writing
pauses while a build runs, at points where it holds nothing a build needs.
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

PACE = 32
"""Items written between two looks at whether a build has started."""


class Background:
    """One preview's background writing: each build's jobs run one after the other, after the
    jobs of earlier builds, paused while a build runs (``paced``), and none once a later build's
    jobs make them needless."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._superseded: threading.Event | None = None
        self._between_builds = threading.Event()
        self._between_builds.set()

    def build_started(self) -> None:
        """Pause the writing (at its next ``paced`` item) until ``build_ended``."""
        self._between_builds.clear()

    def build_ended(self) -> None:
        self._between_builds.set()

    def paced(self, items: Iterable[T]) -> Iterator[T]:
        """``items``, waiting between them while a build runs."""
        for count, item in enumerate(items):
            if count % PACE == 0:
                self._between_builds.wait()
            yield item

    def start(self, jobs: list[Callable[[], None]]) -> None:
        """Run ``jobs`` once the writing of earlier builds is done; what is left of that is
        skipped (``jobs`` write everything again)."""
        if self._superseded is not None:
            self._superseded.set()
        self._superseded = threading.Event()
        self._thread = threading.Thread(
            target=_run_after, args=(self._thread, jobs, self._superseded), daemon=True
        )
        self._thread.start()

    def join(self) -> None:
        """Wait until every job started is done (they run on, even during a build)."""
        self._between_builds.set()
        if self._thread is not None:
            self._thread.join()

    def stop(self) -> None:
        """Skip the jobs not yet started, and wait for the one under way."""
        if self._superseded is not None:
            self._superseded.set()
        self.join()


def _run_after(
    previous: threading.Thread | None,
    jobs: Iterable[Callable[[], None]],
    superseded: threading.Event,
) -> None:
    """Run ``jobs`` one after the other once ``previous`` is done, but none once ``superseded``;
    a failure is logged (no build is left to fail) and the next job still runs."""
    if previous is not None:
        previous.join()
    for job in jobs:
        if superseded.is_set():
            return
        try:
            job()
        except PluginError as error:
            log.error(str(error))
        except Exception as error:  # the thread's end: shown, not lost
            log.error(inert(f"postmortems: background writing failed: {error!r}"))
