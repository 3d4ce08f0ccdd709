"""The invariant: whatever ``postmortems validate`` accepts builds. The worst file it accepts
(just under 1 MiB, every list and length at its limit, Markdown at the line, nesting and
heading limits full of the constructs that used to break builds) builds with --strict.
Its build time is measured by ``benchmarks/worst_case.py``; here it is only printed."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest
from sitebuild import BIN, REPO, run

_SPEC = importlib.util.spec_from_file_location("worst_case", REPO / "benchmarks" / "worst_case.py")
assert _SPEC and _SPEC.loader
worst_case = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(worst_case)


@pytest.mark.slow
def test_the_worst_file_validate_accepts_builds_strictly(tmp_path: Path) -> None:
    incident = worst_case.write_project(tmp_path)
    assert incident.stat().st_size > 800_000  # lists at their maxima + Markdown at its total cap
    validated = run([BIN / "postmortems", "validate", "--no-cache"], tmp_path)
    assert validated.returncode == 0, validated.stdout
    start = time.perf_counter()
    built = run([BIN / "mkdocs", "build", "--strict", "-q"], tmp_path)
    print(f"worst case built in {time.perf_counter() - start:.1f} s")
    assert built.returncode == 0, built.stderr[-3000:]
    page = (tmp_path / "site" / "incidents" / worst_case.ID / "index.html").read_text("utf-8")
    assert worst_case.worst_case()[0]["title"] in page
