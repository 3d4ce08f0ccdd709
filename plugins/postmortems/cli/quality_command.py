"""``postmortems quality``: the data-quality report, with checks a CI job can fail on."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..core.timestamps import build_date
from ..insights.quality import CHECK_NAMES, CHECKS, report
from .common import load_incidents
from .printer import OK, PROBLEMS, say


def register(subparsers: Any) -> None:
    checks = "\n".join(f"  {check.name:30} {check.description}" for check in CHECKS)
    parser = subparsers.add_parser(
        "quality",
        help="report incidents missing important details (a CI gate with --fail-on)",
        description=(
            "Report incidents missing detection time, contributing factors, action items or "
            "lessons, unknown root causes, stale drafts and action items without owner or due "
            "date. Exit status 1 when a check named by --fail-on has findings."
        ),
        epilog=f"checks:\n{checks}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--fail-on",
        nargs="+",
        action="extend",
        choices=CHECK_NAMES,
        default=[],
        metavar="CHECK",
        help="exit with status 1 when any of these checks has findings (names listed below)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    collection = load_incidents("quality")
    result = report(collection.incidents, build_date())
    sys.stdout.write(result.to_json() if args.format == "json" else result.to_text())
    failing = result.failing(args.fail_on)
    if failing:
        say(f"postmortems quality: findings in {', '.join(failing)}")
    return PROBLEMS if failing or collection.errors else OK
