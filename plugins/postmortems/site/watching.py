"""What a preview watches for saves besides MkDocs' own folders: incidents, schema, catalog,
templates.

MkDocs polls every file it watches twice a second. At 10,000 incidents each poll walks the
incidents folder (about 0.1 s of Python), which slowed every rebuild by about 15 % (it competes
for the interpreter lock) and kept a core 20 % busy while nothing changed. Where the system
tells of changes (inotify, FSEvents, ReadDirectoryChangesW, through watchdog, as MkDocs
watches), the preview asks its server for a rebuild when it hears of a save, as MkDocs' own
watching does. MkDocs still polls what the system would not tell of: a folder on a filesystem
that does not pass on changes made elsewhere (network shares, the shared folders of a container
or virtual machine), a path the system cannot watch, everything when ``POSTMORTEMS_WATCH=poll``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import get_plugin_logger
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from ..core.collection import INCIDENT_SUFFIXES

log = get_plugin_logger(__name__)

POLL_VARIABLE = "POSTMORTEMS_WATCH"
"""Set to ``poll``, MkDocs polls everything (where the system's notifications miss saves)."""
READ_ONLY_EVENTS = frozenset({"opened", "closed_no_write"})
"""What a build's own reading of the files raises (watchdog's names): never a reason to rebuild
(else every build would start the next)."""
FOLDER_EVENTS = frozenset({"created", "deleted", "moved"})
"""What happens to a folder that may change which incidents there are."""
NOTIFYING_FILESYSTEMS = frozenset(
    {"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "overlay", "zfs", "f2fs", "bcachefs"}
)
"""Linux filesystems whose every change inotify reports (local disks and memory)."""

_Wanted = Callable[[str, bool], bool]
"""Whether a change to a path (a folder, when true) matters."""


class _Rebuild(FileSystemEventHandler):
    """Asks ``server`` for a rebuild when a change that ``wanted`` matters happens. MkDocs 1.6's
    server has no public call for it: this sets what its own watching sets."""

    def __init__(self, server: LiveReloadServer, wanted: _Wanted) -> None:
        self.server = server
        self.wanted = wanted

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in READ_ONLY_EVENTS:
            return
        if event.is_directory and event.event_type not in FOLDER_EVENTS:
            return  # a folder's modification time: its files tell what changed
        paths = (os.fsdecode(path) for path in (event.src_path, event.dest_path) if path)
        if not any(self.wanted(path, event.is_directory) for path in paths):
            return
        with self.server._rebuild_cond:
            self.server._want_rebuild = True
            self.server._rebuild_cond.notify_all()


def _incident_change(path: str, folder: bool) -> bool:
    """An incident file, the catalog, or a folder of them (not an editor's hidden files)."""
    name = os.path.basename(path)
    return not name.startswith(".") and (folder or name.endswith(INCIDENT_SUFFIXES))


def _visible_change(path: str, folder: bool) -> bool:
    """Anything but an editor's hidden files (a site's templates folder)."""
    return not os.path.basename(path).startswith(".")


def asks_for_rebuilds(server: LiveReloadServer) -> bool:
    """Whether this MkDocs' server can be asked for a rebuild as ``_Rebuild`` does."""
    return hasattr(server, "_rebuild_cond") and hasattr(server, "_want_rebuild")


def notifies(path: Path) -> bool:
    """Whether the system tells of every change under ``path`` (see the module's text)."""
    if os.environ.get(POLL_VARIABLE, "").strip().lower() == "poll":
        return False
    if not sys.platform.startswith("linux"):
        return True
    return filesystem_type(path) in NOTIFYING_FILESYSTEMS


def filesystem_type(path: Path) -> str | None:
    """The type of the Linux filesystem ``path`` is on (``/proc/self/mountinfo``), if known."""
    target = os.path.realpath(path)
    try:
        lines = Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    found: tuple[int, str] | None = None
    for line in lines:
        fields, _, rest = line.partition(" - ")
        parts, kinds = fields.split(), rest.split()
        if len(parts) < 5 or not kinds:
            continue
        mount_point = parts[4].encode().decode("unicode_escape")  # "\040" is a space
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and (found is None or len(mount_point) > found[0]):
            found = (len(mount_point), kinds[0])
    return found[1] if found else None


def _same_path(real: str) -> _Wanted:
    return lambda path, folder: os.path.realpath(path) == real


def _identity(folder: Path) -> tuple[int, int] | None:
    """What tells a folder from another put in its place (a rename, a checkout), if it exists."""
    try:
        status = folder.stat()
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _shown(path: Path) -> str:
    """``path`` as MkDocs shows what it watches: relative to the working folder when inside."""
    try:
        return f"'{path.relative_to(Path.cwd())}'"
    except ValueError:
        return f"'{path}'"


@dataclass(frozen=True)
class _Watched:
    """Paths the preview watches in one folder, as the system watches them."""

    paths: tuple[Path, ...]
    folder: Path
    """The folder the system watches: the path, or a file's real folder (an editor that saves
    by renaming a new file over the old one leaves a watch of the old file with nothing)."""
    recursive: bool
    wanted: tuple[_Wanted, ...]
    """Whether a change matters, for each path."""

    def matters(self, path: str, folder: bool) -> bool:
        return any(wanted(path, folder) for wanted in self.wanted)


def _grouped(incidents: Path, others: Iterable[Path]) -> list[_Watched]:
    """What to watch, one entry per folder the system watches. A watched folder's own folder is
    watched for it too: a folder renamed or put in its place (a checkout, a script) then asks
    for a rebuild, which watches the new one (``Watcher.refresh``)."""
    by_folder: dict[tuple[Path, bool], list[tuple[Path | None, _Wanted]]] = {}

    def add(folder: Path, recursive: bool, path: Path | None, wanted: _Wanted) -> None:
        by_folder.setdefault((folder, recursive), []).append((path, wanted))

    others = list(others)
    folders = [(incidents, _incident_change), *((p, _visible_change) for p in others if p.is_dir())]
    for folder, wanted in folders:
        add(folder, True, folder, wanted)
    for path in others:
        if not path.is_dir():
            real = os.path.realpath(path)
            add(Path(real).parent, False, path, _same_path(real))
    for folder, _ in folders:
        real = os.path.realpath(folder)
        add(Path(real).parent, False, None, _same_path(real))
    return [
        _Watched(
            tuple(path for path, _ in found if path is not None),
            folder,
            recursive,
            tuple(wanted for _, wanted in found),
        )
        for (folder, recursive), found in by_folder.items()
    ]


class Watcher:
    """The system's notifications of changes under some paths, for one preview; ``refresh``
    each build, ``stop`` at the end."""

    def __init__(self) -> None:
        self._observer: BaseObserver | None = None
        self._server: LiveReloadServer | None = None
        self._watches: dict[_Watched, tuple[ObservedWatch, tuple[int, int] | None]] = {}
        """What the system watches, with what its folder was when watched."""

    def watch(self, server: LiveReloadServer, incidents: Path, others: Iterable[Path]) -> None:
        """Rebuild ``server``'s site when an incident file or folder under ``incidents``, or
        anything of ``others`` (files or folders) changes."""
        self.stop()
        native = asks_for_rebuilds(server)
        if native:
            self._server = server
            self._observer = Observer()
            self._observer.start()  # each folder is then watched as scheduled, or fails alone
        heard: list[Path] = []
        for item in _grouped(incidents, others):
            if native and notifies(item.folder) and self._schedule(item):
                heard += item.paths
            else:
                for path in item.paths:
                    server.watch(str(path))
        if heard:
            log.info(f"Watching {', '.join(map(_shown, heard))} for changes")

    def _schedule(self, item: _Watched) -> bool:
        """Whether the system now watches ``item``."""
        assert self._observer is not None and self._server is not None
        identity = _identity(item.folder)
        try:
            handler = _Rebuild(self._server, item.matters)
            watch = self._observer.schedule(handler, str(item.folder), recursive=item.recursive)
        except OSError as error:  # e.g. the inotify watch limit
            log.debug(f"Polling {item.folder}: the system cannot watch it ({error})")
            return False
        self._watches[item] = (watch, identity)
        return True

    def refresh(self) -> None:
        """Watch again a folder put in the place of one watched (the system watches a folder,
        not its name): a rebuild looks, since a rename or removal asks for one."""
        if self._observer is None:
            return
        for item, (watch, identity) in list(self._watches.items()):
            now = _identity(item.folder)
            if now == identity:
                continue
            del self._watches[item]
            with contextlib.suppress(KeyError, OSError):
                self._observer.unschedule(watch)
            if now is not None:
                self._schedule(item)

    def stop(self) -> None:
        """No more notifications (the preview ends)."""
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
        self._observer, self._server, self._watches = None, None, {}
