"""``postmortems validate [PATH ...]``: check incident files the way the site build does."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from ..core.collection import Collection, incident_files, load_collection
from ..core.problems import Problem, ProjectError
from ..core.project import ProjectPaths
from .common import project_error
from .printer import OK, PROBLEMS, USAGE, CommandExit, error_line, usage_error
from .site_config import find_project

FORMATS = ("text", "json", "github")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check incident files against the schema and the cross-file rules",
        description=(
            "Check incident files or folders (default: the incidents folder named in ./mkdocs.yml, "
            "else ./incidents). Prints path:line:column: field: message for every problem. "
            "Exit 0 when clean, 1 when problems were found (or warnings, when the site sets "
            "fail_on_warnings), 2 on a usage error."
        ),
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: github under GitHub Actions, else text)",
    )
    parser.add_argument("--no-cache", action="store_true", help="ignore the check cache")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    output_format = args.format or (
        "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    )
    project = find_project()
    missing = [path for path in args.paths if not path.exists()]
    if missing:
        lines = (error_line("validate", f"no such file or folder: {path}") for path in missing)
        raise CommandExit(USAGE, *lines)
    reason = project_error(project, needs_incidents=not args.paths)
    if reason is not None:
        raise usage_error("validate", reason)
    try:
        collection = _load(project, args.paths, use_cache=not args.no_cache)
    except ProjectError as error:
        raise usage_error("validate", str(error)) from None
    print(format_problems(collection, output_format), end="")
    return PROBLEMS if project.fails_build(collection.problems) else OK


def _load(project: ProjectPaths, paths: list[Path], *, use_cache: bool) -> Collection:
    if not paths:
        return load_collection(project, use_cache=use_cache, model=False)
    targets = [file for path in paths for file in incident_files(path)]
    return load_collection(project, only=targets, extra=targets, use_cache=use_cache, model=False)


def summary(collection: Collection) -> str:
    """``14 incidents checked, 3 problems in 2 files`` (and warnings, when any)."""
    errors, warnings = collection.errors, collection.warnings
    checked = collection.files_checked
    files = len({problem.path for problem in errors})
    text = f"{checked} incident{'s' if checked != 1 else ''} checked, "
    text += f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
    text += f" in {files} file{'s' if files != 1 else ''}" if errors else ""
    if warnings:
        text += f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    return text


def format_problems(collection: Collection, output_format: str) -> str:
    """The problems in ``text``, ``json`` or ``github`` form, with the summary where it fits."""
    problems = collection.problems
    if output_format == "json":
        return json.dumps([problem.as_dict() for problem in problems], indent=2) + "\n"
    if output_format == "github":
        lines = [_annotation(problem) for problem in problems]
        return "".join(f"{line}\n" for line in [*lines, summary(collection)])
    return "".join(f"{line}\n" for line in [*map(str, problems), summary(collection)])


def _annotation(problem: Problem) -> str:
    message = f"{problem.field or '(file)'}: {problem.message}"
    if problem.hint:
        message += f" (hint: {problem.hint})"
    return (
        f"::{problem.level} file={_escape_property(problem.path)},line={problem.line},"
        f"col={problem.column},title=postmortems validate::{_escape_data(message)}"
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
