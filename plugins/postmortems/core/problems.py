"""Problems found in incident files, located at ``path:line:column`` and a field."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

from .terminal import one_line

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, precise enough to fix without guessing."""

    path: str
    line: int
    column: int
    field: str
    message: str
    hint: str | None = dataclasses.field(default=None, compare=False)  # `field` is a field here
    level: Level = dataclasses.field(default="error", compare=False)

    def __str__(self) -> str:
        prefix = "warning: " if self.level == "warning" else ""
        where = f"{self.path}:{self.line}:{self.column}"
        text = f"{where}: {self.field or '(file)'}: {prefix}{self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return one_line(text)

    def as_dict(self) -> dict[str, Any]:
        """The problem as a JSON-ready mapping."""
        return asdict(self)


class ProjectError(Exception):
    """The project cannot be loaded at all (a missing or broken schema); one line to show."""


def kind_of(value: Any) -> str:
    """What a YAML value reads as, for messages: ``a boolean``, ``an integer``, ``text``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "a mapping"
