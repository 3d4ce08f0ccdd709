"""A preview hears of saves to incidents, schema and catalog from the system, at once, and of
nothing a build only reads."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mkdocs.livereload import LiveReloadServer
from postmortems.site import watching
from postmortems.site.watching import Watcher

SETTLE = 0.3
"""Seconds for the system's notifications of what a test did to arrive."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveReloadServer]:
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    yield server
    server.observer.unschedule_all()
    server.server_close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "incidents" / "2024").mkdir(parents=True)
    (tmp_path / "incidents" / "2024" / "a.yaml").write_text("id: a\n", encoding="utf-8")
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "incident.schema.json").write_text("{}", encoding="utf-8")
    (tmp_path / "schema" / "notes.txt").write_text("", encoding="utf-8")
    return tmp_path


def asked(server: LiveReloadServer, within: float = 5.0) -> bool:
    """Whether ``server`` is asked for a rebuild within ``within`` seconds (then answered)."""
    with server._rebuild_cond:
        wanted = server._rebuild_cond.wait_for(lambda: server._want_rebuild, timeout=within)
        server._want_rebuild = False
    return wanted


@contextlib.contextmanager
def watched(server: LiveReloadServer, project: Path) -> Iterator[Watcher]:
    """``project``'s incidents and schema watched for ``server`` until leaving."""
    watcher = Watcher()
    watcher.watch(server, project / "incidents", [project / "schema" / "incident.schema.json"])
    time.sleep(SETTLE)
    try:
        yield watcher
    finally:
        watcher.stop()


def test_saving_an_incident_asks_for_a_rebuild_and_reading_one_does_not(
    server: LiveReloadServer, project: Path
) -> None:
    with watched(server, project):
        incident = project / "incidents" / "2024" / "a.yaml"
        incident.read_text(encoding="utf-8")  # what a build does
        assert not asked(server, within=SETTLE * 3)
        incident.write_text("id: a\ntitle: Edited\n", encoding="utf-8")
        assert asked(server)
        (project / "incidents" / "2025").mkdir()
        (project / "incidents" / "2025" / "b.yaml").write_text("id: b\n", encoding="utf-8")
        assert asked(server)
        incident.unlink()
        assert asked(server)
        assert server._watched_paths == {}  # MkDocs polls none of them


def test_a_schema_saved_by_renaming_over_it_asks_each_time_and_its_neighbours_do_not(
    server: LiveReloadServer, project: Path
) -> None:
    schema = project / "schema" / "incident.schema.json"
    with watched(server, project):
        for text in ('{"title": "one"}', '{"title": "two"}'):
            written = schema.with_name(".incident.schema.json.swp")
            written.write_text(text, encoding="utf-8")
            assert not asked(server, within=SETTLE * 3)  # the editor's own file: not the schema
            os.replace(written, schema)
            assert asked(server)
        (project / "schema" / "notes.txt").write_text("later", encoding="utf-8")
        assert not asked(server, within=SETTLE * 3)


@pytest.mark.parametrize(
    ("filesystem", "variable"), [("nfs", ""), ("ext4", "poll")], ids=["network-share", "asked"]
)
def test_where_the_system_would_not_tell_of_saves_mkdocs_polls(
    server: LiveReloadServer,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    filesystem: str,
    variable: str,
) -> None:
    """A network share or a container's shared folder passes on no change made elsewhere;
    ``POSTMORTEMS_WATCH=poll`` asks for polling anywhere."""
    paths = [project / "incidents", project / "schema" / "incident.schema.json"]
    monkeypatch.setattr(watching, "filesystem_type", lambda path: filesystem)
    monkeypatch.setenv("POSTMORTEMS_WATCH", variable)
    with watched(server, project):
        assert sorted(server._watched_paths) == sorted(map(str, paths))


def test_a_folder_the_system_cannot_watch_is_polled_alone(
    server: LiveReloadServer, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schedule = watching.Observer.schedule

    def limited(self: Any, handler: Any, path: str, **options: Any) -> Any:
        if path.endswith("schema"):
            raise OSError(28, "inotify watch limit reached")
        return schedule(self, handler, path, **options)

    monkeypatch.setattr(watching.Observer, "schedule", limited)
    with watched(server, project):
        assert sorted(server._watched_paths) == [str(project / "schema" / "incident.schema.json")]
        (project / "incidents" / "2024" / "a.yaml").write_text("id: b\n", encoding="utf-8")
        assert asked(server)
    assert not [thread for thread in threading.enumerate() if "Emitter" in type(thread).__name__]


def test_editors_files_and_other_files_beside_incidents_ask_for_nothing(
    server: LiveReloadServer, project: Path
) -> None:
    with watched(server, project):
        for name in (".a.yaml.swp", "notes.txt", "a.yaml~"):
            (project / "incidents" / "2024" / name).write_text("x", encoding="utf-8")
        assert not asked(server, within=SETTLE * 3)
        (project / "incidents" / "_services.yaml").write_text("{}", encoding="utf-8")
        assert asked(server)  # the catalog


def test_an_incidents_folder_put_in_place_of_the_watched_one_is_watched_after_a_rebuild(
    server: LiveReloadServer, project: Path
) -> None:
    """(A checkout or a script that renames folders): the system watches a folder, not a name."""
    incidents = project / "incidents"
    with watched(server, project) as watcher:
        fresh = project / "incidents-new"
        shutil.copytree(incidents, fresh)
        incidents.rename(project / "incidents-old")
        fresh.rename(incidents)
        assert asked(server)  # the old folder moved away
        watcher.refresh()  # what the rebuild does first
        time.sleep(SETTLE)
        (incidents / "2024" / "a.yaml").write_text("id: a\ntitle: New\n", encoding="utf-8")
        assert asked(server)
        time.sleep(SETTLE)  # the same write's later events (its file closed)
        asked(server, within=0)
        (project / "incidents-old" / "2024" / "a.yaml").write_text("id: old\n", encoding="utf-8")
        assert not asked(server, within=SETTLE * 3)


def test_the_terminal_says_what_is_watched(
    server: LiveReloadServer, project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    with watched(server, project):
        pass
    assert re.search(
        r"Watching '[^']*/incidents', '[^']*/incident\.schema\.json' for changes", caplog.text
    )
