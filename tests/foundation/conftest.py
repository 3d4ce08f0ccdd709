"""A throw-away project (schema, incidents folder) in which to run ``postmortems validate``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from postmortems.cli import main

from .documents import OLDER, OLDER_ID, VALID, VALID_ID


@dataclass
class Project:
    """A project folder that is also the working directory."""

    root: Path
    capsys: pytest.CaptureFixture[str]

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def incident(self, text: str, incident_id: str = VALID_ID, suffix: str = ".yaml") -> Path:
        return self.write(f"incidents/2024/{incident_id}{suffix}", text)

    def validate(self, *args: str) -> tuple[int, str, str]:
        """Run ``postmortems validate ARGS``: exit code, stdout, stderr."""
        self.capsys.readouterr()
        code = main(["validate", *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def problems(self, *args: str) -> list[dict[str, Any]]:
        """The problems ``validate --format json`` reports."""
        code, out, _ = self.validate("--format", "json", *args)
        problems = json.loads(out)
        assert code == (1 if any(p["level"] == "error" for p in problems) else 0)
        return problems


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A cache folder of the test's own, and the cache on: some tests are about the cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("POSTMORTEMS_NO_CACHE", raising=False)


@pytest.fixture
def project(new_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> Project:
    """An empty project with the real schema and no mkdocs.yml, as the working directory."""
    return Project(new_project(config=None), capsys)


@pytest.fixture
def valid_project(project: Project) -> Project:
    """A project holding the complete valid incident and the older one it relates to."""
    project.incident(VALID)
    project.incident(OLDER, OLDER_ID)
    return project
