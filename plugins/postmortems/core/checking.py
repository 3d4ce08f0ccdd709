"""Check one incident file: the fast path for valid files, the exact path for the rest.

A file is first parsed in one C call and checked by the compiled validator; only when that
says "invalid" (or the file uses constructs the fast path leaves alone) is it re-read event by
event, so every problem is reported at its line and column with the reference validator's
reasons. Both paths accept exactly the same files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import loader
from .problems import Problem
from .validator import DocumentValidator


@dataclass
class FileCheck:
    """The outcome for one file: its JSON document (when it could be read) and its problems."""

    document: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)
    digest: bytes = b""
    """The key the check is kept under in the cache (the file's name and bytes, the schema, the
    code): the incident read from it is the same whenever this is."""


def check_bytes(raw: bytes, display: str, stem: str, validator: DocumentValidator) -> FileCheck:
    """Load and validate one file's bytes."""
    document = loader.fast_load(raw)
    # A placeholder is text starting with TODO; a file without those bytes (or escapes that
    # could spell them) holds none, so its strings need no scan.
    placeholders = b"TODO" in raw or b"\\" in raw
    if (
        document is not None
        and validator.is_valid(document)
        and not validator.cross_check_problems(document, stem, placeholders=placeholders)
    ):
        return FileCheck(document)
    loaded = loader.load_bytes(raw, display)
    if loaded.data is None:
        return FileCheck(None, loaded.problems)
    document = loader.to_json(loaded.data)
    if validator.is_valid(document) and not validator.cross_check_problems(document, stem):
        return FileCheck(document)
    problems = validator.problems(
        document, display, stem, lambda f, key: loaded.position(f, key=key)
    )
    return FileCheck(document, problems)


class Locator:
    """Finds where fields are written in files, re-reading a file only when asked."""

    def __init__(self) -> None:
        self._loaded: dict[str, loader.LoadedFile] = {}

    def problem(
        self, path: str, display: str, field_path: str, message: str, **extra: Any
    ) -> Problem:
        """A problem at ``field_path`` of the file at ``path`` (shown as ``display``)."""
        if path not in self._loaded:
            self._loaded[path] = loader.load_file(Path(path), display)
        line, column = self._loaded[path].position(field_path)
        return Problem(display, line, column, field_path, message, **extra)
