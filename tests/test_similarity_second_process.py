"""Many stories' failure modes are analysed in a second process: the same result as here,
whatever happens to that process, and nothing of the working folder runs in it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from postmortems.similarity import SimilarityIndex, index, mechanisms, second_process
from test_similarity import eval_incidents

TEXTS = [
    "The data volume ran out of space and the database refused writes.",
    "Clocks drifted, so tokens were rejected; NTP had stopped.",
    "本番環境のサーバーで書き込みが失敗しました。ENOSPCエラーが発生しました。",
    "İstanbul straße: the certificate expired at midnight \udc80.",
    "",
    "Nothing here tells a failure mode.",
]


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """Any texts go to a second process; the processes started are listed."""
    monkeypatch.setattr(second_process, "SECOND_PROCESS_CHARACTERS", 0)
    monkeypatch.setattr(second_process, "_cores", lambda: 2)
    processes: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def recorded(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        process = popen(*args, **kwargs)  # type: ignore[call-overload]
        processes.append(process)
        return process  # type: ignore[no-any-return]

    monkeypatch.setattr(second_process.subprocess, "Popen", recorded)
    return processes


def test_a_second_process_tells_what_this_one_tells(
    started: list[subprocess.Popen[bytes]],
) -> None:
    with second_process.Analysis(TEXTS) as analysis:
        told = analysis.result()
    assert len(started) == 1 and started[0].returncode == 0
    assert told == mechanisms.analyse_all(TEXTS)
    assert told[0] and told[1] and told[2]  # the texts do tell failure modes


def test_an_index_made_with_a_second_process_is_the_same(
    started: list[subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    incidents = eval_incidents()
    monkeypatch.setattr(index, "_last_told", {})
    monkeypatch.setattr(index, "_last_rows", {})
    with_second = SimilarityIndex(incidents)
    assert len(started) == 1
    monkeypatch.setattr(second_process, "SECOND_PROCESS_CHARACTERS", sys.maxsize)
    monkeypatch.setattr(index, "_last_told", {})
    monkeypatch.setattr(index, "_last_rows", {})
    here = SimilarityIndex(incidents)
    assert len(started) == 1
    assert with_second.all_similar() == here.all_similar()
    assert [with_second.told(i.id) for i in incidents] == [here.told(i.id) for i in incidents]


def _program(folder: Path, script: str) -> str:
    """An executable shell script in ``folder`` (standing in for the interpreter)."""
    path = folder / "program"
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize(
    "script",
    [
        "exit 0",  # ends at once, reading nothing
        "echo Loading site customisations",  # answers what is no result
        "cat >/dev/null; echo '[{\"disk-full\": 3}]'",  # an answer of the wrong shape
        "cat >/dev/null; echo '[]'",  # an answer of the wrong length
        "exec /no/such/interpreter",  # cannot be run
    ],
)
def test_a_failing_second_process_leaves_the_analysis_to_this_one(
    started: list[subprocess.Popen[bytes]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    script: str,
) -> None:
    monkeypatch.setattr(second_process.sys, "executable", _program(tmp_path, script))
    with second_process.Analysis(TEXTS) as analysis:
        assert analysis.result() == mechanisms.analyse_all(TEXTS)
    assert len(started) == 1 and started[0].returncode is not None


def test_a_second_process_that_hangs_is_stopped_and_the_analysis_done_here(
    started: list[subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(second_process, "BASE_SECONDS", 0.5)
    monkeypatch.setattr(second_process, "SECONDS_PER_MILLION_CHARACTERS", 0.0)
    monkeypatch.setattr(second_process.sys, "executable", _program(tmp_path, "exec sleep 30"))
    start = time.perf_counter()
    with second_process.Analysis(TEXTS * 20_000) as analysis:  # more than a pipe holds
        assert analysis.result()[: len(TEXTS)] == mechanisms.analyse_all(TEXTS)
    assert time.perf_counter() - start < 20
    assert started[0].returncode == -signal.SIGKILL


def test_a_second_process_runs_only_this_very_analysis(
    started: list[subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``mechanisms.py`` edited since this process loaded it (a preview left running while
    the package is upgraded) is not run there."""
    monkeypatch.setattr(second_process, "_SOURCE", "0" * 64)
    with second_process.Analysis(TEXTS) as analysis:
        assert analysis.result() == mechanisms.analyse_all(TEXTS)
    assert started[0].returncode == 3


def test_leaving_unasked_stops_the_second_process(
    started: list[subprocess.Popen[bytes]],
) -> None:
    with second_process.Analysis(TEXTS * 1000):
        pass
    assert len(started) == 1 and started[0].returncode == -signal.SIGKILL


def test_nothing_in_the_working_folder_runs_in_the_second_process(
    started: list[subprocess.Popen[bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project's folder is a pull request's: modules planted there that the second process
    would import (``pickle``, ``numpy``, this package) never run, even when a plugin (such as
    mkdocs-macros) put that folder on this process's import path."""
    planted = tmp_path / "ran"
    plant = f"open({str(planted)!r}, 'w').close()\n"
    for module in ("pickle.py", "numpy.py", "struct.py", "sitecustomize.py", "usercustomize.py"):
        (tmp_path / module).write_text(plant, encoding="utf-8")
    (tmp_path / "postmortems").mkdir()
    (tmp_path / "postmortems" / "__init__.py").write_text(plant, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setenv("PYTHONSTARTUP", str(tmp_path / "pickle.py"))
    with second_process.Analysis(TEXTS) as analysis:
        told = analysis.result()
    assert started and started[0].returncode == 0
    assert not planted.exists()
    assert told == mechanisms.analyse_all(TEXTS)


def test_few_stories_or_one_core_stay_in_this_process(
    started: list[subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(second_process, "SECOND_PROCESS_CHARACTERS", 1000)
    with second_process.Analysis(TEXTS) as analysis:
        assert analysis.result() == mechanisms.analyse_all(TEXTS)
    monkeypatch.setattr(second_process, "SECOND_PROCESS_CHARACTERS", 0)
    monkeypatch.setattr(second_process, "_cores", lambda: 1)
    with second_process.Analysis(TEXTS) as analysis:
        assert analysis.result() == mechanisms.analyse_all(TEXTS)
    assert started == []
