"""A preview's rebuild, in process: what `make serve` (`mkdocs serve --dirty`) does after a save.

    python benchmarks/rebuild.py PROJECT [--saves N]

Builds PROJECT once as `serve` does (the same plugin instance kept across builds), then N times
changes the title of one incident file and rebuilds, printing each rebuild's wall and CPU
seconds; the file is restored at the end. Unlike `benchmarks/run.py`'s serve figure, it leaves
out the file watcher and HTTP, so it shows the rebuild alone. A project of N synthetic
incidents: `benchmarks/sites.py` (`write_plugin_project`), or `run.py --keep DIR`.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

SERVE_URL = "http://127.0.0.1:8000/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--saves", type=int, default=3)
    args = parser.parse_args()
    project = args.project.resolve()
    os.chdir(project)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    logging.basicConfig(level=logging.ERROR)
    site_dir = tempfile.mkdtemp(prefix="mkdocs_")

    def config() -> MkDocsConfig:
        loaded = load_config(config_file=str(project / "mkdocs.yml"), site_dir=site_dir)
        loaded.site_url = SERVE_URL
        return loaded

    first = config()
    first.plugins.on_startup(command="serve", dirty=True)
    print(f"first build: {_timed(lambda: build(first, serve_url=SERVE_URL, dirty=True))}")
    incident = sorted((project / "incidents").rglob("*.yaml"))[0]
    original = incident.read_text(encoding="utf-8")
    try:
        for save in range(args.saves):
            edited = original.replace("\ntitle: ", f"\ntitle: Edited {save} ", 1)
            incident.write_text(edited, encoding="utf-8")
            timed = _timed(lambda: build(config(), serve_url=SERVE_URL, dirty=True))
            print(f"rebuild {save + 1}: {timed}")
    finally:
        incident.write_text(original, encoding="utf-8")
        first.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)


def _timed(run: Callable[[], object]) -> str:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return f"{time.perf_counter() - wall:.2f} s wall, {time.process_time() - cpu:.2f} s CPU"


if __name__ == "__main__":
    main()
