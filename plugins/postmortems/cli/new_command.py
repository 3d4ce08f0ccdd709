"""``postmortems new``: start a postmortem from a template, asking in a terminal or from flags."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from ..authoring.scaffold import (
    NewIncident,
    derive_id,
    parse_choice,
    parse_id,
    parse_services,
    parse_timestamp,
    parse_title,
    render_incident,
)
from ..core.collection import display_path
from ..core.files import LINKED_OUT, leads_outside, write_new_file
from ..core.problems import Problem
from ..core.project import schema_modeline
from ..core.vocabulary import VOCABULARIES, values
from .common import catalog_services, project_error
from .printer import OK, failure, usage_error
from .site_config import find_project

T = TypeVar("T")

EXAMPLE = (
    "postmortems new --title 'Checkout down' --started-at 2024-07-30T00:50:00Z "
    "--severity SEV2 --service checkout-api --category config-change"
)


class _Cancelled(Exception):
    """The author closed the prompts (end of input or Ctrl-C)."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "new",
        help="start a new postmortem file from a template",
        description=(
            "Create incidents/<year>/<id>.yaml with the answers filled in and TODO placeholders "
            "for the rest. In a terminal it asks for what the flags do not give; otherwise "
            "--title, --started-at, --severity, --service and --category are required."
        ),
        epilog=f"example: {EXAMPLE}",
    )
    parser.add_argument("--title", help="one-line title of the incident")
    parser.add_argument(
        "--started-at",
        metavar="TIMESTAMP",
        help="when impact began, RFC 3339 with an offset (2024-07-30T00:50:00Z)",
    )
    parser.add_argument("--severity", help="a severity from the schema (SEV1…SEV4 by default)")
    parser.add_argument(
        "--service",
        dest="services",
        action="append",
        metavar="SLUG",
        help="an affected service; repeat for several",
    )
    parser.add_argument("--category", help="the root-cause category, from the schema's taxonomy")
    parser.add_argument(
        "--id",
        dest="incident_id",
        metavar="ID",
        help="the incident id (default: YYYY-MM-DD-slug-of-title)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the YAML instead of writing the file"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    project = find_project()
    reason = project_error(project, needs_incidents=False)
    try:
        schema = project.read_schema() if reason is None else {}
    except (OSError, ValueError) as error:
        problem = error.strerror if isinstance(error, OSError) else f"not valid JSON: {error}"
        reason = f"cannot read the schema {display_path(project.schema_path)}: {problem}"
    if reason is not None:
        raise usage_error("new", reason)
    vocabularies = {name: values(schema, name) for name in VOCABULARIES}
    catalog = _catalog_services(project.catalog_path, project.root)
    try:
        incident = _answers(args, vocabularies, catalog)
    except _Cancelled:
        raise failure("\npostmortems new: cancelled, nothing written") from None
    except ValueError as error:
        raise usage_error("new", str(error)) from None

    incidents_dir = project.incidents_dir
    target = incidents_dir / str(incident.started_at.year) / f"{incident.id}.yaml"
    existing = _existing(incidents_dir, incident.id)
    if existing is not None:
        message = "an incident with this id already exists; choose another id with --id"
        raise failure(Problem(display_path(existing), 1, 1, "id", message))
    text = render_incident(
        incident,
        modeline=schema_modeline(project, target.parent),
        vocabularies=vocabularies,
        written_on=date.today(),
    )
    if args.dry_run:
        sys.stdout.write(text)
        return OK
    if leads_outside(target, incidents_dir):
        shown = display_path(target.parent)
        raise failure(f"{shown}: {LINKED_OUT}; not written")
    try:
        write_new_file(target, text)
    except OSError as error:
        raise failure(f"{display_path(target)}: cannot write: {error.strerror or error}") from None
    print(f"created {display_path(target)}")
    print(f"next: replace the TODOs, then run `postmortems validate {display_path(target)}`")
    return OK


class _Question(NamedTuple):
    """One answer a new file needs: its flag, the flag's value if given, the question asked
    in a terminal otherwise, and how the answer is checked."""

    flag: str
    given: str | None
    question: str
    parse: Callable[[str], Any]


def _questions(
    args: argparse.Namespace, vocabularies: dict[str, list[str]], catalog: list[str] | None
) -> list[_Question]:
    """The answers a new file needs, in the order they are asked."""
    severities, categories = vocabularies["severity"], vocabularies["rootCauseCategory"]
    return [
        _Question("--title", args.title, "Title (one line)", parse_title),
        _Question(
            "--started-at",
            args.started_at,
            "Impact started at (RFC 3339 with offset, e.g. 2024-07-30T00:50:00Z)",
            parse_timestamp,
        ),
        _Question(
            "--severity",
            args.severity,
            f"Severity ({', '.join(severities)})",
            lambda text: parse_choice(text, severities, "severity"),
        ),
        _Question(
            "--service",
            " ".join(args.services) if args.services is not None else None,
            "Affected services (slugs separated by spaces or commas)",
            lambda text: parse_services(text.replace(",", " ").split(), catalog),
        ),
        _Question(
            "--category",
            args.category,
            f"Root-cause category ({', '.join(categories)})",
            lambda text: parse_choice(text, categories, "root-cause category"),
        ),
    ]


def _answers(
    args: argparse.Namespace, vocabularies: dict[str, list[str]], catalog: list[str] | None
) -> NewIncident:
    """The answers from the flags, asking in a terminal for those missing.

    Raises ``ValueError`` for a bad flag, or for missing flags when there is no terminal.
    """
    fields = _questions(args, vocabularies, catalog)
    answers: dict[str, Any] = {}
    refused: list[str] = []  # every bad flag at once, not one per run
    given = [(flag, parse, text) for flag, text, _, parse in fields if text is not None]
    if args.incident_id is not None:
        given.append(("--id", parse_id, args.incident_id))
    for flag, parse, text in given:
        try:
            answers[flag] = parse(text)
        except ValueError as error:
            refused.append(f"{flag}: {error}")
    if refused:
        raise ValueError("\n".join(refused))
    incident_id = answers.pop("--id", None)
    interactive = sys.stdin.isatty()
    missing = [flag for flag, _, _, _ in fields if flag not in answers]
    if missing and not interactive:
        raise ValueError(
            f"missing {', '.join(missing)} (stdin is not a terminal, so nothing can be asked)"
            f"\nexample: {EXAMPLE}"
        )
    for flag, _, question, parse in fields:
        if flag not in answers:
            answers[flag] = _ask(question, parse)
    title, started_at = answers["--title"], answers["--started-at"]
    if incident_id is None:
        derived = derive_id(started_at, title)
        incident_id = _ask("Id", parse_id, default=derived) if interactive else derived
    return NewIncident(
        incident_id,
        title,
        started_at,
        answers["--severity"],
        answers["--service"],
        answers["--category"],
    )


def _ask(question: str, parse: Callable[[str], T], default: str | None = None) -> T:
    """Ask until ``parse`` accepts the answer, showing why a bad one was refused."""
    prompt = f"{question} [{default}]: " if default else f"{question}: "
    while True:
        try:
            answer = input(prompt)
        except (EOFError, KeyboardInterrupt):
            raise _Cancelled from None
        try:
            return parse(answer.strip() or default or "")
        except ValueError as error:
            print(f"  {error}")


def _catalog_services(path: Path | None, root: Path) -> list[str] | None:
    """The service slugs of the catalog, or ``None`` when there is no readable catalog."""
    services = catalog_services(path, root)
    return None if services is None else list(services)


def _existing(incidents_dir: Path, incident_id: str) -> Path | None:
    """A file anywhere under the incidents folder that already holds ``incident_id``."""
    matches = sorted(
        path for suffix in (".yaml", ".yml") for path in incidents_dir.rglob(incident_id + suffix)
    )
    return matches[0] if matches else None
