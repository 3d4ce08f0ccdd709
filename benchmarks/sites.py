"""Two MkDocs projects over the same synthetic incidents, and timed builds of them.

- the plugin project: ``incidents/**/*.yaml``, the schema, the ``postmortems`` plugin;
- the plain project: exactly the Markdown ``site_pages`` produces (plus the exports and the
  stylesheet) written into ``docs/``, the same theme, nav and other plugins, no ``postmortems``;
  pages the plugin keeps out of the nav are marked with MkDocs' ``not_in_nav`` setting.

Builds run as subprocesses (``mkdocs build -q``); each one's peak RSS comes from ``os.wait4``
(the child's own ``rusage``, the per-process form of ``getrusage(RUSAGE_CHILDREN)``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT))

from postmortems.cli.site_config import find_project  # noqa: E402
from postmortems.core.collection import load_collection  # noqa: E402
from postmortems.core.project import PACKAGED_SCHEMAS  # noqa: E402
from postmortems.core.timestamps import build_date  # noqa: E402
from postmortems.site.pages import (  # noqa: E402
    INDEX_PAGES,
    GeneratedPage,
    all_similar,
    site_pages,
    template_environment,
)
from postmortems.site.standalone import STYLESHEET  # noqa: E402

from benchmarks.synthetic import write_project  # noqa: E402

MKDOCS = ROOT / ".venv" / "bin" / "mkdocs"
FOLDERS = ("incidents", "services", "root-causes", "timeline")
HOME = "# Postmortems\n\nEvery incident we have learned from.\n"
TAGS = "---\ntitle: Tags\nrender_macros: false\n---\n\n# Tags\n\n<!-- material/tags -->\n"


def config(plugin: bool) -> dict[str, object]:
    """The project's ``mkdocs.yml``: the repository's theme, extensions and nav."""
    base = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    # The plugin brings its own search (Pagefind); the plain project keeps Material's.
    plugins: list[object] = ["tags"] if plugin else ["search", "tags"]
    if plugin:
        plugins.append({"postmortems": {"incidents_dir": "incidents"}})
    plugins.append({"macros": {"on_undefined": "strict"}})
    nav = [entry for entry in base["nav"] if "Guides" not in entry]
    result = {
        key: base[key]
        for key in ("site_name", "site_url", "repo_url", "edit_uri", "theme", "markdown_extensions")
    }
    result.update(plugins=plugins, nav=[{"Home": "index.md"}, *nav[1:]])
    result["validation"] = {"nav": {"omitted_files": "info", "not_found": "warn"}}
    if not plugin:
        patterns = [f"/{folder}/*.md\n!/{folder}/index.md" for folder in FOLDERS]
        result["not_in_nav"] = "\n".join(patterns) + "\n"
    return result


def write_plugin_project(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """The plugin project with ``count`` incidents; returns the incident files."""
    shutil.copytree(PACKAGED_SCHEMAS, folder / "schema")
    paths = write_project(folder, count, seed)
    _write_docs(folder, plugin=True)
    return paths


def plugin_pages(plugin_folder: Path) -> list[GeneratedPage]:
    """The pages the plugin generates for the project in ``plugin_folder``."""
    previous = Path.cwd()
    os.chdir(plugin_folder)
    try:
        collection = load_collection(find_project(), use_cache=False)
        similar, recurrences, told = all_similar(collection, 5)
        return list(
            site_pages(
                collection,
                template_environment(),
                today=build_date(),
                similar=similar,
                recurrences=recurrences,
                told=told,
            )
        )
    finally:
        os.chdir(previous)


def write_plain_project(pages: list[GeneratedPage], folder: Path) -> None:
    """The same site as plain Markdown: the plugin's ``pages``, written to ``docs/``."""
    _write_docs(folder, plugin=False)
    docs = folder / "docs"
    for page in pages:
        target = docs / page.src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.content, encoding="utf-8")
    assert {page.src_uri for page in pages if page.in_nav} == set(INDEX_PAGES)
    stylesheet = docs / STYLESHEET
    stylesheet.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "plugins" / "postmortems" / "site" / STYLESHEET, stylesheet)


def _write_docs(folder: Path, *, plugin: bool) -> None:
    docs = folder / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text(HOME, encoding="utf-8")
    (docs / "tags.md").write_text(TAGS, encoding="utf-8")
    settings = config(plugin)
    if not plugin:
        settings["extra_css"] = [STYLESHEET]
    (folder / "mkdocs.yml").write_text(yaml.safe_dump(settings, sort_keys=False), "utf-8")


@dataclass(frozen=True)
class Build:
    """One ``mkdocs build``: wall time, the MkDocs process's own peak RSS, the peak RSS of the
    largest process of the build (its Pagefind child included), the peak of the memory MkDocs
    and its page-making child use together (their proportional set sizes summed, sampled), the
    search index size."""

    seconds: float
    peak_rss_mb: float
    largest_rss_mb: float
    peak_together_mb: float
    search_index_bytes: int


def _high_water_mb(pid: int) -> float:
    """The process's peak RSS so far (``VmHWM``), 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _together_mb(pid: int) -> float:
    """What the process and its children of the same program (the page-making child, not
    Pagefind) use now: their ``Pss`` summed (pages they share counted once)."""
    try:
        name = Path(f"/proc/{pid}/comm").read_text(encoding="utf-8")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="utf-8").split()
    except OSError:
        return 0.0
    total = 0.0
    for each in [str(pid), *children]:
        try:
            if Path(f"/proc/{each}/comm").read_text(encoding="utf-8") != name:
                continue
            rollup = Path(f"/proc/{each}/smaps_rollup").read_text(encoding="utf-8")
        except OSError:
            continue
        total += sum(
            int(line.split()[1]) / 1024 for line in rollup.splitlines() if line.startswith("Pss:")
        )
    return total


def build(folder: Path, cache_home: Path, *, cache: bool = True) -> Build:
    """``mkdocs build -q`` in ``folder`` as a subprocess, with its own cache folder."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "XDG_CACHE_HOME": str(cache_home)}
    env.pop("POSTMORTEMS_NO_CACHE", None)
    if not cache:
        env["POSTMORTEMS_NO_CACHE"] = "1"
    shutil.rmtree(folder / "site", ignore_errors=True)
    start = time.perf_counter()
    process = subprocess.Popen([str(MKDOCS), "build", "-q"], cwd=folder, env=env)
    own = together = 0.0
    while True:  # the high-water mark only grows: the last reading misses at most 0.2 s
        own = max(own, _high_water_mb(process.pid))
        together = max(together, _together_mb(process.pid))
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"mkdocs build failed in {folder} ({process.returncode})")
    largest = usage.ru_maxrss / 1024
    return Build(seconds, own, largest, together, search_index_bytes(folder / "site"))


def search_index_bytes(site: Path) -> int:
    """The search index on disk: Pagefind's chunks, else Material's ``search_index.json``."""
    chunks = list((site / "pagefind").rglob("*.pf_*"))
    if chunks:
        return sum(path.stat().st_size for path in chunks)
    return (site / "search" / "search_index.json").stat().st_size
