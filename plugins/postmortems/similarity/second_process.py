"""The failure-mode analysis of many stories, in a second process while this one counts terms.

The two take about as long at 10,000 incidents (~1.8 s each), so a second core nearly halves
their sum. The second process runs this interpreter isolated (``-I``: no working folder, user
site folder nor ``PYTHON*`` variable on its import path), adds only the folder this package
was loaded from, and checks that it runs this very ``mechanisms`` module (a plugin such as
mkdocs-macros may put a project's folder on this process's path: it never reaches that one).
It gives back exactly what ``mechanisms.analyse_all`` gives here; should it fail in any way
(its libraries not found without ``PYTHONPATH``, say), the stories are analysed here instead.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
from types import TracebackType

from . import mechanisms

Told = list[dict[str, list[str]]]

SECOND_PROCESS_CHARACTERS = 4_000_000
"""Below this many characters of stories in all (about 2,000 incidents), the analysis stays in
this process: starting another takes ~0.4 s."""

_CHILD = f"""\
import pickle, sys
root, expected, texts = pickle.load(sys.stdin.buffer)
sys.path.insert(0, root)
from {__package__} import mechanisms
if mechanisms.__file__ != expected:
    sys.exit(3)
pickle.dump(mechanisms.analyse_all(texts), sys.stdout.buffer, pickle.HIGHEST_PROTOCOL)
"""
"""What the second process runs: it reads the texts first (the writer never waits for its
imports)."""
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(mechanisms.__file__)))
"""The folder this package was loaded from (``mechanisms.py`` is in its ``similarity``)."""


class Analysis:
    """``mechanisms.analyse_all(texts)``, begun when made: in a second process when the texts
    are many and this process may run on two cores, else here once ``result`` is asked for.
    Use it as a context manager: leaving it stops a second process still running."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)
        self._told: Told | None = None
        self._child: subprocess.Popen[bytes] | None = None
        if sum(map(len, self.texts)) >= SECOND_PROCESS_CHARACTERS and _cores() >= 2:
            self._child = _started(self.texts)

    def result(self) -> Told:
        """What the texts tell, each text's in its place (waits for the second process)."""
        if self._told is None:
            told = _received(self._child, len(self.texts)) if self._child is not None else None
            self._child = None
            self._told = told if told is not None else mechanisms.analyse_all(self.texts)
        return self._told

    def __enter__(self) -> Analysis:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._child is not None:
            self._child.kill()
            _closed(self._child)
            self._child = None


def _cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every system
        return os.cpu_count() or 1


def _started(texts: list[str]) -> subprocess.Popen[bytes] | None:
    """The second process, analysing ``texts``, or None when it cannot be started."""
    if not sys.executable:
        return None
    try:
        child = subprocess.Popen(
            [sys.executable, "-I", "-c", _CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None
    assert child.stdin is not None
    try:
        with child.stdin:
            pickle.dump((_ROOT, mechanisms.__file__, texts), child.stdin, pickle.HIGHEST_PROTOCOL)
    except OSError:  # it ended before reading them all
        child.kill()
        _closed(child)
        return None
    return child


def _received(child: subprocess.Popen[bytes], count: int) -> Told | None:
    """The second process's result, or None when it failed."""
    assert child.stdout is not None
    try:
        told = pickle.load(child.stdout)
    except (OSError, EOFError, pickle.UnpicklingError):
        told = None
    _closed(child)
    if child.returncode != 0 or not isinstance(told, list) or len(told) != count:
        return None
    return told


def _closed(child: subprocess.Popen[bytes]) -> None:
    """Wait for the second process's end and close its pipes."""
    if child.stdout is not None:
        child.stdout.close()
    child.wait()
