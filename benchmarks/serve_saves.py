"""Saves to a running preview once it is idle: ``mkdocs serve --dirty`` of a project, then
several saves of one incident's title, each once the server's CPU use (its children included)
has stayed low for three seconds, each timed from the save to its page served with the new
title. ``benchmarks/run.py`` saves one second after the first build's pages show, while that
build's search index and exports are still being written; this is what a save costs an author
who reads before saving (Linux: reads ``/proc``).

    .venv/bin/python benchmarks/serve_saves.py PROJECT [--saves 3] [--cache FOLDER]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.live import poll, serving

IDLE_CPU = 0.3
"""CPU seconds per second below which the server counts as idle."""
IDLE_SECONDS = 3


def _cpu_seconds(pid: int) -> float:
    """CPU time of ``pid`` and its children (Pagefind's service)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _wait_idle(pid: int, timeout: float = 600) -> float:
    """Seconds until ``pid`` stayed idle for ``IDLE_SECONDS``."""
    start, quiet, last = time.perf_counter(), 0, _cpu_seconds(pid)
    while quiet < IDLE_SECONDS and time.perf_counter() - start < timeout:
        time.sleep(1.0)
        now = _cpu_seconds(pid)
        quiet = quiet + 1 if 0 <= now - last < IDLE_CPU else 0
        last = now
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--saves", type=int, default=3)
    parser.add_argument("--cache", type=Path, help="XDG_CACHE_HOME for the server")
    args = parser.parse_args()
    incidents = sorted((args.project / "incidents").glob("*/*.yaml"))
    incident = incidents[len(incidents) // 2]
    original = incident.read_text(encoding="utf-8")
    cache = args.cache or args.project.parent / "cache"
    with serving(args.project, cache) as (base, process):
        url = f"{base}incidents/{incident.stem}/"
        try:
            print(f"first page: {poll(url, '<h1', 900):.1f} s", flush=True)
            for save in range(args.saves):
                idle = _wait_idle(process.pid)
                marker = f"Edited {time.time_ns()}"
                changed = original.replace("\ntitle: ", f"\ntitle: {marker} ", 1)
                incident.write_text(changed, encoding="utf-8")
                seconds = poll(url, marker, 900)
                print(f"save {save + 1} (idle after {idle:.0f} s): {seconds:.2f} s", flush=True)
        finally:
            incident.write_text(original, encoding="utf-8")


if __name__ == "__main__":
    main()
