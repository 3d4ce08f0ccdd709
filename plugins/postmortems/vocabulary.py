"""Vocabularies (severities, root-cause categories, statuses...) read from the JSON Schema.

The schema is the single source of truth: each vocabulary is a ``$defs`` entry written as
``oneOf`` of ``{"const", "title", "description"}`` terms, so a team customises its taxonomy by
editing the schema file alone.
"""

from __future__ import annotations

import errno
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .files import links_outside

VOCABULARIES = (
    "severity",
    "status",
    "rootCauseCategory",
    "detectionMethod",
    "timelineKind",
    "actionStatus",
    "actionType",
    "priority",
    "visibility",
)


@dataclass(frozen=True)
class Term:
    """One allowed value of a vocabulary, with the words the site shows for it."""

    value: str
    title: str
    description: str


def read_schema(path: Path, root: Path | None = None) -> dict[str, Any]:
    """Read a JSON Schema file; ``OSError`` when it links out of the project folder ``root``."""
    if root is not None and links_outside(path, root):
        raise OSError(errno.EPERM, "symbolic link pointing outside the project")
    return json.loads(path.read_text(encoding="utf-8"))


def vocabulary(schema: dict[str, Any], name: str) -> list[Term]:
    """The terms of the vocabulary ``$defs[name]``, in schema order."""
    definition = schema.get("$defs", {}).get(name, {})
    return [
        Term(
            str(option["const"]),
            option.get("title", str(option["const"])),
            option.get("description", ""),
        )
        for option in definition.get("oneOf", [])
        if "const" in option
    ]


def values(schema: dict[str, Any], name: str) -> list[str]:
    """Only the allowed values of the vocabulary ``$defs[name]``."""
    return [term.value for term in vocabulary(schema, name)]
