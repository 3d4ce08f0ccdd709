"""``postmortems import FILE ... [-o DIR]``: convert text/Markdown postmortems into draft YAML."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from ..importer import DEFAULT_CATEGORIES, DEFAULT_SEVERITIES, import_postmortem
from ..vocabulary import read_schema, values

SCHEMA_PATH = Path("schema/incident.schema.json")
INCIDENTS_DIR = Path("incidents")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``import`` sub-command."""
    parser = subparsers.add_parser(
        "import",
        help="convert text or Markdown postmortems into draft incident files",
        description="Convert postmortems written as text or Markdown into draft incident YAML "
        "files (status: draft) with TODO comments for what could not be found. "
        "Existing files are never overwritten.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="postmortem to read")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        help="write DIR/<id>.yaml (default: incidents/<year>/<id>.yaml)",
    )
    parser.set_defaults(handler=run)


def read_text(path: Path) -> str:
    """The file as UTF-8 (a BOM is dropped), else as Latin-1."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _vocabularies() -> tuple[list[str], list[str]]:
    """Root-cause categories and severities from the schema, else the contract's defaults."""
    if not SCHEMA_PATH.is_file():
        return list(DEFAULT_CATEGORIES), list(DEFAULT_SEVERITIES)
    schema = read_schema(SCHEMA_PATH)
    categories = values(schema, "rootCauseCategory") or list(DEFAULT_CATEGORIES)
    severities = values(schema, "severity") or list(DEFAULT_SEVERITIES)
    return categories, severities


def write_new(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` atomically (temporary file in the same folder, then rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _import_one(
    path: Path, output: Path | None, categories: list[str], severities: list[str]
) -> bool:
    try:
        text = read_text(path)
    except FileNotFoundError:
        print(f"{path}: error: no such file", file=sys.stderr)
        return False
    except OSError as error:
        print(f"{path}: error: cannot read: {error.strerror or error}", file=sys.stderr)
        return False
    incident = import_postmortem(
        text, source_name=path.name, categories=categories, severities=severities
    )
    folder = output if output is not None else INCIDENTS_DIR / str(incident.year)
    target = folder / f"{incident.id}.yaml"
    if target.exists():
        print(f"{path}: error: {target} already exists; not overwritten", file=sys.stderr)
        return False
    try:
        write_new(target, incident.yaml_text)
    except OSError as error:
        print(f"{path}: error: cannot write {target}: {error.strerror or error}", file=sys.stderr)
        return False
    for warning in incident.warnings:
        print(f"{target}: warning: {warning}", file=sys.stderr)
    print(f"{path} -> {target}")
    return True


def run(args: argparse.Namespace) -> int:
    """Import each file; 0 when all were written, 1 when any was missing or refused."""
    try:
        categories, severities = _vocabularies()
    except (OSError, ValueError) as error:
        print(f"{SCHEMA_PATH}: error: cannot read the schema: {error}", file=sys.stderr)
        return 1
    results = [_import_one(path, args.output, categories, severities) for path in args.files]
    return 0 if all(results) else 1
