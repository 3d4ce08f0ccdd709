"""ProperDocs, the maintained fork of MkDocs 1.6, builds the demo site unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sitebuild import copy_repository

PROPERDOCS = Path(sys.executable).parent / "properdocs"


@pytest.mark.slow
def test_properdocs_builds_the_demo_site_strictly(tmp_path: Path) -> None:
    project = copy_repository(tmp_path / "project")
    result = subprocess.run(
        [str(PROPERDOCS), "build", "--strict", "--site-dir", str(tmp_path / "out")],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    incident_pages = list((tmp_path / "out" / "incidents").glob("*/index.html"))
    assert len(incident_pages) == len(list((project / "incidents").rglob("[!_]*.yaml")))
    html = (tmp_path / "out" / "incidents" / "index.html").read_text(encoding="utf-8")
    assert "pm-" in html
