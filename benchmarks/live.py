"""User-facing latencies: ``mkdocs serve`` after saving one incident, and site search.

- ``serve_edit``: start ``mkdocs serve`` on a project, wait for an incident page, change that
  incident's title in its file, and poll the page over HTTP until the new title shows.
- ``serve_invalid_edit``: the same with an invalid severity: until the problem banner shows,
  then how fast the server answers while the file stays invalid.
- ``search_latency``: serve a built site over HTTP, open it in headless Chromium (Debian's
  ``/usr/bin/chromium`` through Playwright), type a query, and time until the first result.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from benchmarks.sites import MKDOCS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return None


def poll(url: str, text: str, timeout: float) -> float:
    """Seconds until ``url`` serves a page containing ``text``."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        page = _fetch(url)
        if page is not None and text in page:
            return time.perf_counter() - start
        time.sleep(0.05)
    raise SystemExit(f"{url} did not show {text!r} within {timeout:.0f} s")


@contextlib.contextmanager
def serving(folder: Path, cache_home: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``mkdocs serve --dirty`` (what ``make serve`` runs) of ``folder`` on a free port: its base
    URL and its process; stopped on leaving."""
    port = _free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "XDG_CACHE_HOME": str(cache_home)}
    env.pop("POSTMORTEMS_NO_CACHE", None)
    command = [str(MKDOCS), "serve", "--dirty", "-q", "-a", f"127.0.0.1:{port}"]
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        # A background job of a shell ignores Ctrl-C, and so would the server it starts: it
        # would never stop. A handled signal is the default again in the server.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    process = subprocess.Popen(command, cwd=folder, env=env, stderr=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{port}/", process
    finally:
        process.send_signal(signal.SIGINT)  # as Ctrl-C: MkDocs removes its temporary site
        process.wait(timeout=30)


def serve_edit(folder: Path, incident: Path, cache_home: Path, timeout: float = 900) -> float:
    """Seconds from saving a changed ``incident`` to ``mkdocs serve`` serving its new page."""
    original = incident.read_text(encoding="utf-8")
    with serving(folder, cache_home) as (base, _):
        url = f"{base}incidents/{incident.stem}/"
        try:
            poll(url, "<h1", timeout)
            time.sleep(1.0)  # let the watcher settle after the first build
            marker = f"Edited {time.time_ns()}"
            changed = original.replace("\ntitle: ", f"\ntitle: {marker} ", 1)
            incident.write_text(changed, encoding="utf-8")
            return poll(url, marker, timeout)
        finally:
            incident.write_text(original, encoding="utf-8")


def serve_invalid_edit(
    folder: Path, incident: Path, cache_home: Path, timeout: float = 900
) -> tuple[float, float]:
    """``mkdocs serve`` after saving an invalid ``incident``: seconds until the problem banner is
    served, then the slowest answer among the home page, the incident's page and a missing page."""
    original = incident.read_text(encoding="utf-8")
    with serving(folder, cache_home) as (base, _):
        url = f"{base}incidents/{incident.stem}/"
        try:
            poll(url, "<h1", timeout)
            time.sleep(1.0)  # let the watcher settle after the first build
            broken = re.sub(r"\nseverity: \S+", "\nseverity: SEV9", original, count=1)
            incident.write_text(broken, encoding="utf-8")
            shown = poll(url, "postmortems-preview-problems", timeout)
            slowest = 0.0
            for page in (base, url, f"{base}no-such-page/"):
                start = time.perf_counter()
                try:
                    urllib.request.urlopen(page, timeout=timeout).close()
                except urllib.error.HTTPError as error:  # the missing page: 404
                    error.close()
                slowest = max(slowest, time.perf_counter() - start)
            return shown, slowest
        finally:
            incident.write_text(original, encoding="utf-8")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


def search_latency(site: Path, query: str) -> tuple[float, float]:
    """Seconds from typing ``query`` to the first result: right after the page loaded (the
    index still downloading and building), then again for a second query once it is ready."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            try:
                page = browser.new_page()
                page.goto(url, wait_until="load")
                first = _type_and_wait(page, query)
                page.fill("input.md-search__input", "")
                page.wait_for_selector(".md-search-result__item", state="detached")
                second = _type_and_wait(page, query.split()[0])
            finally:
                browser.close()
    finally:
        server.shutdown()
    return first, second


def _type_and_wait(page: object, query: str) -> float:
    page.click("label.md-search__icon, .md-search__input", force=True)  # type: ignore[attr-defined]
    start = time.perf_counter()
    page.type("input.md-search__input", query)  # type: ignore[attr-defined]
    page.wait_for_selector(".md-search-result__item", timeout=600_000)  # type: ignore[attr-defined]
    return time.perf_counter() - start
