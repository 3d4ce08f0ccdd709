"""Fixtures for the insights tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from postmortems.core.model import Incident
from sitebuild import SOURCE_DATE_EPOCH

from .helpers import SCHEMA_PATH, sample_incidents


@pytest.fixture
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def incidents() -> list[Incident]:
    return sample_incidents()


INCIDENT = """\
id: {id}
title: Checkout failed
status: {status}
severity: SEV2
summary: Checkout failed.
services: [checkout-api]
started_at: 2024-03-01T10:00:00Z
detected_at: 2024-03-01T10:05:00Z
impact:
  summary: No orders.
root_cause:
  category: deployment
  summary: A bad deploy.
resolution: Rolled back.
"""


@pytest.fixture
def project(new_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with one final incident and one draft from months before the build."""
    root = new_project()
    for incident_id, status in (("2024-03-01-final", "final"), ("2024-03-01-draft", "draft")):
        text = INCIDENT.format(id=incident_id, status=status)
        (root / "incidents" / f"{incident_id}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("POSTMORTEMS_NO_CACHE", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    return root
