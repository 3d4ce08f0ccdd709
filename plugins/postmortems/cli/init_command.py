"""``postmortems init DIR``: a complete knowledge base that validates and builds at once."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..authoring.knowledge_base import create, existing, requirement, starter_files
from ..core.collection import display_path
from .printer import OK, failure, usage_error


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init",
        help="create a new knowledge base (site, example incident, catalog, workflows)",
        description=(
            "Create a postmortem knowledge base in DIR: mkdocs.yml, an example incident, a "
            "service catalog, the authors' guide, pull-request and publish workflows, a "
            "pre-commit hook and a README. Never overwrites a file: when one exists, nothing "
            "is written."
        ),
    )
    parser.add_argument("folder", type=Path, metavar="DIR", help="where to create it")
    parser.add_argument(
        "--name", default="Postmortems", help="the site's name (default: Postmortems)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """0 when every file was written; 1 when one existed already (then nothing is written)."""
    folder: Path = args.folder
    if folder.exists() and not folder.is_dir():
        raise usage_error("init", f"{folder} is a file, not a folder")
    name = " ".join(args.name.split()) or "Postmortems"
    files = starter_files(name)
    clashes = existing(folder, files)
    if clashes:
        lines = [
            f"{display_path(path)}: error: already exists; not overwritten" for path in clashes
        ]
        raise failure(*lines, "postmortems init: nothing was written")
    create(folder, files)
    for file in files:
        print(display_path(folder / file.path))
    _, note = requirement()
    if note is not None:
        print(f"\nNote: {note}")
    print(
        f"\nNext: cd {folder} && python3 -m venv .venv && .venv/bin/pip install -r "
        "requirements.txt && .venv/bin/mkdocs serve"
    )
    return OK
