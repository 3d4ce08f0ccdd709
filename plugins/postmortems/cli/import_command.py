"""``postmortems import FILE ... [-o DIR]``: convert text/Markdown postmortems into draft YAML."""

from __future__ import annotations

import argparse
import codecs
from dataclasses import replace
from pathlib import Path

from ..authoring.importer import DEFAULT_CATEGORIES, DEFAULT_SEVERITIES, import_postmortem
from ..core.collection import display_path
from ..core.files import LINKED_OUT, leads_outside, write_new_file
from ..core.project import ProjectPaths, schema_modeline
from ..core.vocabulary import values
from .common import catalog_services
from .printer import OK, PROBLEMS, failure, say, usage_error
from .site_config import find_project

MAX_BYTES = 1024 * 1024  # a postmortem, not a log: larger files would make a useless draft


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``import`` sub-command."""
    parser = subparsers.add_parser(
        "import",
        help="convert text or Markdown postmortems into draft incident files",
        description="Convert postmortems written as text, Markdown or a wiki markup (Confluence, "
        "Jira, MediaWiki, AsciiDoc, reStructuredText, Org) into draft incident YAML "
        "files (status: draft) with TODO comments for what could not be found. "
        "Existing files are never overwritten.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="postmortem to read")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        help="write DIR/<id>.yaml (default: <year>/<id>.yaml in the incidents folder)",
    )
    parser.set_defaults(handler=run)


def read_text(path: Path) -> str:
    """The file as UTF-8 (a BOM is dropped), else as Latin-1.

    Raises ``ValueError`` for what is no postmortem: an empty, binary or huge file.
    """
    with path.open("rb") as stream:
        data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError("over 1 MiB: not a postmortem")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Notepad's "Unicode"
        data = data.decode("utf-16").encode("utf-8")
    if b"\0" in data:
        raise ValueError("binary data, not text")
    if not data.strip():
        raise ValueError("file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _vocabularies(project: ProjectPaths) -> dict[str, list[str] | None]:
    """Root-cause categories, severities and failure modes from the schema, else the
    contract's defaults (None: every failure mode the importer knows)."""
    if not project.schema_path.is_file():
        return {
            "categories": list(DEFAULT_CATEGORIES),
            "severities": list(DEFAULT_SEVERITIES),
            "failure_modes": None,
        }
    schema = project.read_schema()
    return {
        "categories": values(schema, "rootCauseCategory") or list(DEFAULT_CATEGORIES),
        "severities": values(schema, "severity") or list(DEFAULT_SEVERITIES),
        "failure_modes": values(schema, "failureMode") or None,
    }


def _import_one(
    path: Path,
    output: Path,
    by_year: bool,
    project: ProjectPaths,
    vocabularies: dict[str, list[str] | None],
) -> bool:
    try:
        text = read_text(path)
    except FileNotFoundError:
        say(f"{path}: error: no such file")
        return False
    except IsADirectoryError:
        say(f"{path}: error: a folder, not a file")
        return False
    except OSError as error:
        say(f"{path}: error: cannot read: {error.strerror or error}")
        return False
    except ValueError as error:
        say(f"{path}: error: {error}")
        return False
    incident = import_postmortem(
        text,
        source_name=path.name,
        catalog=catalog_services(project.catalog_path, project.root),
        **vocabularies,  # type: ignore[arg-type]
    )
    folder = output / str(incident.year) if by_year else output
    modeline = schema_modeline(project, folder)
    if modeline:
        incident = replace(incident, yaml_text=f"{modeline}\n{incident.yaml_text}")
    target = folder / f"{incident.id}.yaml"
    shown = display_path(target)
    if by_year and leads_outside(target, output):
        say(f"{path}: error: {display_path(folder)}: {LINKED_OUT}; not written")
        return False
    if target.exists():
        say(f"{path}: error: {shown} already exists; not overwritten")
        return False
    try:
        write_new_file(target, incident.yaml_text)
    except OSError as error:
        say(f"{path}: error: cannot write {shown}: {error.strerror or error}")
        return False
    for warning in incident.warnings:
        say(f"{shown}: warning: {warning}")
    print(f"{path} -> {shown}")
    return True


def run(args: argparse.Namespace) -> int:
    """Import each file; 0 when all were written, 1 when any was missing or refused."""
    project = find_project()
    try:
        vocabularies = _vocabularies(project)
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else f"not valid JSON: {error}"
        shown = display_path(project.schema_path)
        raise failure(f"{shown}: error: cannot read the schema: {reason}") from None
    output = args.output if args.output is not None else project.incidents_dir
    if output.exists() and not output.is_dir():
        raise usage_error("import", f"{output} is a file, not a folder")
    results = [
        _import_one(path, output, args.output is None, project, vocabularies) for path in args.files
    ]
    return OK if all(results) else PROBLEMS
