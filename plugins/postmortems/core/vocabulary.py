"""Vocabularies (severities, root-cause categories, failure modes...) read from the JSON Schema.

The schema is the single source of truth: each vocabulary is a ``$defs`` entry written as
``oneOf`` of ``{"const", "title", "description"}`` terms, so a team customises its taxonomy by
editing the schema file alone.
"""

from __future__ import annotations

import copy
import errno
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .files import links_outside
from .problems import ProjectError

Extensions = Mapping[str, Sequence[Mapping[str, Any]]]
"""A site's extra terms per vocabulary: ``{"rootCauseCategory": [{"value": ..., "title": ...,
"description": ...}]}`` (the plugin's ``vocabularies`` option)."""

VOCABULARIES = (
    "severity",
    "status",
    "rootCauseCategory",
    "failureMode",
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


def extended(schema: dict[str, Any], extensions: Extensions) -> dict[str, Any]:
    """``schema`` with a site's extra terms appended to its vocabularies (the file is unchanged).

    Raises ``ProjectError`` for a vocabulary the schema does not have or a value it already has.
    """
    if not extensions:
        return schema
    result = copy.deepcopy(schema)
    definitions = result.get("$defs", {})
    known = sorted(name for name, d in definitions.items() if isinstance(d, dict) and "oneOf" in d)
    for name, terms in extensions.items():
        if name not in known:
            raise ProjectError(
                f"vocabularies: the schema has no vocabulary '{name}'; "
                f"extend one of: {', '.join(known)}"
            )
        options = definitions[name]["oneOf"]
        existing = {option.get("const") for option in options}
        for term in terms:
            value = str(term["value"])
            if value in existing:
                raise ProjectError(f"vocabularies: {name}: '{value}' is already in the schema")
            existing.add(value)
            options.append(
                {
                    "const": value,
                    "title": term.get("title") or value,
                    "description": term.get("description") or "",
                }
            )
    return result


PAGE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_-])?")
"""What a value of ``PAGE_VOCABULARIES`` may be: each names a folder of the site
(``root-causes/<value>/``), so none may climb out of its folder, read as markup, or end in a dot
(which Windows drops)."""


PAGE_VOCABULARIES = ("rootCauseCategory", "failureMode", "actionStatus")
"""The vocabularies whose every value has a page of the site."""


def check_page_names(schema: dict[str, Any]) -> None:
    """Raise ``ProjectError`` for a value of ``PAGE_VOCABULARIES`` that cannot name a page."""
    for name in PAGE_VOCABULARIES:
        for term in vocabulary(schema, name):
            if not PAGE_NAME.fullmatch(term.value):
                raise ProjectError(
                    f"vocabulary {name}: the value {term.value!r} cannot name a page; "
                    "use letters, digits, '.', '_' and '-', starting with a letter or digit"
                )


def vocabulary(schema: dict[str, Any], name: str) -> list[Term]:
    """The terms of the vocabulary ``$defs[name]``, in schema order."""
    definitions = schema.get("$defs")
    definition = definitions.get(name) if isinstance(definitions, dict) else None
    if not isinstance(definition, dict) or not isinstance(definition.get("oneOf"), list):
        return []
    return [
        Term(
            str(option["const"]),
            option.get("title", str(option["const"])),
            option.get("description", ""),
        )
        for option in definition["oneOf"]
        if isinstance(option, dict) and "const" in option
    ]


def values(schema: dict[str, Any], name: str) -> list[str]:
    """Only the allowed values of the vocabulary ``$defs[name]``."""
    return [term.value for term in vocabulary(schema, name)]


def titles(schema: dict[str, Any], name: str) -> dict[str, str]:
    """Each value of the vocabulary ``$defs[name]`` and the title shown for it."""
    return {term.value: term.title for term in vocabulary(schema, name)}
