"""The package stands alone: an sdist and a wheel that build, pass ``twine check`` and carry
everything the plugin reads at run time (templates, stylesheet, type marker)."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from sitebuild import BIN, REPO, run


@pytest.fixture(scope="module")
def distributions(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("dist")
    # No isolation: the pinned setuptools of the test environment builds it, offline.
    result = run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, REPO])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return sorted(out.iterdir())


@pytest.mark.slow
def test_sdist_and_wheel_build_and_pass_twine_check(distributions: list[Path]) -> None:
    assert {path.suffix for path in distributions} == {".gz", ".whl"}
    result = run([BIN / "twine", "check", "--strict", *distributions])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_wheel_carries_templates_schemas_starter_kit_and_type_marker(
    distributions: list[Path],
) -> None:
    (wheel,) = [path for path in distributions if path.suffix == ".whl"]
    names = set(zipfile.ZipFile(wheel).namelist())
    packaged_templates = {
        f"postmortems/{path.relative_to(REPO / 'plugins' / 'postmortems').as_posix()}"
        for path in (REPO / "plugins" / "postmortems").rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and (path.suffix in {".j2", ".tmpl", ".css", ".json", ".js"} or "starter" in path.parts)
    }
    assert packaged_templates
    assert packaged_templates <= names, sorted(packaged_templates - names)
    assert "postmortems/py.typed" in names
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[mkdocs.plugins]" in text
    assert "postmortems = " in text
