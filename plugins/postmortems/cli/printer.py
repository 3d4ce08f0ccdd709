"""The one place the ``postmortems`` command writes messages and chooses how a command ends.

A command returns :data:`OK` or :data:`PROBLEMS` when it ran to its end, and raises
:class:`CommandExit` (usually through :func:`usage_error` or :func:`failure`) when it stops;
:func:`postmortems.cli.main` prints the exit's lines and returns its status. Every message goes
to standard error through :func:`say`, made inert (:mod:`postmortems.core.terminal`): a file
name or a title from an incident never reaches the terminal as a control code.
"""

from __future__ import annotations

import sys

from ..core.terminal import inert

OK = 0
"""Done; nothing wrong."""
PROBLEMS = 1
"""Problems were found (invalid files, a failed check, a file that exists), or output failed."""
USAGE = 2
"""A wrong or missing option, or a project that cannot be loaded."""
INTERRUPTED = 130
"""Ctrl-C, as a shell reports it."""


class CommandExit(Exception):
    """Stop the command: print ``lines`` to standard error, then exit with ``status``."""

    def __init__(self, status: int, *lines: object) -> None:
        super().__init__(*lines)
        self.status = status
        self.lines = lines


def say(*lines: object) -> None:
    """Write each of ``lines`` to standard error, made inert, one per line."""
    for line in lines:
        sys.stderr.write(inert(str(line)) + "\n")


def error_line(command: str, message: str) -> str:
    """``postmortems COMMAND: error: MESSAGE``, the form of a command's own error."""
    return f"postmortems {command}: error: {message}"


def usage_error(command: str, message: str) -> CommandExit:
    """Exit :data:`USAGE` with ``postmortems COMMAND: error: MESSAGE``, one such line per line
    of ``message`` (several bad flags at once); raise what it returns."""
    return CommandExit(USAGE, *(error_line(command, line) for line in message.splitlines()))


def failure(*lines: object) -> CommandExit:
    """Exit :data:`PROBLEMS` after ``lines``; raise what it returns."""
    return CommandExit(PROBLEMS, *lines)
