"""Text for a terminal or a CI log, made inert: no control character or bidi override gets through.

Incident files come from pull requests: a title, a service name or a file name may hold ESC
(which can move the cursor, rewrite a line or set the clipboard with OSC 52) or a
right-to-left override that disguises a line. Everything the ``postmortems`` command prints,
and every message the plugin gives MkDocs, goes through :func:`inert`.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 controls other than tab and line feed, DEL, C1 controls, line separators, bidi controls."""


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: str) -> str:
    """``text`` with every unsafe character written as a visible escape (ESC → ``\\x1b``)."""
    return _UNSAFE.sub(_escape, text)


def one_line(text: str) -> str:
    """``inert`` text kept on one line: a line feed is escaped too (``\\x0a``). A problem is one
    line; a crafted field name must not begin a line of its own (a CI log reads a line starting
    ``::error`` as a workflow command, and a forged ``path:line:column:`` line misleads)."""
    return inert(text).replace("\n", "\\x0a")


class InertStream:
    """A text stream that makes everything written to it inert; the rest goes to ``stream``."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(inert(text))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)
