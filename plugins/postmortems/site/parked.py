"""Generated pages' Markdown, HTML and table of contents held on disk while MkDocs works through
the other pages.

MkDocs asks for every page's source before it converts any, and converts every page before it
renders any template: at 10,000 incidents it would hold every page's Markdown, then every
page's HTML and table of contents, in memory at once. The plugin keeps each in one temporary
file from when it exists until the step that needs it, so none of them adds up in memory. A
value that cannot be written (or pickled) stays in memory instead.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable
from typing import IO, Any

_TEXT, _OBJECT = "text", "object"


class Parked:
    """Texts and objects by name in one temporary file, each taken back once; ``close`` when
    done. Objects are pickled: the file is one this process made and nothing else names (on
    POSIX it is unlinked at once), so what is read back is what it wrote."""

    def __init__(self) -> None:
        self._places: dict[tuple[str, str], tuple[int, int]] = {}
        self._unwritten: dict[tuple[str, str], Any] = {}
        try:
            self._file: IO[bytes] | None = tempfile.TemporaryFile(prefix="postmortems-")  # noqa: SIM115 (see close)
        except OSError:  # no writable temporary folder: everything stays in memory
            self._file = None

    def put(self, name: str, text: str) -> None:
        self._put((_TEXT, name), text, lambda: text.encode("utf-8"))

    def take(self, name: str) -> str | None:
        """The text put under ``name`` (``None`` if none is waiting); it is then forgotten."""
        text: str | None = self._take((_TEXT, name), lambda data: data.decode("utf-8"))
        return text

    def put_object(self, name: str, value: object) -> None:
        """Park ``value`` (which must pickle) under ``name``, apart from the texts' names."""
        self._put((_OBJECT, name), value, lambda: pickle.dumps(value, pickle.HIGHEST_PROTOCOL))

    def take_object(self, name: str) -> Any:
        """The object put under ``name`` (``None`` if none is waiting); it is then forgotten."""
        return self._take((_OBJECT, name), pickle.loads)

    def _put(self, key: tuple[str, str], value: object, encoded: Callable[[], bytes]) -> None:
        try:
            data = encoded()
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            self._unwritten[key] = value  # (another plugin's object that does not pickle)
            return
        try:
            if self._file is None:
                raise OSError("no temporary file")
            offset = self._file.seek(0, 2)
            self._file.write(data)
        except OSError:
            self._unwritten[key] = value
            return
        self._places[key] = (offset, len(data))

    def _take(self, key: tuple[str, str], decoded: Callable[[bytes], Any]) -> Any:
        if key in self._unwritten:
            return self._unwritten.pop(key)
        place = self._places.pop(key, None)
        if place is None or self._file is None:
            return None
        self._file.seek(place[0])
        return decoded(self._file.read(place[1]))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
