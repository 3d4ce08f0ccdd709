"""The failure-mode analysis of many stories, in a second process while this one counts terms.

The two take about as long at 10,000 incidents (~1.8 s each), so a second core nearly halves
their sum. The second process runs this interpreter isolated (``-I``: neither the working
folder, the user's site folder nor a ``PYTHON*`` variable reaches its import path; a plugin
such as mkdocs-macros may put a project's folder on this process's path, never on that one),
finds this package where this process loaded it, and runs only if its ``mechanisms`` module is
this very one (same file, same text). Its answer is JSON, checked for its shape before use.
Should it fail in any way (not start, answer nothing or nonsense, take far too long), the
stories are analysed here instead: the result is always what ``mechanisms.analyse_all`` gives.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from . import mechanisms

Told = list[dict[str, list[str]]]

SECOND_PROCESS_CHARACTERS = 4_000_000
"""Below this many characters of stories in all (about 2,000 incidents), the analysis stays in
this process: starting another takes ~0.3 s."""

SECONDS_PER_MILLION_CHARACTERS = 5.0
"""With ``BASE_SECONDS``, how long the second process may take (it needs ~0.1 s per million
characters); past that it is stopped and the stories are analysed here."""
BASE_SECONDS = 30.0

_MODULE = Path(mechanisms.__file__)
_SOURCE = hashlib.sha256(_MODULE.read_bytes()).hexdigest()
"""The text of the ``mechanisms`` module this process runs (a file edited since differs)."""

_CHILD = f"""\
import hashlib, json, pickle, sys
root, module, source, texts = pickle.load(sys.stdin.buffer)
if root not in sys.path:
    sys.path.append(root)
from {__package__} import mechanisms
with open(mechanisms.__file__, "rb") as code:
    if mechanisms.__file__ != module or hashlib.sha256(code.read()).hexdigest() != source:
        sys.exit(3)
sys.stdout.write(json.dumps(mechanisms.analyse_all(texts)))
"""
"""What the second process runs: it reads the texts first (the writer never waits for its
imports); this package's folder comes after the standard library on its path."""


class Analysis:
    """``mechanisms.analyse_all(texts)``, begun when made: in a second process when the texts
    are many and this process may run on two cores, else here once ``result`` is asked for.
    Use it as a context manager: leaving it stops a second process still running."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)
        self._told: Told | None = None
        self._exchange: _Exchange | None = None
        size = sum(map(len, self.texts))
        if size >= SECOND_PROCESS_CHARACTERS and _cores() >= 2 and _runnable():
            self._exchange = _Exchange.started(self.texts, size)

    def result(self) -> Told:
        """What the texts tell, each text's in its place (waits for the second process)."""
        if self._told is None:
            told = self._exchange.answer(len(self.texts)) if self._exchange else None
            self._exchange = None
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
        if self._exchange is not None:
            self._exchange.stop()
            self._exchange = None


class _Exchange:
    """The second process, and a thread that gives it the texts and reads its answer (neither
    side ever waits on a full pipe)."""

    def __init__(self, child: subprocess.Popen[bytes], payload: bytes, seconds: float) -> None:
        self.child = child
        self.reply: bytes | None = None
        self.thread = threading.Thread(target=self._talk, args=(payload, seconds), daemon=True)
        self.thread.start()

    @classmethod
    def started(cls, texts: list[str], size: int) -> _Exchange | None:
        """The exchange with a new second process, or None when none can be started."""
        root = str(_MODULE.parent.parent.parent)
        payload = pickle.dumps((root, str(_MODULE), _SOURCE, texts), pickle.HIGHEST_PROTOCOL)
        seconds = BASE_SECONDS + SECONDS_PER_MILLION_CHARACTERS * size / 1e6
        try:
            child = subprocess.Popen(
                [sys.executable, "-I", "-c", _CHILD],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return None
        try:
            return cls(child, payload, seconds)
        except BaseException:  # no thread (KeyboardInterrupt, out of threads): no child left
            child.kill()
            child.communicate()
            raise

    def _talk(self, payload: bytes, seconds: float) -> None:
        try:
            reply, _ = self.child.communicate(payload, timeout=seconds)
        except (OSError, ValueError, subprocess.TimeoutExpired):  # too slow, or its pipes broke
            self.child.kill()
            with contextlib.suppress(OSError, ValueError):
                self.child.communicate()  # its end; its output closed
            if self.child.stdin is not None:  # left open by a second ``communicate``
                with contextlib.suppress(OSError):
                    self.child.stdin.close()
            return
        if self.child.returncode == 0:
            self.reply = reply

    def answer(self, count: int) -> Told | None:
        """The second process's analysis of ``count`` texts, or None when it failed."""
        self.thread.join()
        try:
            told = json.loads(self.reply) if self.reply is not None else None
        except ValueError:
            return None
        return told if _well_formed(told, count) else None

    def stop(self) -> None:
        """End the second process now (if it still runs), and the exchange with it."""
        if self.child.poll() is None:
            self.child.kill()
        self.thread.join()


def _well_formed(told: Any, count: int) -> bool:
    """Whether ``told`` is ``count`` mappings of failure modes to phrases."""
    return (
        isinstance(told, list)
        and len(told) == count
        and all(
            isinstance(modes, dict)
            and all(
                isinstance(phrases, list) and all(isinstance(p, str) for p in phrases)
                for phrases in modes.values()
            )
            for modes in told
        )
    )


def _cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every system
        return os.cpu_count() or 1


def _runnable() -> bool:
    """Whether this interpreter can be started again as ``python -I -c``: not when it is part
    of a frozen application, or unknown."""
    return bool(sys.executable) and not getattr(sys, "frozen", False)
