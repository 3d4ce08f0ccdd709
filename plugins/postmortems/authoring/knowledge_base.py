"""A new knowledge base, from the starter kit shipped in the package (``starter/``).

The kit is a complete site: ``mkdocs.yml``, one example incident, a service catalog, the guide
for authors, the pull-request and publish workflows, a pre-commit hook, a README, and
``requirements.txt`` pinning this very package (see ``requirement``). Files whose path has a
part starting with ``dot-`` are written with a leading dot instead (``dot-github`` ->
``.github``): package data keeps no hidden files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .. import __version__
from ..core.files import write_new_file

STARTER = Path(__file__).parent / "starter"


@dataclass(frozen=True)
class StarterFile:
    """One file of a new knowledge base: where it goes (relative) and its text."""

    path: Path
    text: str


def starter_files(site_name: str) -> list[StarterFile]:
    """Every file of a new knowledge base called ``site_name``, in path order."""
    return sorted(
        (
            StarterFile(_target(source.relative_to(STARTER)), _fill(source, site_name))
            for source in _sources()
        ),
        key=lambda file: file.path.as_posix(),
    )


def existing(folder: Path, files: list[StarterFile]) -> list[Path]:
    """The files of ``files`` that already exist in ``folder`` (nothing is ever overwritten)."""
    return [folder / file.path for file in files if (folder / file.path).exists()]


def create(folder: Path, files: list[StarterFile]) -> None:
    """Write ``files`` under ``folder``; each must not exist (``FileExistsError`` otherwise)."""
    for file in files:
        write_new_file(folder / file.path, file.text)


def _sources() -> Iterator[Path]:
    return (path for path in STARTER.rglob("*") if path.is_file() and path.suffix != ".pyc")


def _target(relative: Path) -> Path:
    return Path(*(f".{part[4:]}" if part.startswith("dot-") else part for part in relative.parts))


def _fill(source: Path, site_name: str) -> str:
    text = source.read_text(encoding="utf-8")
    return text.replace("@SITE_NAME@", site_name).replace("@REQUIREMENT@", requirement()[0])


def requirement() -> tuple[str, str | None]:
    """The requirement that installs this very package, as pip recorded how it was installed
    (PEP 610): this version from a package index, the commit of a repository, or a folder of
    this machine; and for a folder, a note that teammates and CI cannot install from it."""
    try:
        recorded = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
        direct = json.loads(recorded) if recorded else None
    except (metadata.PackageNotFoundError, ValueError):
        direct = None
    if not isinstance(direct, dict) or not isinstance(direct.get("url"), str):
        return f"{DISTRIBUTION}=={__version__}", None
    url, vcs = direct["url"], direct.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") and vcs.get("commit_id"):
        return f"{DISTRIBUTION} @ {vcs['vcs']}+{url}@{vcs['commit_id']}", None
    note = (
        f"requirements.txt installs {DISTRIBUTION} from {url}, which only this machine has: "
        "before you push, point it (and .pre-commit-config.yaml) at your copy of the repository "
        f"({DISTRIBUTION} @ git+https://...@<commit>)"
    )
    return f"{DISTRIBUTION} @ {url}", note


DISTRIBUTION = "mkdocs-postmortems"
