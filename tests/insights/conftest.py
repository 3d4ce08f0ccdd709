"""Fixtures for the insights tests."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from postmortems.core.model import Incident

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
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with one final incident and one draft from months before the build."""
    (tmp_path / "schema").mkdir()
    shutil.copy(SCHEMA_PATH, tmp_path / "schema" / "incident.schema.json")  # the site's own
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - postmortems:\n      schema: schema/incident.schema.json\n",
        encoding="utf-8",
    )
    folder = tmp_path / "incidents"
    folder.mkdir()
    for incident_id, status in (("2024-03-01-final", "final"), ("2024-03-01-draft", "draft")):
        text = INCIDENT.format(id=incident_id, status=status)
        (folder / f"{incident_id}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POSTMORTEMS_NO_CACHE", "1")
    build = datetime(2024, 9, 1, tzinfo=UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(build.timestamp())))
    return tmp_path
