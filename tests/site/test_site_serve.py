"""``mkdocs serve``: a broken incident is reported, the server keeps running, a fix rebuilds."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sitebuild import RICH_ID, SOURCE_DATE_EPOCH

pytestmark = pytest.mark.slow

MKDOCS = Path(sys.executable).with_name("mkdocs")
WAIT = 90.0


class Server:
    """A ``mkdocs serve`` process and everything it printed so far."""

    def __init__(self, project: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        environment = os.environ | {
            "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
            "NO_MKDOCS_2_WARNING": "1",
            "PYTHONUNBUFFERED": "1",
        }
        self.process = subprocess.Popen(
            [str(MKDOCS), "serve", "-a", f"127.0.0.1:{self.port}"],
            cwd=project,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def get(self, path: str) -> tuple[int, str]:
        """Status and body of ``path``; status 0 when nothing answers."""
        url = f"http://127.0.0.1:{self.port}/{path}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, ""
        except OSError:
            return 0, ""

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        """Poll ``condition`` until it holds, or fail after a generous bound."""
        deadline = time.monotonic() + WAIT
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"mkdocs serve exited while waiting for {what}:\n{self.output}")
            if time.monotonic() > deadline:
                pytest.fail(f"gave up waiting for {what}:\n{self.output}")
            time.sleep(0.25)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.reader.join(timeout=10)
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture
def server(project: Path) -> Iterator[Server]:
    running = Server(project)
    try:
        yield running
    finally:
        running.stop()


def test_serve_reports_a_broken_incident_keeps_running_and_rebuilds_on_fix(
    server: Server, project: Path
) -> None:
    page = f"incidents/{RICH_ID}/"
    server.wait_for(lambda: server.get(page)[0] == 200, "the first build")
    status, entry = server.get("pagefind/pagefind-entry.json")  # search works under serve too
    assert status == 200 and '"page_count"' in entry
    incident = project / "incidents" / "2024" / f"{RICH_ID}.yaml"
    original = incident.read_text(encoding="utf-8")

    incident.write_text(original.replace("severity: SEV2", "severity: SEV9"), encoding="utf-8")
    problem = re.compile(rf"incidents/2024/{RICH_ID}\.yaml:5:\d+: severity: \S")
    server.wait_for(lambda: bool(problem.search(server.output)), "the problem to be reported")
    # MkDocs holds page requests while the last rebuild failed; its reload endpoint still answers.
    status, epoch = server.get("livereload/0/0")
    assert (status, epoch.isdigit()) == (200, True)
    assert server.process.poll() is None

    fixed = original.replace("title: Checkout payments timed out", "title: Card payments timed out")
    incident.write_text(fixed, encoding="utf-8")
    server.wait_for(
        lambda: "<h1" in (body := server.get(page)[1]) and "Card payments timed out" in body,
        "the fixed page",
    )
