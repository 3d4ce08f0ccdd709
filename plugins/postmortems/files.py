"""Write a new file atomically, never replacing one that exists."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
