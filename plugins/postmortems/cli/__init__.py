"""The ``postmortems`` command: one sub-command per module, each over the same core."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from .. import __version__
from ..core.problems import ProjectError
from ..core.terminal import InertStream
from . import (
    import_command,
    init_command,
    new_command,
    quality_command,
    render_command,
    similar_command,
    stats_command,
    validate_command,
)
from .printer import INTERRUPTED, OK, PROBLEMS, USAGE, CommandExit, error_line, say

COMMANDS = (
    validate_command,
    new_command,
    import_command,
    similar_command,
    stats_command,
    quality_command,
    init_command,
    render_command,
)


class _Parser(argparse.ArgumentParser):
    """Usage errors exit with 2 and one line of explanation, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog}: error: {message}\n")


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
    """Run the command line; returns the exit code (0 ok, 1 problems found, 2 usage error).

    Everything it prints, to standard output or error, is made inert on the way
    (:mod:`postmortems.core.terminal`): incident text never reaches the terminal as control codes.
    """
    _prepare_streams()
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = InertStream(stdout), InertStream(stderr)
    try:
        return _run(argv)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
        sys.stdout.flush()  # a write error shows here, not as a traceback at exit
        return code
    except CommandExit as stop:
        say(*stop.lines)
        return stop.status
    except KeyboardInterrupt:
        say("interrupted")
        return INTERRUPTED
    except BrokenPipeError:
        _discard_output()
        return OK
    except ProjectError as error:
        say(error_line(args.command, str(error)))
        return USAGE
    except OSError as error:  # output that cannot be written (a full disk), a vanished file
        where = f"{error.filename}: " if error.filename else ""
        say(error_line(args.command, f"{where}{error.strerror or error}"))
        return PROBLEMS


def _prepare_streams() -> None:
    """Text the terminal's encoding cannot show is escaped, not a crash (``LC_ALL=C``); a closed
    standard output discards what would be printed."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - open until exit
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _discard_output() -> None:
    """After a closed pipe (``| head``), send what is still buffered nowhere, silently."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
