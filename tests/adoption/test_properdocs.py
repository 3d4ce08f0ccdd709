"""ProperDocs, the maintained fork of MkDocs 1.6, builds the demo site unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import BIN, copy_repository, run


@pytest.mark.slow
def test_properdocs_builds_the_demo_site_strictly(tmp_path: Path) -> None:
    project = copy_repository(tmp_path / "project")
    result = run([BIN / "properdocs", "build", "--strict", "--site-dir", tmp_path / "out"], project)
    assert result.returncode == 0, result.stderr[-4000:]
    incident_pages = list((tmp_path / "out" / "incidents").glob("*/index.html"))
    assert len(incident_pages) == len(list((project / "incidents").rglob("[!_]*.yaml")))
    html = (tmp_path / "out" / "incidents" / "index.html").read_text(encoding="utf-8")
    assert "pm-" in html
