"""Shared helpers for the importer tests: read a draft back and complete its TODOs."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import yaml

PLACEHOLDERS: dict[str, Any] = {
    "title": "Filled in",
    "severity": "SEV3",
    "summary": "Filled in.",
    "services": ["filled-in"],
    "started_at": "2024-01-01T00:00:00Z",
    "impact": {"summary": "Filled in."},
    "impact.summary": "Filled in.",
    "root_cause.summary": "Filled in.",
    "resolution": "Filled in.",
}


def todo_fields(yaml_text: str) -> list[str]:
    """The fields named by ``# TODO <field>:`` comment lines."""
    return re.findall(r"^\s*# TODO ([\w.]+): not found in the source — fill in$", yaml_text, re.M)


def filled(yaml_text: str) -> dict[str, Any]:
    """The draft as loaded, with every TODO completed and times as strings (JSON-ready)."""
    data = yaml.safe_load(yaml_text)
    for field in todo_fields(yaml_text):
        *parents, name = field.split(".")
        target = data
        for parent in parents:
            target = target.setdefault(parent, {})
        target[name] = PLACEHOLDERS[field]
    return _json_ready(data)


def _json_ready(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    return value
