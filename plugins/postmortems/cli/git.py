"""What git knows about a working tree, asked through the ``git`` command.

Each question answers ``None`` (or ``False``) when git is missing or the folder is no
repository, so a caller decides what that means; file names come back as they are (``-z``),
never quoted or escaped by git.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def toplevel(folder: Path) -> Path | None:
    """The root of the working tree that holds ``folder``; ``None`` outside a repository."""
    output = _git(["rev-parse", "--show-toplevel"], folder)
    return None if output is None else Path(output.strip())


def is_commit(ref: str, top: Path) -> bool:
    """Whether ``ref`` names a commit in the repository at ``top``."""
    return bool(_git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top))


def changed_since(ref: str, top: Path) -> list[Path] | None:
    """Files added or changed (not deleted) in the working tree, committed or not, since the
    merge base of ``ref`` and ``HEAD``; ``None`` when they have none (a shallow clone)."""
    base = _git(["merge-base", ref, "HEAD"], top)
    if not base or not base.strip():
        return None
    output = _git(["diff", "-z", "--name-only", "--diff-filter=d", base.strip(), "--"], top)
    return None if output is None else _paths(output, top)


def untracked(folder: Path, top: Path) -> list[Path] | None:
    """Files under ``folder`` that git does not track and does not ignore; ``None`` when git
    cannot tell."""
    output = _git(["ls-files", "-z", "--others", "--exclude-standard", "--", str(folder)], top)
    return None if output is None else _paths(output, top)


def _paths(output: str, top: Path) -> list[Path]:
    return [top / name for name in output.split("\0") if name]


def _git(arguments: list[str], cwd: Path) -> str | None:
    """Output of a git command, or None when git is missing or the command fails."""
    try:
        done = subprocess.run(
            ["git", *arguments], cwd=cwd, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None
