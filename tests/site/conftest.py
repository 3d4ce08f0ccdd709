"""The site tests' own fixture; the built sites (``site``, ``hostile_site``) are shared from
``tests/conftest.py``.

Each site is built with ``load_config(..., strict=True)`` + ``build`` (a warning fails the
build), with the build date fixed through ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import copy_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh, writable copy of the fixture project."""
    return copy_project(tmp_path / "project")
