"""A content-hash cache of per-file check results, for repeated builds and ``mkdocs serve``.

Kept outside the repository (``$XDG_CACHE_HOME/mkdocs-postmortems``) so that a pull request
cannot plant entries; stored as JSON, never pickle. Keys hash the package version, the schema
and the file's name and bytes, so any change to any of them misses.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import itertools
import json
import os
import sqlite3
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from .. import __version__
from .checking import FileCheck
from .problems import Problem


def default_cache_dir() -> Path | None:
    """The cache folder, or ``None`` when ``POSTMORTEMS_NO_CACHE`` is set."""
    if os.environ.get("POSTMORTEMS_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mkdocs-postmortems"


class CheckCache:
    """Per-file results keyed by content, in a ``TextStore``."""

    def __init__(self, folder: Path | None, scope: Path, schema_text: str) -> None:
        name = f"checks-{fingerprint(str(scope)).hex()}.sqlite"
        self._store = TextStore(folder / name if folder else None)
        self._salted = hashlib.blake2b(code_fingerprint(), digest_size=16)
        self._salted.update(f"\0{schema_text}\0".encode())
        self.salt = self._salted.digest()
        """What every key depends on besides the file: this code and the schema."""

    def key(self, stem: str, raw: bytes) -> bytes:
        digest = self._salted.copy()
        digest.update(stem.encode())
        digest.update(b"\0")
        digest.update(raw)
        return digest.digest()

    def get(self, key: bytes, display: str) -> FileCheck | None:
        stored = self._store.get(key)
        if stored is None:
            return None
        try:
            entry = json.loads(stored)
        except ValueError:
            return None
        problems = [Problem(display, *fields) for fields in entry.get("problems", [])]
        return FileCheck(entry.get("document"), problems)

    def put(self, key: bytes, check: FileCheck) -> None:
        problems = [[p.line, p.column, p.field, p.message, p.hint, p.level] for p in check.problems]
        entry = {"document": check.document, "problems": problems}
        self._store.put(key, json.dumps(entry, separators=(",", ":")))

    def save(self) -> None:
        """Keep what this run wrote (each entry on its own: an edit rewrites only its file's)."""
        self._store.close()


@functools.cache
def code_fingerprint() -> bytes:
    """A digest of this package's code and templates: a cached result never outlives them."""
    package = Path(__file__).resolve().parent.parent
    files = sorted(
        path
        for path in package.rglob("*")
        if path.suffix in {".py", ".j2", ".json", ".html"} and path.is_file()
    )
    return fingerprint(
        __version__,
        *(
            part
            for path in files
            for part in (path.relative_to(package).as_posix(), path.read_bytes())
        ),
    )


def versions(*distributions: str) -> list[str]:
    """The installed versions of ``distributions`` ("" for one not installed), for cache keys."""
    found = []
    for name in distributions:
        try:
            found.append(metadata.version(name))
        except metadata.PackageNotFoundError:
            found.append("")
    return found


def fingerprint(*parts: object) -> bytes:
    """A 16-byte digest of ``parts``, stable across runs (see ``stable_repr``)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else stable_repr(part).encode())
        digest.update(b"\0")
    return digest.digest()


def derived_digest(digest: bytes, *parts: object) -> bytes:
    """A digest of what is made from a value with ``digest`` and ``parts``; empty when
    ``digest`` is (what has no digest is never taken from a cache, nor is what is made of it)."""
    return fingerprint(digest, *parts) if digest else b""


def stable_repr(value: object, depth: int = 0) -> str:
    """``repr`` without what changes between runs: functions by their import path, objects
    with a ``digest`` by it (any object but a list, tuple or dict with a non-empty bytes
    ``digest`` stands for it; a ``Listing`` whose rows all have one, for them), other objects
    by their state, mappings in their order (a template may list them in it). An object with
    none of these (or nested too deep: it may hold itself) gets a value unique to this run, so
    what depends on it is never taken from a cache.
    """
    kind = type(value)
    if kind in _SCALARS:
        return repr(value)
    if depth > 12:
        return f"<{_RUN}:{next(_UNIQUE)}>"
    below = depth + 1
    if isinstance(value, list | tuple):
        if isinstance(value, Listing) and value.digest:
            return f"<Listing {value.digest.hex()}>"
        # Inline for the usual items (listings of 10,000 rows): plain values, digests.
        parts = []
        for item in value:
            if type(item) in _SCALARS:
                parts.append(repr(item))
            elif (digested := _digested(item)) is not None and below <= 12:
                parts.append(digested)
            else:
                parts.append(stable_repr(item, below))
        return "[" + ", ".join(parts) + "]"
    if (digested := _digested(value)) is not None:
        return digested
    if isinstance(value, dict) or isinstance(value, Mapping):  # noqa: SIM101 (dict: fast)
        items = [f"{stable_repr(k, below)}: {stable_repr(v, below)}" for k, v in value.items()]
        return "{" + ", ".join(items) + "}"
    if isinstance(value, set | frozenset):
        return "[" + ", ".join(sorted(stable_repr(item, below) for item in value)) + "]"
    if value is None or isinstance(value, _PLAIN):
        return repr(value)
    deeper = functools.partial(stable_repr, depth=below)
    if isinstance(value, functools.partial):
        return f"<partial {deeper([value.func, value.args, value.keywords])}>"
    name = getattr(value, "__qualname__", None) if callable(value) else None
    if name is not None:
        return f"<{getattr(value, '__module__', '')}.{name}>"
    settings = getattr(value, "getConfigs", None)  # a Python-Markdown extension instance
    if callable(settings):
        return f"<{kind.__module__}.{kind.__qualname__}{deeper(settings())}>"
    state = getattr(value, "__dict__", None)
    if state is not None:
        return f"<{kind.__module__}.{kind.__qualname__}{deeper(state)}>"
    return f"<{kind.__module__}.{kind.__qualname__} {_RUN}:{next(_UNIQUE)}>"


class Listing(tuple[Any, ...]):
    """Rows (of an index page) that ``stable_repr`` shows by one digest of their digests, when
    each has one: a site at 10,000 incidents lists every row on several pages, each keyed by
    its rows, and grouped again on others."""

    digest: bytes

    def __new__(cls, rows: Iterable[Any]) -> Listing:
        listing = super().__new__(cls, rows)
        digests = [getattr(row, "digest", None) for row in listing]
        present = [digest for digest in digests if isinstance(digest, bytes) and digest]
        every = len(present) == len(digests)
        framed = b"".join(len(digest).to_bytes(4) + digest for digest in present) if every else b""
        listing.digest = fingerprint(framed) if every else b""
        return listing


def _digested(value: object) -> str | None:
    """How ``stable_repr`` shows an object that stands for its state by its ``digest``
    (``Incident.digest``), if ``value`` is one: any object but a list, tuple or dict (checked
    before the slow ``Mapping``: listings' rows) with a non-empty bytes ``digest``."""
    if isinstance(value, list | tuple | dict):
        return None
    digest = getattr(value, "digest", None)
    if isinstance(digest, bytes) and digest:
        return f"<{type(value).__qualname__} {digest.hex()}>"
    return None


_RUN = os.urandom(8).hex()
_UNIQUE = itertools.count()
"""With ``_RUN``, a value no other object ever gets (``id`` may be reused within a run)."""


def _new_run() -> None:
    """A forked child's own ``_RUN``: it counts on from where its parent's count was."""
    global _RUN
    _RUN = os.urandom(8).hex()


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    os.register_at_fork(after_in_child=_new_run)

_SCALARS = frozenset({str, bytes, int, float, bool, type(None)})
"""Types whose ``repr`` is their whole state, at any depth (checked first: most values)."""
_PLAIN = (str, bytes, int, float, bool, Path, datetime.date, datetime.timedelta, datetime.tzinfo)
"""Values whose ``repr`` is their whole state (a ``datetime`` is a ``date``)."""

MAX_AGE = 30 * 24 * 3600
"""Seconds a stored text is kept without any run using it."""
DEFERRED_CHARACTERS = 128 << 20
"""Most characters a ``deferred`` store holds in memory, then written at once (a preview's
rebuild after a title edit at 10,000 incidents puts ~90 M: the listings that show the title, as
Markdown and HTML; one that rebuilds every page, far more). A character may take up to 4 bytes."""


class TextStore:
    """Texts by 16-byte key in one SQLite file (rendered HTML, kept between builds).

    Any failure to open or write it only costs speed: the store then forgets. Each text records
    when a run last used it. The store never holds more than four times what the biggest run
    of the last month used (the least recently used texts go first), nor a text no run used for
    a month. A run that reuses a page need not reuse what that page was made from, so a run that
    uses little (a cached build, a preview's rebuild) drops nothing.
    """

    _SCHEMA = 3
    """``PRAGMA user_version`` of the layout below; a store of another layout starts over."""

    def __init__(
        self,
        path: Path | None,
        clock: Callable[[], float] = time.time,
        *,
        reader: bool = False,
        deferred: bool = False,
    ) -> None:
        """``reader``: only read (another connection may be writing: a reader never waits
        for it, and records nothing). ``deferred``: what is put is kept in memory (up to
        ``DEFERRED_CHARACTERS``: then it is written at once), and written by the call
        ``close_later`` returns."""
        self._connection: sqlite3.Connection | None = None
        self._path = path
        self._clock = clock
        self._reader = reader
        self._pending: dict[bytes, str | Callable[[], str]] | None = {} if deferred else None
        self._pending_characters = 0
        self._read: set[bytes] = set()
        self._written = 0
        self._forked: list[tuple[bytes, str]] | None = None
        """In a forked child (``attach``): what is put, for the parent to put."""
        if path is None:
            return
        if reader:
            with contextlib.suppress(sqlite3.Error):  # none yet, or not one: nothing to read
                self._connection = self._read_only(path)
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = self._open(path)
        except sqlite3.DatabaseError:  # not a database (a crash, another program): start over
            with contextlib.suppress(OSError, sqlite3.Error):
                path.unlink()
                self._connection = self._open(path)
        except (OSError, sqlite3.Error):
            return

    @staticmethod
    def _read_only(path: Path) -> sqlite3.Connection:
        return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)

    @classmethod
    def _open(cls, path: Path) -> sqlite3.Connection:
        """The store; when each text was last used is kept apart from the texts (small rows:
        recording a use rewrites no text)."""
        connection = _connect(path)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            (layout,) = connection.execute("PRAGMA user_version").fetchone()
            if layout != cls._SCHEMA:
                for table in ("texts", "uses", "runs"):
                    connection.execute(f"DROP TABLE IF EXISTS {table}")
                connection.execute(f"PRAGMA user_version = {cls._SCHEMA}")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS texts (key BLOB PRIMARY KEY, text TEXT NOT NULL)"
            )
            connection.execute(
                "CREATE TABLE IF NOT EXISTS uses (key BLOB PRIMARY KEY, used REAL NOT NULL)"
                " WITHOUT ROWID"
            )
            connection.execute("CREATE INDEX IF NOT EXISTS uses_by_time ON uses (used)")
            connection.execute("CREATE TABLE IF NOT EXISTS runs (ended REAL, used INTEGER)")
            connection.commit()
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    @property
    def deferred(self) -> bool:
        """Whether what is put waits for the call ``close_later`` returns."""
        return self._pending is not None

    def get(self, key: bytes) -> str | None:
        if self._pending is not None and key in self._pending:
            text = self._pending[key]
            if callable(text):
                text = self._pending[key] = text()
            return text
        if self._connection is None:
            return None
        try:
            row = self._connection.execute("SELECT text FROM texts WHERE key = ?", (key,))
            found = row.fetchone()
        except sqlite3.Error:
            return None
        if found is None:
            return None
        self._read.add(key)
        return str(found[0])

    def detach(self) -> bool:
        """Commit and close the connection before a fork (a SQLite connection must neither
        cross a fork nor be open while one happens); whether there was one, for ``attach``."""
        if self._connection is None:
            return False
        with contextlib.suppress(sqlite3.Error):  # uncommitted texts only cost speed
            self._connection.commit()
        with contextlib.suppress(sqlite3.Error):
            self._connection.close()
        self._connection = None
        return True

    def attach(self, detached: bool, *, in_child: bool) -> None:
        """After a fork (``detach`` said ``detached``): this process's connection again, or in
        the child one of its own that only reads, what the child puts kept for ``taken``."""
        if in_child:
            self._forked, self._read, self._written = [] if detached else None, set(), 0
        if not detached or self._path is None:
            return
        with contextlib.suppress(OSError, ValueError, sqlite3.Error):
            reader = in_child or self._reader
            self._connection = self._read_only(self._path) if reader else self._open(self._path)

    def taken(self) -> tuple[list[tuple[bytes, str]], list[bytes]]:
        """In a forked child (``attach``): what was put and the keys read since the last call
        (nothing when the parent keeps no store)."""
        if self._forked is None:
            return [], []
        taken = self._forked, sorted(self._read)
        self._forked, self._read = [], set()
        return taken

    def take_over(self, puts: Iterable[tuple[bytes, str]], reads: Iterable[bytes]) -> None:
        """Put what a forked child put, and count what it read as read here."""
        for key, text in puts:
            self.put(key, text)
        if self._connection is not None:
            self._read.update(reads)

    def put(self, key: bytes, text: str) -> None:
        """Keep ``text`` under ``key``."""
        self._put(key, text, len(text))

    def put_lazily(self, key: bytes, make: Callable[[], str], *, size: int) -> None:
        """Keep the text ``make()`` returns (of about ``size`` characters) under ``key``, made
        only when written: a deferred store leaves that to the call ``close_later`` returns."""
        self._put(key, make, size)

    def _put(self, key: bytes, text: str | Callable[[], str], size: int) -> None:
        if self._forked is not None:
            self._forked.append((key, text() if callable(text) else text))
            return
        if self._connection is None or self._reader:
            return
        if self._pending is not None:
            self._pending[key] = text
            self._pending_characters += size  # (a key put twice counts twice: written sooner)
            if self._pending_characters <= DEFERRED_CHARACTERS:
                return
            texts, self._pending, self._pending_characters = self._pending, {}, 0
        else:
            texts = {key: text}
        self._written += len(texts)
        try:
            for written_key, written_text in texts.items():
                self._write(self._connection, written_key, written_text)
            if self._pending is not None:
                # Committed now: the background may be writing an earlier build's texts, and
                # must not wait for this build's end to take the lock.
                self._connection.commit()
        except sqlite3.Error:
            self._forget()

    def _write(
        self, connection: sqlite3.Connection, key: bytes, text: str | Callable[[], str]
    ) -> None:
        text = text() if callable(text) else text
        connection.execute("INSERT OR REPLACE INTO texts VALUES (?, ?)", (key, text))
        connection.execute("INSERT OR REPLACE INTO uses VALUES (?, ?)", (key, self._clock()))

    def close(self) -> None:
        """Keep what this run wrote and when it used what it read; trim (see the class)."""
        self.close_later()()

    def close_later(self) -> Callable[[], None]:
        """Stop reading; the call returned does what ``close`` does, once: in any thread if the
        store is ``deferred`` (a preview's rebuild leaves its writing to the background), else
        in this one. The store is not used again."""
        connection, self._connection = self._connection, None
        pending, read, written = self._pending, self._read, self._written
        self._read, self._written = set(), 0
        if pending is not None:
            self._pending, self._pending_characters = {}, 0
            if connection is not None and self._path is not None:
                # What was written already is committed here: a connection serves only the
                # thread that opened it.
                with contextlib.suppress(sqlite3.Error):
                    connection.commit()
                connection.close()
                connection = self._reopened(self._path)
        return functools.partial(self._finish, connection, pending, read, written)

    @staticmethod
    def _reopened(path: Path) -> sqlite3.Connection | None:
        """A connection to the store for whichever thread uses it."""
        try:
            return _connect(path, any_thread=True)
        except sqlite3.Error:
            return None

    def _finish(
        self,
        connection: sqlite3.Connection | None,
        pending: dict[bytes, str | Callable[[], str]] | None,
        read: set[bytes],
        written: int,
    ) -> None:
        if connection is None:
            return
        try:
            if not self._reader:
                for key, text in (pending or {}).items():
                    self._write(connection, key, text)
                used = len(read) + written + len(pending or ())
                self._record_run(connection, self._clock(), read, used)
            connection.commit()
        except sqlite3.Error:
            pass  # a cache that cannot be written only costs speed next time
        finally:
            connection.close()

    def _record_run(
        self, connection: sqlite3.Connection, now: float, read: set[bytes], used: int
    ) -> None:
        """Record when the texts ``read`` were used, and that this run used ``used`` texts."""
        connection.executemany("UPDATE uses SET used = ? WHERE key = ?", ((now, k) for k in read))
        month_ago = now - MAX_AGE
        connection.execute("INSERT INTO runs VALUES (?, ?)", (now, used))
        connection.execute("DELETE FROM runs WHERE ended < ?", (month_ago,))
        self._drop(connection, "SELECT key FROM uses WHERE used < ?", month_ago)
        (biggest,) = connection.execute("SELECT max(used) FROM runs").fetchone()
        (count,) = connection.execute("SELECT count(*) FROM uses").fetchone()
        limit = 4 * max(biggest, 1000)
        if count > limit:
            self._drop(connection, "SELECT key FROM uses ORDER BY used LIMIT ?", count - limit // 2)

    @staticmethod
    def _drop(connection: sqlite3.Connection, chosen: str, parameter: float) -> None:
        """Drop the texts the ``chosen`` query (of one parameter) names."""
        connection.execute("CREATE TEMP TABLE IF NOT EXISTS dropped (key BLOB PRIMARY KEY)")
        connection.execute("DELETE FROM dropped")
        connection.execute(f"INSERT INTO dropped {chosen}", (parameter,))
        connection.execute("DELETE FROM texts WHERE key IN dropped")
        connection.execute("DELETE FROM uses WHERE key IN dropped")

    def _forget(self) -> None:
        assert self._connection is not None
        with contextlib.suppress(sqlite3.Error):
            self._connection.close()
        self._connection = None


def _connect(path: Path, *, any_thread: bool = False) -> sqlite3.Connection:
    """A connection to the store at ``path`` (``any_thread``: usable from another thread, one
    at a time)."""
    connection = sqlite3.connect(
        path, timeout=10, isolation_level="DEFERRED", check_same_thread=not any_thread
    )
    try:
        connection.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error:
        connection.close()
        raise
    return connection


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Digested(Protocol):
    """A value that stands for its state by its ``digest`` (empty when it has none)."""

    @property
    def digest(self) -> bytes: ...


D = TypeVar("D", bound=Digested)


class Carried(Generic[K, V]):
    """Values made in one run (a preview's rebuild) kept for the next run in the same context;
    what a run does not use is dropped. ``start`` each run."""

    def __init__(self) -> None:
        self._context: object = None
        self._last: dict[K, V] = {}
        self._now: dict[K, V] = {}

    def start(self, context: object) -> None:
        """A new run; the last run's values are kept only if its ``context`` was equal."""
        self._last = self._now if context == self._context else {}
        self._now = {}
        self._context = context

    def get(self, key: K, make: Callable[[], V]) -> V:
        """The value under ``key`` in this run or the last, or ``make()``."""
        if key in self._now:
            return self._now[key]
        value = self._last[key] if key in self._last else make()
        self._now[key] = value
        return value

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` under ``key`` in this run (in place of what ``get`` found)."""
        self._now[key] = value

    def put_all(self, items: Iterable[tuple[K, V]]) -> None:
        """``put`` each key and value of ``items``."""
        self._now.update(items)

    def forget(self) -> None:
        """Keep nothing for the next run."""
        self._last, self._now = {}, {}


def kept_by_digest(
    carried: Carried[bytes, V],
    context: object,
    items: Iterable[D],
    make: Callable[[D], V],
    made_from: Callable[[V], object] | None = None,
) -> list[V]:
    """``make(item)`` for each of ``items``, kept in ``carried`` by the item's digest for the
    next run in the same ``context`` (an item without a digest is made anew). With
    ``made_from`` (the object a value was made from, or ``None``), a kept value made from
    another object than ``item`` (an equal one loaded again) is made anew, so that it holds
    ``item``."""
    carried.start(context)
    values = []
    for item in items:
        digest = item.digest
        if not digest:
            values.append(make(item))
            continue
        value = carried.get(digest, functools.partial(make, item))
        origin = None if made_from is None else made_from(value)
        if origin is not None and origin is not item:
            value = make(item)
            carried.put(digest, value)
        values.append(value)
    return values
