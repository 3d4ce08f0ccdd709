"""The ``postmortems`` command: one sub-command per module, each over the same core."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from . import (
    import_command,
    new_command,
    quality_command,
    similar_command,
    stats_command,
    validate_command,
)

COMMANDS = (
    validate_command,
    new_command,
    import_command,
    similar_command,
    stats_command,
    quality_command,
)


class _Parser(argparse.ArgumentParser):
    """Usage errors exit with 2 and one line of explanation, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="postmortems",
        description="Validate, write, search and summarise postmortems kept as YAML files.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 problems found, 2 usage error)."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
