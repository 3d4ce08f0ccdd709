"""A content-hash cache of per-file check results, for repeated builds and ``mkdocs serve``.

Kept outside the repository (``$XDG_CACHE_HOME/mkdocs-postmortems``) so that a pull request
cannot plant entries; stored as JSON, never pickle. Keys hash the package version, the schema
and the file's name and bytes, so any change to any of them misses.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

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
    """Per-file results keyed by content; entries not used in a run are dropped when saved."""

    def __init__(self, folder: Path | None, scope: Path, schema_text: str) -> None:
        self._file = (
            folder
            / f"checks-{hashlib.blake2b(str(scope).encode(), digest_size=8).hexdigest()}.json"
            if folder
            else None
        )
        self._salted = hashlib.blake2b(f"{__version__}\0{schema_text}\0".encode(), digest_size=20)
        self._old: dict[str, Any] = self._read()
        self._new: dict[str, Any] = {}

    def _read(self) -> dict[str, Any]:
        if self._file is None:
            return {}
        try:
            content = json.loads(self._file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return content if isinstance(content, dict) else {}

    def key(self, stem: str, raw: bytes) -> str:
        digest = self._salted.copy()
        digest.update(stem.encode())
        digest.update(b"\0")
        digest.update(raw)
        return digest.hexdigest()

    def get(self, key: str, display: str) -> FileCheck | None:
        entry = self._old.get(key) or self._new.get(key)
        if not isinstance(entry, dict):
            return None
        self._new[key] = entry
        problems = [Problem(display, *fields) for fields in entry.get("problems", [])]
        return FileCheck(entry.get("document"), problems)

    def put(self, key: str, check: FileCheck) -> None:
        self._new[key] = {
            "document": check.document,
            "problems": [
                [p.line, p.column, p.field, p.message, p.hint, p.level] for p in check.problems
            ],
        }

    def save(self) -> None:
        """Write the entries used in this run (atomically); silently skip when not writable."""
        if self._file is None or self._new == self._old:
            return
        try:
            self._file.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self._file.parent, delete=False, suffix=".tmp"
            ) as stream:
                json.dump(self._new, stream, separators=(",", ":"))
            os.replace(stream.name, self._file)
        except OSError:
            return
