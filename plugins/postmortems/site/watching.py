"""What a preview watches for saves besides MkDocs' own folders: incidents, schema, catalog,
templates.

MkDocs polls every file it watches twice a second. At 10,000 incidents each poll walks the
incidents folder (about 0.1 s of Python), which slowed every rebuild by about 15 % (it competes
for the interpreter lock) and kept a core 20 % busy while nothing changed. The system tells of a
save at once instead (inotify, FSEvents, ReadDirectoryChangesW, through watchdog, as MkDocs
watches): the preview then asks its server for a rebuild, as MkDocs' own watching does. Where
the system cannot watch a folder (too many watches, a filesystem without notifications), MkDocs
polls it, as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import get_plugin_logger
from watchdog.events import (
    EVENT_TYPE_CLOSED_NO_WRITE,
    EVENT_TYPE_OPENED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

log = get_plugin_logger(__name__)

READ_ONLY_EVENTS = frozenset({EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE})
"""What a build's own reading of the files raises: never a reason to rebuild (else every build
would start the next)."""


class _Rebuild(FileSystemEventHandler):
    """Asks ``server`` for a rebuild when a file or folder is written, created, moved or deleted
    (of ``only``, when given). MkDocs 1.6's server has no public call for it: this sets what its
    own watching sets."""

    def __init__(self, server: LiveReloadServer, only: str | None = None) -> None:
        self.server = server
        self.only = only

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in READ_ONLY_EVENTS:
            return
        if self.only is not None and self.only not in (event.src_path, event.dest_path):
            return
        with self.server._rebuild_cond:
            self.server._want_rebuild = True
            self.server._rebuild_cond.notify_all()


def asks_for_rebuilds(server: LiveReloadServer) -> bool:
    """Whether this MkDocs' server can be asked for a rebuild as ``_Rebuild`` does."""
    return hasattr(server, "_rebuild_cond") and hasattr(server, "_want_rebuild")


def _shown(path: Path) -> str:
    """``path`` as MkDocs shows what it watches: relative to the working folder when inside."""
    try:
        return f"'{path.relative_to(Path.cwd())}'"
    except ValueError:
        return f"'{path}'"


class Watcher:
    """The system's notifications of changes under some paths, for one preview; ``stop`` ends
    them."""

    def __init__(self) -> None:
        self._observer: BaseObserver | None = None

    def watch(self, server: LiveReloadServer, paths: Iterable[Path]) -> None:
        """Rebuild ``server``'s site when anything under ``paths`` (files or folders) changes;
        what the system cannot watch, MkDocs polls."""
        self.stop()
        paths = list(paths)
        if not asks_for_rebuilds(server):
            for path in paths:
                server.watch(str(path))
            return
        observer = Observer()
        for path in paths:
            # A file is watched through its folder: an editor that saves by writing a new file
            # and renaming it over the old one leaves a watch of the old file with nothing.
            folder = path.is_dir()
            handler = _Rebuild(server, None if folder else str(path))
            try:
                observer.schedule(handler, str(path if folder else path.parent), recursive=folder)
            except OSError as error:
                log.debug(f"Polling {path}: the system cannot watch it ({error})")
                server.watch(str(path))
        try:
            observer.start()
        except OSError as error:  # e.g. the inotify watch limit, met on starting
            log.debug(f"Polling {', '.join(map(str, paths))}: {error}")
            for path in paths:
                server.watch(str(path))
            return
        self._observer = observer
        log.info(f"Watching {', '.join(map(_shown, paths))} for changes")

    def stop(self) -> None:
        """No more notifications (the preview ends)."""
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
            self._observer = None
