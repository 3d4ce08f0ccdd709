"""Generated pages' Markdown and HTML held on disk while MkDocs works through the other pages.

MkDocs asks for every page's source before it converts any, and converts every page before it
renders any template: at 10,000 incidents it would hold every page's Markdown, then every
page's HTML, in memory at once. The plugin keeps each text in one temporary file from when it
exists until the step that needs it, so memory stays flat as incidents grow. A write that fails
keeps the text in memory instead.
"""

from __future__ import annotations

import tempfile
from typing import IO


class Parked:
    """Texts by name in one temporary file, each taken back once; ``close`` when done."""

    def __init__(self) -> None:
        self._places: dict[str, tuple[int, int]] = {}
        self._unwritten: dict[str, str] = {}
        try:
            self._file: IO[bytes] | None = tempfile.TemporaryFile(prefix="postmortems-")  # noqa: SIM115 (see close)
        except OSError:  # no writable temporary folder: everything stays in memory
            self._file = None

    def put(self, name: str, text: str) -> None:
        data = text.encode("utf-8")
        try:
            if self._file is None:
                raise OSError("no temporary file")
            offset = self._file.seek(0, 2)
            self._file.write(data)
        except OSError:
            self._unwritten[name] = text
            return
        self._places[name] = (offset, len(data))

    def take(self, name: str) -> str | None:
        """The text put under ``name`` (``None`` if none is waiting); it is then forgotten."""
        if name in self._unwritten:
            return self._unwritten.pop(name)
        place = self._places.pop(name, None)
        if place is None or self._file is None:
            return None
        self._file.seek(place[0])
        return self._file.read(place[1]).decode("utf-8")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
