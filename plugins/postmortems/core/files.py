"""Files of the repository: which may be read (no link out of it), and writing new ones."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .problems import ProjectError


def write_new_file(target: Path, text: str) -> None:
    """Write ``text`` to ``target``, which must not exist yet.

    The text goes to a temporary file beside ``target`` (flushed to disk, with the usual
    permissions), which is then hard-linked into place: a file that appears at ``target`` in
    the meantime is never overwritten (``FileExistsError``), and nobody sees a half-written file.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.link(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _umask() -> int:
    """The process's file-creation mask (``mkstemp`` makes files only their owner can read)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def links_outside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is a symbolic link out of ``folder``, or into a hidden folder inside it
    (``.git``, whose ``config`` holds a CI checkout's token): such a file is never read.

    Incident files, the service catalog, the schemas and page templates come from pull
    requests: a link to ``~/.aws/credentials`` would print its values in validate and build logs.
    """
    return path.is_symlink() and _escapes(resolved(path), resolved(folder))


def resolved(path: Path) -> Path:
    """``path`` made absolute with links followed; as given (absolute) when a link loops."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop before Python 3.13
        return path.absolute()


LINKED_OUT = "links out of the incidents folder or into a hidden folder"
"""Why a file is not written where ``leads_outside``."""


def leads_outside(target: Path, folder: Path) -> bool:
    """Whether a file written at ``target`` (a path under ``folder``) would land outside
    ``folder`` or in a hidden folder inside it, through a folder on the way that is a symbolic
    link (a pull request can plant ``incidents/2027`` pointing at ``~/.ssh``)."""
    if not folder.exists():
        return False
    existing = target.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    return _escapes(resolved(existing), resolved(folder))


def _escapes(target: Path, base: Path) -> bool:
    """Whether the resolved ``target`` lies outside the resolved ``base`` or in a hidden
    folder inside it."""
    if not _inside(target, base):
        return True
    return any(part.startswith(".") for part in target.relative_to(base).parts)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def read_folder(folder: Path, root: Path) -> dict[str, str]:
    """Every file under ``folder`` (a site's templates, from pull requests) by its path there.

    Hidden files and folders are skipped; a link to a folder, or a file linked out of ``root``
    or into a hidden folder, is refused (``ProjectError``): a template could otherwise include
    ``.git/config`` or any file on the machine. Nothing else under ``folder`` is ever opened.
    """
    if folder.is_symlink() or not folder.is_dir():
        raise ProjectError(f"{folder}: a symbolic link or no folder; not read")
    found: dict[str, str] = {}
    for current, folders, names in os.walk(folder):
        here = Path(current)
        for name in folders:
            if (here / name).is_symlink():
                raise ProjectError(f"{here / name}: a symbolic link to a folder; not read")
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(names):
            path = here / name
            if name.startswith("."):
                continue
            if links_outside(path, root):
                raise ProjectError(
                    f"{path}: symbolic link pointing outside the project or into a hidden folder;"
                    " not read"
                )
            try:
                found[path.relative_to(folder).as_posix()] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise ProjectError(f"{path}: cannot read it as UTF-8 text ({error})") from error
    return found
