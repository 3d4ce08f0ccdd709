"""New files appear whole, with normal permissions, and never replace an existing file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from postmortems.core.files import write_new_file


def test_new_file_is_written_with_umask_permissions_and_no_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "2024" / "2024-07-30-outage.yaml"
    previous = os.umask(0o022)
    try:
        write_new_file(target, "id: 2024-07-30-outage\n")
    finally:
        os.umask(previous)
    assert target.read_text(encoding="utf-8") == "id: 2024-07-30-outage\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [path.name for path in target.parent.iterdir()] == [target.name]


def test_existing_file_is_never_replaced(tmp_path: Path) -> None:
    target = tmp_path / "incident.yaml"
    target.write_text("original\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_new_file(target, "replacement\n")
    assert target.read_text(encoding="utf-8") == "original\n"
    assert [path.name for path in tmp_path.iterdir()] == ["incident.yaml"]
