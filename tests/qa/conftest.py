"""A copy of the shipped project, as the working directory, for running commands against."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
KNOWN_ID = "2023-03-14-tracking-api-certificate-expiry"


@pytest.fixture
def project(new_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """This repository's incidents in a site with its own schema, as the working directory."""
    monkeypatch.setenv("POSTMORTEMS_NO_CACHE", "1")
    return new_project(REPO / "incidents")
