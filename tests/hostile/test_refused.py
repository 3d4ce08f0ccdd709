"""The hostile pull-request corpus: each file in ``refused/`` is one attack on the build or on
the people reading the output, and ``postmortems validate`` refuses it with exactly the
messages in the ``.expected`` file beside it (``UPDATE_GOLDEN=1`` rewrites them)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from goldens import assert_matches_golden
from postmortems.cli import main

HERE = Path(__file__).resolve().parent
CORPUS = sorted((HERE / "refused").glob("*.yaml"))


@pytest.fixture
def project(new_project: Callable[..., Path]) -> Path:
    """A project with the packaged schema and an empty incidents folder, as working directory."""
    return new_project(config="site_name: Hostile\nplugins:\n  - postmortems\n")


@pytest.mark.parametrize("source", CORPUS, ids=[path.stem for path in CORPUS])
def test_hostile_file_is_refused_with_the_expected_messages(
    project: Path, source: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(source, project / "incidents" / source.name)
    code = main(["validate", "--no-cache", f"incidents/{source.name}"])
    captured = capsys.readouterr()
    assert code == 1
    assert_matches_golden(captured.out, source.with_suffix(".expected"))
    assert captured.err == ""
    assert "\x1b" not in captured.out


def test_every_attack_has_its_expected_output() -> None:
    assert CORPUS
    assert all(path.with_suffix(".expected").is_file() for path in CORPUS)
