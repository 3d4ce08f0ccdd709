"""Load every incident of a project: find files, check each, check across files, build the model."""

from __future__ import annotations

import dataclasses
import functools
import gc
import json
import os
import re
import stat
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import jsonschema

from . import crosscheck, loader
from .cache import Carried, CheckCache, default_cache_dir, derived_digest, fingerprint
from .checking import FileCheck, Locator, check_bytes
from .files import links_outside, resolved
from .model import TIMESTAMP_FIELDS, Incident
from .problems import Problem, ProjectError
from .project import ProjectPaths
from .validator import DocumentValidator, parse_timestamp
from .vocabulary import Extensions, check_page_names, extended

INCIDENT_SUFFIXES = (".yaml", ".yml")


@dataclass
class Collection:
    """The valid incidents of a project (newest first) and every problem found on the way."""

    paths: ProjectPaths
    schema: dict[str, Any]
    incidents: list[Incident]
    problems: list[Problem]
    catalog: dict[str, dict[str, Any]] | None = None
    files_checked: int = 0
    _by_id: dict[str, Incident] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {incident.id: incident for incident in self.incidents}

    def get(self, incident_id: str) -> Incident | None:
        return self._by_id.get(incident_id)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.level == "warning"]

    def for_audience(self, audience: str) -> Collection:
        """What a site for ``audience`` shows.

        A public site holds public incidents only, without their ``x-`` fields or links to
        internal incidents, and a catalog of only the services those incidents name: nothing
        internal can reach its pages.
        """
        if audience != "public":
            return self
        chosen = [incident for incident in self.incidents if incident.visibility == "public"]
        public_ids = {incident.id for incident in chosen}
        public = [_public(incident, public_ids) for incident in chosen]
        named = {service for incident in public for service in incident.services}
        catalog = (
            {slug: entry for slug, entry in self.catalog.items() if slug in named}
            if self.catalog is not None
            else None
        )
        return Collection(
            self.paths, self.schema, public, self.problems, catalog, self.files_checked
        )


def _public(incident: Incident, public_ids: set[str]) -> Incident:
    """``incident`` as a public site shows it: no ``x-`` field, no link to an internal one."""
    related = [other for other in incident.related if other in public_ids]
    data = _without_extensions(incident.data)
    if "related" in data:
        data["related"] = related
    digest = derived_digest(incident.digest, "public", related)
    return Incident(data, incident.source, incident.source_uri, digest=digest)


def _without_extensions(value: Any) -> Any:
    """``value`` with every ``x-`` key removed, at any depth."""
    if isinstance(value, dict):
        return {
            key: _without_extensions(item)
            for key, item in value.items()
            if not key.startswith("x-")
        }
    if isinstance(value, list):
        return [_without_extensions(item) for item in value]
    return value


def incident_files(folder: Path) -> list[Path]:
    """Every incident file below ``folder``; files named ``_*`` are not incidents.

    Raises ``ProjectError`` for a folder that cannot be listed: skipping it would pass off
    its incidents as missing.
    """
    if folder.is_file():
        return [folder]
    global _last_listing
    found = [
        (directory, name)
        for directory, _, names in os.walk(folder, onerror=_unlistable)
        for name in names
        if name.endswith(INCIDENT_SUFFIXES) and not name.startswith("_")
    ]
    last_found, last_paths = _last_listing
    if last_found == found:  # ``mkdocs serve`` lists the same files after most saves
        return list(last_paths)
    listed = list(found)
    # In the order of their paths, as ``pathlib`` compares them, making each folder's path once.
    folders = {directory: _parts(directory) for directory, _ in found}
    found.sort(key=lambda found: [*folders[found[0]], os.path.normcase(found[1])])
    paths = [Path(directory, name) for directory, name in found]
    _last_listing = (listed, paths)
    return list(paths)


_last_listing: tuple[list[tuple[str, str]], list[Path]] = ([], [])
"""The last listing's files, as found, and in order: the same files found give the same list."""


def _parts(folder: str) -> list[str]:
    """What ``pathlib`` compares of a folder's path, as a list (a file's name goes after)."""
    return list(Path(os.path.normcase(folder)).parts)


def _unlistable(error: OSError) -> None:
    if not isinstance(error, FileNotFoundError):
        where = display_path(Path(error.filename)) if error.filename else "a folder"
        raise ProjectError(f"cannot read the folder {where}: {error.strerror or error}")


def display_path(path: Path, working_directory: str | None = None) -> str:
    """A path as people type it: relative to the working directory (``os.getcwd()`` unless
    given) when inside it."""
    text, start = str(path), working_directory or os.getcwd()
    # relpath reads the working directory for a relative path: then part of the key.
    absolute = os.path.isabs(text) and os.path.isabs(start)
    return _relative_path(text, start, "" if absolute else os.getcwd())


@functools.lru_cache(maxsize=1 << 16)
def _relative_path(path: str, start: str, working_directory: str) -> str:
    """``display_path`` (the same files, load after load, under ``mkdocs serve``)."""
    try:
        return os.path.relpath(path, start)
    except ValueError:
        return path


def load_collection(
    paths: ProjectPaths,
    *,
    only: Sequence[Path] | None = None,
    extra: Sequence[Path] = (),
    use_cache: bool = True,
    reload: bool = False,
    model: bool = True,
) -> Collection:
    """Load and check the project's incidents.

    ``only`` limits the problems reported to those files (the rest still count for cross-file
    rules such as unique ids and ``related``); ``extra`` adds files from outside the incidents
    folder, such as a new incident in a pull request. With ``reload`` (a process that loads the
    same project again and again: ``mkdocs serve``), the files unchanged since the last such
    load are neither read from the cache nor modelled again. ``model=False`` only checks
    (``postmortems validate``): the collection then holds no incidents.
    """
    with garbage_collection_paused():
        return _load_collection(
            paths,
            only=only,
            extra=extra,
            use_cache=use_cache,
            reload=reload and only is None,
            model=model,
        )


@contextmanager
def garbage_collection_paused() -> Iterator[None]:
    """The cyclic garbage collector paused (then as it was), also as a decorator: loading,
    indexing and ranking incidents make millions of small objects and no cycles, and the
    collections they trigger would only rescan every live object (all incidents) again and
    again (~15 % of similarity's time at 10,000 incidents)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


FULL_COLLECTION_EVERY = 4
"""Every how many freezes a full collection runs (each one scans every incident: ~1 s at
10,000): a preview's rebuild freezes some garbage of the build before (mkdocs-macros still
holds that build's pages when the incidents are loaded), freed at the next full collection."""


def freeze_survivors() -> None:
    """Leave every object alive now (the loaded incidents: millions at 10,000) out of later
    garbage collections until ``thaw``: full passes no longer rescan them again and again.

    ``mkdocs serve`` keeps what it froze from one rebuild to the next. From a process's second
    freeze on, what is not frozen is collected first (garbage of earlier builds nothing holds),
    unless ``collect_garbage`` ran since the last freeze; every ``FULL_COLLECTION_EVERY``-th
    freeze thaws everything first, so garbage frozen since (what was still held at a freeze, or
    became garbage in a cycle later) is freed then and never piles up save after save."""
    global _in_effect, _freezes, _collected
    if not _collected:
        if _freezes % FULL_COLLECTION_EVERY == 0:
            thaw()
        if _freezes:
            gc.collect()  # a full collection when nothing is frozen
    gc.freeze()
    _in_effect, _collected = True, False
    _freezes += 1


def collect_garbage() -> None:
    """Free every cycle of garbage, frozen or not, and freeze what is left: a preview does it
    between builds (at 10,000 incidents, a second or two), so that its next rebuild's
    ``freeze_survivors`` need not collect."""
    global _in_effect, _collected
    thaw()
    gc.collect()
    gc.freeze()
    _in_effect, _collected = True, True


def freeze_paused_build() -> None:
    """Freeze everything a build made with the collector paused, before it is turned back on:
    its first pass would scan all of it (0.2 s at 10,000 incidents, within the build). The
    garbage among it goes at the next collection of everything (``collect_garbage`` between a
    preview's builds, or every ``FULL_COLLECTION_EVERY``-th ``freeze_survivors``)."""
    global _in_effect, _collected
    gc.freeze()
    _in_effect, _collected = True, False


def thaw() -> None:
    """Undo ``freeze_survivors`` (if it froze: another program may have frozen its own)."""
    global _in_effect, _collected
    if _in_effect:
        gc.unfreeze()
        _in_effect = False
    _collected = False


_in_effect = False
"""Whether this module's freeze is in effect."""
_collected = False
"""Whether ``collect_garbage`` ran since the last freeze."""
_freezes = 0
"""How many times ``freeze_survivors`` froze in this process."""


def _load_collection(
    paths: ProjectPaths,
    *,
    only: Sequence[Path] | None,
    extra: Sequence[Path],
    use_cache: bool,
    reload: bool,
    model: bool,
) -> Collection:
    schema_text, validator = _schema(paths.schema_path, paths.root, paths.vocabulary_extensions)
    schema = validator.schema
    check_page_names(schema)
    files = incident_files(paths.incidents_dir)  # unique already: resolving costs a lot
    if extra or only:
        files = _unique([*files, *extra, *(only or ())])
    reported = {resolved(path) for path in only} if only is not None else None
    cache = CheckCache(
        default_cache_dir() if use_cache else None, resolved(paths.incidents_dir), schema_text
    )
    checks: list[tuple[Path, str, FileCheck]] = []
    problems: list[Problem] = []
    recent = _recent if reload else _Recent()
    shared: dict[str, str] | None = {} if model else None  # the incidents stay: share their texts
    working_directory = os.getcwd()
    for path in files:
        display = display_path(path, working_directory)
        check = _check_file(path, display, paths.incidents_dir, validator, cache, recent, shared)
        checks.append((path, display, check))
        if reported is None or resolved(path) in reported:
            problems += check.problems
    cache.save()
    catalog, catalog_problems = _load_catalog(paths)
    problems += catalog_problems
    entries = [
        crosscheck.Entry(str(path), display, check.document)
        for path, display, check in checks
        if check.document is not None
    ]
    unreadable = [path.stem for path, _, check in checks if check.document is None]
    catalog_name = display_path(paths.catalog_path) if paths.catalog_path else ""
    kept = _recent.warnings if reload else None
    cross = crosscheck.problems(entries, catalog, Locator(), unreadable, catalog_name, kept)
    problems += [p for p in cross if reported is None or resolved(Path(p.path)) in reported]
    failed = {p.path for p in problems if p.level == "error"} | {
        p.path for p in cross if p.level == "error"
    }
    modelled = [
        (check, display, _source_uri(path, paths.incidents_dir))
        for path, display, check in checks
        if model and check.document is not None and not check.problems and display not in failed
    ]
    incidents = [recent.incident(*entry) for entry in modelled]
    if reload:
        recent.keep(checks, modelled, incidents)
    incidents.sort(
        key=lambda incident: (incident.started_at.timestamp(), incident.id), reverse=True
    )
    checked = len(_unique(only)) if only is not None else len(files)
    return Collection(paths, schema, incidents, sorted(set(problems)), catalog, checked)


def load_one(path: Path, paths: ProjectPaths) -> tuple[Incident | None, list[Problem]]:
    """One incident file, inside the incidents folder or not, checked against the whole project."""
    collection = load_collection(paths, only=[path], extra=[path])
    display = display_path(path)
    incident = next((i for i in collection.incidents if i.source == display), None)
    return incident, collection.problems


def _schema(
    path: Path, root: Path, extensions: Extensions | None = None
) -> tuple[str, DocumentValidator]:
    """The schema's text (the cache key) and its validator, with a site's extra terms."""
    if links_outside(path, root):
        raise ProjectError(
            f"the schema {display_path(path)} is a symbolic link pointing outside the project"
        )
    try:
        text = path.read_text(encoding="utf-8")
        if extensions:
            schema = extended(json.loads(text), extensions)
            text = json.dumps(schema, ensure_ascii=False, sort_keys=True)
        return text, _validator(text)
    except OSError as error:
        raise ProjectError(
            f"cannot read the schema {display_path(path)}: {error.strerror}"
        ) from error
    except ValueError as error:
        raise ProjectError(f"the schema {display_path(path)} is not valid JSON: {error}") from error
    except jsonschema.SchemaError as error:
        raise ProjectError(
            f"the schema {display_path(path)} is not a valid JSON Schema: {error.message}"
        ) from error


@functools.lru_cache(maxsize=4)
def _validator(schema_text: str) -> DocumentValidator:
    """One validator per schema text: rebuilds under ``mkdocs serve`` reuse it."""
    return DocumentValidator(json.loads(schema_text))


_SAFE_FOLDER = re.compile(r"[A-Za-z0-9._-]+")
"""What a folder between the incidents folder and a file may be called: its name becomes part of
URLs and edit links, so it holds nothing a link or an HTML attribute would read as markup."""


def _check_file(
    path: Path,
    display: str,
    root: Path,
    validator: DocumentValidator,
    cache: CheckCache,
    recent: _Recent,
    shared: dict[str, str] | None,
) -> FileCheck:
    """The check of one file; its document's keys and short texts from ``shared`` (see
    :func:`sharing_copy`), when given."""
    try:  # one system call for what most files need (each costs tens of µs here and there)
        status = os.lstat(path)
    except OSError as error:
        return _refused(display, f"cannot read file: {error.strerror}")
    linked = stat.S_ISLNK(status.st_mode)
    if linked and links_outside(path, root):
        message = "symbolic link pointing outside the incidents folder or into a hidden folder"
        return _refused(display, f"{message}; not read")
    unsafe = _unsafe_folder(path, root)
    if unsafe is not None:
        message = f"folder name {unsafe!r} may hold only letters, digits, '.', '_' and '-'"
        return _refused(display, message, "rename the folder")
    try:
        status = os.stat(path) if linked else status
        if not stat.S_ISREG(status.st_mode):  # a named pipe would block the read for ever
            return _refused(display, "not a regular file; not read")
        state = _FileState.of(status, cache.salt)
        unchanged = recent.unchanged(path, state)
        if unchanged is not None:
            return unchanged
        with path.open("rb") as stream:
            raw = stream.read(loader.MAX_BYTES + 1)
    except OSError as error:
        return _refused(display, f"cannot read file: {error.strerror}")
    key = cache.key(path.stem, raw)
    check = recent.checks.get(key)
    if check is None:
        check = cache.get(key, display)
        if check is None:
            check = check_bytes(raw, display, path.stem, validator)
            cache.put(key, check)
        if shared is not None and check.document is not None:
            check = dataclasses.replace(check, document=sharing_copy(check.document, shared))
    check = dataclasses.replace(check, digest=key)
    recent.seen(path, state, check)
    return check


def _refused(display: str, message: str, hint: str | None = None) -> FileCheck:
    """A file not read, with why (reported at its first line)."""
    return FileCheck(None, [Problem(display, 1, 1, "", message, hint)])


@dataclass(frozen=True)
class _FileState:
    """What tells that a file was not written since it was last read: its status, and the
    schema and code it was checked with (``CheckCache.salt``)."""

    modified_ns: int
    changed_ns: int
    size: int
    inode: int
    salt: bytes

    @classmethod
    def of(cls, status: os.stat_result, salt: bytes) -> _FileState:
        return cls(status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino, salt)


@dataclass
class _Recent:
    """The checks and incidents of the last ``reload`` (see ``load_collection``)."""

    checks: dict[bytes, FileCheck] = field(default_factory=dict)
    incidents: dict[tuple[bytes, str, str], Incident] = field(default_factory=dict)
    warnings: Carried[tuple[str, str], tuple[object, list[Problem]] | None] = field(
        default_factory=Carried
    )
    """Each file's warnings, while its document is the same (see ``crosscheck.problems``)."""
    files: dict[Path, tuple[_FileState, FileCheck]] = field(default_factory=dict)
    """The checks without problems by file, with the file's state when it was read: a file
    in the same state is not read again (10,000 files take seconds to read and hash)."""

    def unchanged(self, path: Path, state: _FileState) -> FileCheck | None:
        """The check of ``path`` when it is still in ``state``."""
        known = self.files.get(path)
        return known[1] if known is not None and known[0] == state else None

    def seen(self, path: Path, state: _FileState, check: FileCheck) -> None:
        """Remember the check of ``path``, read in ``state``; not when the file was written
        within the last ``RACY_NS`` (a second write in the same tick of a coarse clock would
        leave the same state)."""
        written = max(state.modified_ns, state.changed_ns)  # a copy may keep an old mtime
        if not check.problems and time.time_ns() - written > RACY_NS:
            self.files[path] = (state, check)

    def incident(self, check: FileCheck, display: str, source_uri: str) -> Incident:
        assert check.document is not None
        found = self.incidents.get((check.digest, display, source_uri))
        if found is not None:
            return found
        digest = fingerprint(check.digest, display, source_uri)  # see ``Incident.digest``
        return to_incident(check.document, display, source_uri, digest)

    def keep(
        self,
        checks: Sequence[tuple[Path, str, FileCheck]],
        modelled: Sequence[tuple[FileCheck, str, str]],
        incidents: Sequence[Incident],
    ) -> None:
        """Remember this load: ``incidents`` were modelled from ``modelled`` (each a check,
        display path and source URI)."""
        self.checks = {check.digest: check for _, _, check in checks if not check.problems}
        self.incidents = {
            (check.digest, display, source_uri): incident
            for (check, display, source_uri), incident in zip(modelled, incidents, strict=True)
        }
        present = {path for path, _, _ in checks}
        self.files = {path: known for path, known in self.files.items() if path in present}


_recent = _Recent()
RACY_NS = 3_000_000_000
"""Files written this recently are read again at the next load (see ``_Recent.seen``)."""


def _unsafe_folder(path: Path, root: Path) -> str | None:
    """The first folder name between ``root`` and ``path`` outside ``_SAFE_FOLDER``, if any."""
    below = _below(path, root)
    if below is not None:
        folders: Sequence[str] = below.split("/")[:-1]
    else:
        try:
            folders = path.parent.relative_to(root).parts
        except ValueError:  # a file named on the command line, outside the incidents folder
            return None
    return next((name for name in folders if not _SAFE_FOLDER.fullmatch(name)), None)


def _below(path: Path, root: Path) -> str | None:
    """``path`` from ``root`` as a POSIX path, when its name starts with the folder's (a fast
    string test for what most files are; ``None`` leaves it to ``pathlib``)."""
    text, prefix = str(path), os.path.join(str(root), "")
    return text[len(prefix) :].replace(os.sep, "/") if text.startswith(prefix) else None


def _load_catalog(paths: ProjectPaths) -> tuple[dict[str, dict[str, Any]] | None, list[Problem]]:
    if paths.catalog_path is None:
        return None, []
    display = display_path(paths.catalog_path)
    if not paths.catalog_path.is_file():
        return None, [Problem(display, 1, 1, "", "service catalog file not found")]
    if links_outside(paths.catalog_path, paths.root):
        reason = "symbolic link pointing outside the project or into a hidden folder; not read"
        return None, [Problem(display, 1, 1, "", reason)]
    loaded = loader.load_file(paths.catalog_path, display, "the service catalog")
    if loaded.data is None:
        return None, loaded.problems
    problems: list[Problem] = []
    if paths.services_schema_path.is_file():
        _, validator = _schema(paths.services_schema_path, paths.root)
        problems = validator.problems(
            loader.to_json(loaded.data),
            display,
            "",
            lambda f, key: loaded.position(f, key=key),
            incident=False,
        )
    services = {slug: value for slug, value in loaded.data.items() if isinstance(value, dict)}
    return services, problems


def to_incident(
    document: dict[str, Any], source: str, source_uri: str, digest: bytes = b""
) -> Incident:
    """The model of a valid document: timestamps and dates become ``datetime`` and ``date``
    (``digest``: see ``Incident.digest``)."""
    data = dict(document)
    for name in TIMESTAMP_FIELDS:
        if name in data:
            data[name] = _timestamp(data[name])
    if "written_on" in data:
        data["written_on"] = date.fromisoformat(data["written_on"])
    if "timeline" in data:
        data["timeline"] = [
            {**entry, "at": _timestamp(entry["at"])} if "at" in entry else entry
            for entry in data["timeline"]
        ]
    if "action_items" in data:
        data["action_items"] = [
            {**action, "due": date.fromisoformat(action["due"])} if "due" in action else action
            for action in data["action_items"]
        ]
    extensions = {key: value for key, value in data.items() if key.startswith("x-")}
    return Incident(data, source, source_uri, extensions, digest)


def _timestamp(text: str) -> datetime:
    """A valid document's timestamp; those with the same offset share one ``tzinfo`` (each
    parse makes its own: a third of a large collection's timestamp memory)."""
    parsed = parse_timestamp(text)
    zone = _ZONES.setdefault(parsed.utcoffset(), parsed.tzinfo)
    return parsed if zone is parsed.tzinfo else parsed.replace(tzinfo=zone)


_ZONES: dict[timedelta | None, tzinfo | None] = {}
"""The ``tzinfo`` of each offset in valid documents so far (the schema allows whole minutes
within a day: a few thousand at most)."""


SHARED_TEXT_LENGTH = 64
"""Texts up to this long are kept once per load: keys, vocabulary values, owners and timeline
kinds repeat across thousands of incidents (a quarter of a large collection's memory)."""


def sharing_copy(value: Any, shared: dict[str, str]) -> Any:
    """A copy of a JSON document whose keys and short texts are the ones in ``shared``."""
    if isinstance(value, str):
        return shared.setdefault(value, value) if len(value) <= SHARED_TEXT_LENGTH else value
    if isinstance(value, dict):
        return {
            shared.setdefault(key, key): sharing_copy(item, shared) for key, item in value.items()
        }
    if isinstance(value, list):
        return [sharing_copy(item, shared) for item in value]
    return value


def _source_uri(path: Path, root: Path) -> str:
    below = _below(path, root)
    if below is not None:
        return below
    if path.is_relative_to(root):  # files found under the folder: no need to resolve
        return path.relative_to(root).as_posix()
    target, target_root = resolved(path), resolved(root)
    if target.is_relative_to(target_root):
        return target.relative_to(target_root).as_posix()
    return path.name


def _unique(paths: Iterable[Path]) -> list[Path]:
    seen: dict[Path, Path] = {}
    for path in paths:
        seen.setdefault(resolved(path), path)
    return list(seen.values())
