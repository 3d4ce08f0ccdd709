"""``mkdocs serve``: a broken incident is shown on every page while the server keeps answering.

``mkdocs build`` still fails on the same file; a fix brings the pages back under serve.
"""

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
import wsgiref.util
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.livereload import LiveReloadServer
from sitebuild import RICH_ID, SOURCE_DATE_EPOCH

pytestmark = pytest.mark.slow

MKDOCS = Path(sys.executable).with_name("mkdocs")
WAIT = 90.0


class Server:
    """A ``mkdocs serve`` process and everything it printed so far."""

    def __init__(self, project: Path, *options: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        environment = os.environ | {
            "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
            "NO_MKDOCS_2_WARNING": "1",
            "PYTHONUNBUFFERED": "1",
        }
        self.process = subprocess.Popen(
            [str(MKDOCS), "serve", *options, "-a", f"127.0.0.1:{self.port}"],
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

    def idle(self) -> bool:
        """Whether every build started so far has finished."""
        # The first build ends before "Serving on", each rebuild with "Reloading browsers" (MkDocs
        # drops a repeated "Documentation built in N seconds": two builds can take the same time).
        output = self.output
        finished = output.count("Serving on") + output.count("Reloading browsers")
        return output.count("Building documentation...") == finished

    def get(self, path: str, timeout: float = 5) -> tuple[int, str]:
        """Status and body of ``path`` (an error page's too); status 0 when nothing answers."""
        url = f"http://127.0.0.1:{self.port}/{path}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode("utf-8")
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


@pytest.fixture(params=[(), ("--dirty",)], ids=["serve", "serve-dirty"])
def server(project: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    """``mkdocs serve``, and ``mkdocs serve --dirty`` (what ``make serve`` runs)."""
    running = Server(project, *request.param)
    try:
        yield running
    finally:
        running.stop()


BROKEN = 'severity: "<script>alert(1)</script>"'
"""An invalid value that the problem message quotes: it must reach the page as text."""


def _break(project: Path) -> tuple[Path, str]:
    """Make the rich incident invalid; its path and original text."""
    incident = project / "incidents" / "2024" / f"{RICH_ID}.yaml"
    original = incident.read_text(encoding="utf-8")
    incident.write_text(original.replace("severity: SEV2", BROKEN), encoding="utf-8")
    return incident, original


PROBLEM = re.compile(rf"incidents/2024/{RICH_ID}\.yaml:5:\d+: severity: \S")
ESCAPED = "&#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27; is not one of SEV1"


@pytest.mark.slow
def test_serve_shows_a_broken_incident_on_every_page_answers_quickly_and_recovers_on_fix(
    server: Server, project: Path
) -> None:
    page = f"incidents/{RICH_ID}/"
    server.wait_for(lambda: server.get(page)[0] == 200, "the first build")
    # Search works under serve too, its index written in the background after each build.
    server.wait_for(lambda: server.get("pagefind/pagefind-entry.json")[0] == 200, "the index")
    assert '"page_count"' in server.get("pagefind/pagefind-entry.json")[1]

    incident, original = _break(project)
    server.wait_for(lambda: bool(PROBLEM.search(server.output)), "the problem in the terminal")
    server.wait_for(lambda: ESCAPED in server.get("")[1], "the problem on the home page")
    server.wait_for(server.idle, "the rebuilds to settle")  # requests wait for a rebuild
    for path, expected in (("", 200), (page, 200), ("no-such-page/", 404)):
        start = time.monotonic()
        status, body = server.get(path, timeout=1)
        elapsed = time.monotonic() - start
        assert (path, status) == (path, expected), server.output
        assert elapsed < 1.0, f"{path!r} took {elapsed:.2f} s"
        assert PROBLEM.search(body) and ESCAPED in body, f"{path!r} does not show the problem"
        assert "<script>alert(1)" not in body
    # The last valid version of the broken incident is still its page.
    assert "Checkout payments timed out" in server.get(page)[1]

    fixed = original.replace("title: Checkout payments timed out", "title: Card payments timed out")
    incident.write_text(fixed, encoding="utf-8")
    server.wait_for(
        lambda: "<h1" in (body := server.get(page)[1]) and "Card payments timed out" in body,
        "the fixed page",
    )
    assert "postmortems-preview-problems" not in server.get(page)[1]
    assert "postmortems-preview-problems" not in server.get("")[1]


def _load(project: Path, command: Literal["build", "serve"]) -> MkDocsConfig:
    config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    config.plugins.on_startup(command=command, dirty=False)
    return config


@pytest.mark.slow
@pytest.mark.parametrize("command", ["build", "serve"])
def test_an_invalid_incident_fails_a_build_and_the_first_build_of_serve(
    project: Path, command: Literal["build", "serve"], caplog: pytest.LogCaptureFixture
) -> None:
    _break(project)
    config = _load(project, command)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        with pytest.raises(Abort):
            build(config)
    config.plugins.on_shutdown()
    assert PROBLEM.search(caplog.text)
    assert not (project / "site" / "index.html").exists()


@pytest.mark.slow
def test_serve_rebuilds_past_a_broken_schema_with_the_last_valid_pages_and_the_error(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """In process, as ``mkdocs serve`` rebuilds: one plugin instance, a new config each time."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        config = _load(project, "serve")
        try:
            build(config)
            (project / "schema" / "incident.schema.json").write_text("{", encoding="utf-8")
            build(load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site")))
        finally:
            config.plugins.on_shutdown()
    site = project / "site"
    assert "postmortems-preview-problems" not in (site / "index.html").read_text(encoding="utf-8")
    for path in ("/", f"/incidents/{RICH_ID}/", "/no-such-page/"):
        html = served(config, site, path)
        assert '<div class="postmortems-preview-problems" role="alert"' in html, path
        assert "postmortems: " in html and "incident.schema.json" in html, path
    assert "Checkout payments timed out" in served(config, site, f"/incidents/{RICH_ID}/")
    assert "incident.schema.json" in caplog.text and "last valid incidents" in caplog.text
    assert "postmortems: postmortems:" not in caplog.text


def served(config: MkDocsConfig, site: Path, path: str) -> str:
    """The page at ``path`` as the preview's server answers (404 with the site's 404 page)."""
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(site))
    server.error_handler = lambda code: (site / "404.html").read_bytes() if code == 404 else None
    config.plugins.on_serve(server, config=config, builder=lambda: None)
    environ: dict[str, Any] = {"PATH_INFO": path}
    wsgiref.util.setup_testing_defaults(environ)
    app = server.get_app()
    assert app is not None
    body = app(environ, lambda status, headers, *_: lambda data: None)
    try:
        return b"".join(body).decode("utf-8")
    finally:
        config.plugins.on_shutdown()  # stops what on_serve started watching
        server.observer.unschedule_all()
        server.server_close()
