"""``postmortems stats``: the statistics page's figures in the terminal."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from ..core.collection import Collection
from ..insights.stats import figures, filter_incidents
from ..insights.stats_text import text_report
from .common import load_incidents
from .printer import OK, PROBLEMS, usage_error


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="print incident statistics (counts, median and p90 times)",
        description=(
            "Incidents per month and severity, by root-cause category and by service, and the "
            "median and 90th percentile of time to detect, mitigate and resolve."
        ),
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--since",
        type=_date,
        metavar="DATE",
        help="only incidents that started on or after DATE (YYYY-MM-DD)",
    )
    parser.add_argument("--service", metavar="S", help="only incidents affecting service S")
    parser.set_defaults(handler=run)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _known_service(collection: Collection, service: str) -> bool:
    """Whether ``service`` is in the catalog or named by an incident (a typo is neither)."""
    in_catalog = collection.catalog is not None and service in collection.catalog
    return in_catalog or any(service in incident.services for incident in collection.incidents)


def run(args: argparse.Namespace) -> int:
    collection = load_incidents("stats")
    if args.service is not None and not _known_service(collection, args.service):
        raise usage_error("stats", f"--service: unknown service {args.service!r}")
    incidents = filter_incidents(collection.incidents, since=args.since, service=args.service)
    result = figures(incidents, collection.schema)
    if args.format == "json":
        filters = {"since": args.since.isoformat() if args.since else None, "service": args.service}
        sys.stdout.write(json.dumps(filters | result.as_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(text_report(result))
    return PROBLEMS if collection.errors else OK
