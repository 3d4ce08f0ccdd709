"""Files that could link out of the repository are never read: the catalog, the schemas, and
page templates follow the incident files' rule, and no message quotes a catalog's text."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from postmortems.cli import main
from sitebuild import REPO

SECRET = "AKIAIOSFODNN7EXAMPLE-wJalrXUtnFEMI"
CLEAN = REPO / "tests" / "foundation" / "fixtures" / "project" / "incidents" / "2024"


@pytest.fixture
def project(new_project: Callable[..., Path]) -> Path:
    """One clean incident in a site with its own schema, as the working directory."""
    root = new_project()
    shutil.copy(CLEAN / "2024-02-01-clean.yaml", root / "incidents")
    return root


@pytest.fixture
def credentials(tmp_path: Path) -> Path:
    path = tmp_path / "credentials.json"
    path.write_text(f'{{"aws_access_key_id": "{SECRET}", "region": ["{SECRET}"]}}\n')
    return path


def validate(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["validate", "--no-cache"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_catalog_linked_out_of_the_project_is_refused_unread(
    project: Path, credentials: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "incidents" / "_services.yaml").symlink_to(credentials)
    code, shown = validate(capsys)
    assert code == 1
    assert SECRET not in shown
    assert (
        "incidents/_services.yaml:1:1: (file): symbolic link pointing outside the project" in shown
    )


def test_a_catalog_linked_inside_the_project_is_read(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "catalog.yaml").write_text("checkout-api:\n  name: Checkout API\n")
    (project / "incidents" / "_services.yaml").symlink_to(project / "catalog.yaml")
    assert validate(capsys) == (0, "1 incident checked, 0 problems\n")


@pytest.mark.parametrize(
    ("text", "found"),
    [(f"{SECRET}\n", "text"), (f"- {SECRET}\n", "a list"), ("42\n", "an integer")],
)
def test_a_catalog_that_is_no_mapping_is_named_by_its_type_only(
    project: Path, capsys: pytest.CaptureFixture[str], text: str, found: str
) -> None:
    (project / "incidents" / "_services.yaml").write_text(text)
    code, shown = validate(capsys)
    assert code == 1
    assert SECRET not in shown
    assert f"the service catalog must be a mapping of fields, not {found}" in shown


@pytest.mark.parametrize("name", ["incident.schema.json", "services.schema.json"])
def test_a_schema_linked_out_of_the_project_is_refused_unread(
    project: Path, credentials: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    (project / "incidents" / "_services.yaml").write_text("checkout-api:\n  name: Checkout API\n")
    schema = project / "schema" / name
    schema.unlink()
    schema.symlink_to(credentials)
    code, shown = validate(capsys)
    assert code == 2
    assert SECRET not in shown
    assert f"schema/{name} is a symbolic link pointing outside the project" in shown


@pytest.mark.slow
def test_the_repeated_items_of_80_000_tags_are_named_in_one_pass(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tags = [f"tag-{index}" for index in range(80_000)] + ["tag-7"]
    clean = (CLEAN / "2024-02-01-clean.yaml").read_text("utf-8")
    path = project / "incidents" / "2024-02-01-clean.yaml"
    path.write_text(clean + "tags: [" + ", ".join(tags) + "]\n", "utf-8")
    code, shown = validate(capsys)
    assert code == 1
    assert "tags: lists 80,001 items; at most 50 allowed" in shown
    assert "tags: lists 'tag-7' more than once" in shown


def test_a_folder_name_that_would_break_out_of_a_link_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = project / "incidents" / 'x" onmouseover="alert(1)" x="'
    folder.mkdir()
    shutil.move(project / "incidents" / "2024-02-01-clean.yaml", folder)
    code, shown = validate(capsys)
    assert code == 1
    assert 'folder name \'x" onmouseover="alert(1)" x="\' may hold only letters, digits' in shown


def test_a_catalog_linked_into_the_git_folder_is_refused_unread(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git = project / ".git"
    git.mkdir()
    (git / "config").write_text(f'[http "https://github.com/"]\n\textraheader = {SECRET}\n')
    (project / "incidents" / "_services.yaml").symlink_to(git / "config")
    code, shown = validate(capsys)
    assert code == 1
    assert SECRET not in shown
    refused = "symbolic link pointing outside the project or into a hidden folder; not read"
    assert f"incidents/_services.yaml:1:1: (file): {refused}" in shown


def test_a_named_pipe_posing_as_an_incident_is_refused_without_waiting(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reading a FIFO blocks until something writes to it: validation would hang for ever."""
    os.mkfifo(project / "incidents" / "2024-03-01-pipe.yaml")
    code, shown = validate(capsys)
    assert code == 1
    assert "2024-03-01-pipe.yaml:1:1: (file): not a regular file; not read" in shown
