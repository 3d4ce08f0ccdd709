"""The search benchmark: the Pagefind index at 1,000 and 10,000 synthetic incidents, one run.

    python benchmarks/search.py --incidents 1000 10000

For each size N it writes the synthetic project (``benchmarks/sites.py``), loads it, and measures,
with two kinds of incident text (``--text``): ``synthetic``, ``synthetic.py``'s own, whose 60-word
vocabulary puts every query word in nearly every incident (the worst case for any search engine:
each query ranks all N), and ``real``, the same incidents with their searchable text drawn from
the sentences of the repository's real postmortems (``incidents/``, ``tests/similarity_eval/``):

- index build: the plugin's own step (the records, then ``write_bundle``: Pagefind's service,
  the files written, the facet table) in a fresh subprocess, from the loaded incidents, without
  the rest of the site build (a full 10k site build takes minutes on this machine); its wall
  time and CPU time (the Python process and Pagefind's), the peak RSS of the Pagefind process
  and of the Python process;
- the index on disk per incident (the ``.pf_*`` chunks; the engine's JS and WebAssembly are
  counted once, with the transfer);
- search in headless Chromium against a local HTTP server: the repository's own site, built once,
  with its ``pagefind/`` replaced by the N-incident bundle (same page, same scripts): first result
  after the last keystroke on a freshly loaded page; later queries in the header box, each from
  its last keystroke (one input event, as a paste; then typed at 60 ms a key) to its first
  result on screen, and to all eight; bytes transferred for the search script, the Pagefind
  engine and everything the first query fetched; the search page (``search/?q=...``) opened
  fresh, to its first result, and one facet value ticked, to the updated list.

Prints a Markdown table; ``--output`` writes it to a file too.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT))

from postmortems.cli.site_config import find_project  # noqa: E402
from postmortems.core.collection import load_collection  # noqa: E402
from postmortems.core.model import Incident  # noqa: E402
from postmortems.core.urls import file_url  # noqa: E402
from postmortems.site.search_index import (  # noqa: E402
    BUNDLE_DIR,
    facet_labels,
    incident_record,
    write_bundle,
)

from benchmarks import sites  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
FIRST_QUERY = "replica lag"
NEXT_QUERIES = ("disk full", "certificate", "timeout retry", "queue backlog", "dns", "failover")
SEARCH_ASSETS = ("/pagefind/", "postmortems-search.js")
PAGE_QUERY = "failover"
PAGE_FACET = "severity"
REAL_SET = "tests/similarity_eval/*.yaml"


def real_sentences() -> tuple[list[str], list[str]]:
    """Titles and sentences of the real postmortems in this repository (examples and the
    similarity evaluation set): a vocabulary with the spread of real incident text."""
    titles: list[str] = []
    sentences: list[str] = []
    for path in sorted([*ROOT.glob("incidents/*/*.yaml"), *ROOT.glob(REAL_SET)]):
        if path.name.startswith("_"):
            continue
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        titles.append(document["title"])
        root = document["root_cause"]
        texts = [document["summary"], document.get("trigger", ""), document["resolution"]]
        texts += [root["summary"], root.get("description", ""), *root.get("five_whys", [])]
        texts += [
            factor.get("description", "") for factor in document.get("contributing_factors", [])
        ]
        texts += [str(item) for items in document.get("lessons", {}).values() for item in items]
        sentences += [
            part for text in texts for part in re.split(r"(?<=[.!?])\s+", text.strip()) if part
        ]
    return titles, sentences


def with_real_text(
    incident: Incident, rng: random.Random, titles: list[str], pool: list[str]
) -> Incident:
    """``incident`` with its searchable text drawn from real postmortem sentences."""

    def text(low: int, high: int) -> str:
        return " ".join(rng.sample(pool, rng.randint(low, high)))

    data = dict(incident.data)
    data.update(
        title=rng.choice(titles),
        summary=text(2, 5),
        trigger=text(1, 2),
        resolution=text(1, 3),
        root_cause={**data["root_cause"], "summary": text(1, 1), "description": text(1, 4)},
        contributing_factors=[{"title": text(1, 1)} for _ in range(rng.randint(0, 3))],
        lessons={"went_wrong": [text(1, 1) for _ in range(rng.randint(0, 3))]},
    )
    return Incident(data=data, source=incident.source, source_uri=incident.source_uri)


def index_only(project: Path, site: Path, text: str) -> dict[str, float]:
    """In this process: load ``project``, then time indexing its incidents into ``site``."""
    os.chdir(project)
    collection = load_collection(find_project(), use_cache=False)
    incidents = collection.incidents
    if text == "real":
        titles, pool = real_sentences()
        rng = random.Random(0)
        incidents = [with_real_text(incident, rng, titles, pool) for incident in incidents]
    cpu = _cpu_seconds()
    start = time.perf_counter()
    labels = facet_labels(incidents, collection.schema, collection.catalog or {})
    documents = (  # built while Pagefind indexes the ones before, as the plugin does
        incident_record(incident, labels, file_url(f"incidents/{incident.id}/index.md"))
        for incident in incidents
    )
    count = write_bundle(documents, site)
    seconds = time.perf_counter() - start
    return {
        "documents": count,
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "pagefind_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "python_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _cpu_seconds() -> float:
    """User + system time of this process and of its finished children (Pagefind)."""
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def build_index(project: Path, site: Path, text: str) -> dict[str, float]:
    """``index_only`` in a fresh subprocess, so each size's peak RSS is its own."""
    output = subprocess.run(
        [sys.executable, __file__, "--index-only", str(project), str(site), "--text", text],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def chunk_bytes(bundle: Path) -> int:
    return sum(path.stat().st_size for path in bundle.rglob("*.pf_*"))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


def browse(site: Path) -> dict[str, float]:
    """First query on a fresh page, later queries, and the bytes search made the page fetch."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            try:
                return {**_measure(browser, url), **_measure_page(browser, url)}
            finally:
                browser.close()
    finally:
        server.shutdown()


def _measure(browser: object, url: str) -> dict[str, float]:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    finished: list[object] = []  # the page's requests and its worker's (Pagefind's chunks)
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url, wait_until="load")
    page.keyboard.press("/")
    page.keyboard.type(FIRST_QUERY, delay=60)
    start = time.perf_counter()
    page.locator(".md-search-result__item:not(.pm-search-more)").first.wait_for(timeout=120_000)
    first = time.perf_counter() - start
    page.wait_for_load_state("networkidle")
    search_bytes = sum(
        sizes["responseBodySize"] + sizes["responseHeadersSize"]
        for request in finished
        if any(part in request.url for part in SEARCH_ASSETS)  # type: ignore[attr-defined]
        and (sizes := request.sizes())  # type: ignore[attr-defined]
    )
    pasted = [
        page.evaluate(_PASTED_QUERY, query)
        for query in NEXT_QUERIES
        for _ in range(2)  # the first time fetches its chunks, the second reuses them
    ]
    typed = []
    for query in NEXT_QUERIES:
        page.locator(".md-search__input").fill("")
        page.evaluate(_WATCH_TYPED, query)
        page.keyboard.type(query, delay=60)
        typed.append(page.evaluate("window.pmTyped"))
    context.close()
    return {
        "first": first,
        **_spread("next", [times[0] / 1000 for times in pasted]),
        **_spread("next_all", [times[1] / 1000 for times in pasted]),
        **_spread("typed", [times[0] / 1000 for times in typed]),
        "search_bytes": search_bytes,
    }


def _measure_page(browser: object, url: str) -> dict[str, float]:
    """The search page opened fresh with a query, to its first result; then a facet value
    ticked, to the updated results."""
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.add_init_script(_FIRST_LISTED)
    page.goto(f"{url}search/?q={PAGE_QUERY}")
    opened = page.evaluate("window.pmListed") / 1000
    ticked = page.evaluate(_TICK_FACET, PAGE_FACET) / 1000
    context.close()
    return {"page_first": opened, "page_facet": ticked}


# From the start of the navigation, when the search page lists its first result.
_FIRST_LISTED = """window.pmListed = new Promise((resolve) => {
  const observer = new MutationObserver(() => {
    if (document.querySelector(".pm-search-results > li")) {
      observer.disconnect();
      resolve(performance.now());
    }
  });
  observer.observe(document, { childList: true, subtree: true });
});"""


# Tick the first value of ``facet`` and time until the results are redrawn for it.
_TICK_FACET = """async (facet) => {
  const meta = document.querySelector(".pm-search-meta");
  const before = meta.textContent;
  const start = performance.now();
  return await new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (meta.textContent !== before && document.querySelector(".pm-search-results > li")) {
        observer.disconnect();
        resolve(performance.now() - start);
      }
    });
    observer.observe(document.querySelector(".pm-search-main"), {
      childList: true, subtree: true, characterData: true,
    });
    document.querySelector(`.pm-facet[data-facet="${facet}"] input`).click();
  });
}"""


def _spread(name: str, seconds: list[float]) -> dict[str, float]:
    return {f"{name}_median": statistics.median(seconds), f"{name}_max": max(seconds)}


# The box's list: time until its first result, and until all of them (the last line, a link to
# the search page, comes after the results). ``start()`` is null until the measured keystroke.
_LIST_TIMES = """
  const list = document.querySelector(".md-search-result__list");
  const times = (start, resolve) => {
    let first = null;
    const observer = new MutationObserver(() => {
      const now = performance.now();
      if (start() === null) return;
      if (first === null && list.querySelector(".md-search-result__item:not(.pm-search-more)")) {
        first = now - start();
      }
      if (first !== null && list.querySelector(".pm-search-more")) {
        observer.disconnect();
        resolve([first, now - start()]);
      }
    });
    observer.observe(list, { childList: true });
  };
"""

# Replace the query as a paste would (one input event, which is also the last keystroke).
_PASTED_QUERY = (
    """async (query) => {
  const input = document.querySelector(".md-search__input");"""
    + _LIST_TIMES
    + """
  list.replaceChildren();
  const start = performance.now();
  return await new Promise((resolve) => {
    times(() => start, resolve);
    input.value = query;
    input.dispatchEvent(new Event("input"));
  });
}"""
)

# Before typing ``query`` into the empty box: times from its last keystroke (the input event
# that completes it) into ``window.pmTyped``. Results for shorter prefixes shown before that
# keystroke do not count; none can appear after it (each keystroke supersedes the last).
_WATCH_TYPED = (
    """(query) => {
  const input = document.querySelector(".md-search__input");"""
    + _LIST_TIMES
    + """
  let last = null;
  input.addEventListener("input", () => {
    if (input.value === query && last === null) last = performance.now();
  });
  window.pmTyped = new Promise((resolve) => times(() => last, resolve));
}"""
)


def measure(count: int, work: Path, base_site: Path, text: str) -> dict[str, float]:
    project = work / f"project-{count}"
    if not project.exists():
        sites.write_plugin_project(project, count)
    site = work / f"site-{count}-{text}"
    shutil.copytree(base_site, site)
    shutil.rmtree(site / BUNDLE_DIR)
    figures = {"count": count, "text": text, **build_index(project, site, text)}
    bundle = site / BUNDLE_DIR
    figures["chunks_per_incident"] = chunk_bytes(bundle) / count
    figures["chunk_files"] = len(list(bundle.rglob("*.pf_*")))
    figures.update(browse(site))
    print(json.dumps(figures), flush=True)
    return figures


def _cells(r: dict[str, float]) -> dict[str, str]:
    return {
        "build": f"{r['seconds']:.1f} s",
        "cpu": f"{r['cpu_seconds']:.1f} s",
        "pagefind_rss": f"{r['pagefind_rss_mb']:.0f} MB",
        "python_rss": f"{r['python_rss_mb']:.0f} MB",
        "disk": f"{r['chunks_per_incident'] / 1000:.2f} KB",
        "files": f"{r['chunk_files']:,}",
        "first": f"{r['first']:.2f} s",
        "next": _ms(r, "next"),
        "next_all": _ms(r, "next_all"),
        "typed": _ms(r, "typed"),
        "bytes": f"{r['search_bytes'] / 1000:.0f} KB",
        "page_first": f"{r['page_first']:.2f} s",
        "page_facet": f"{r['page_facet'] * 1000:.0f} ms",
    }


def _ms(r: dict[str, float], name: str) -> str:
    return f"{r[f'{name}_median'] * 1000:.0f} / {r[f'{name}_max'] * 1000:.0f} ms"


ROWS = (
    ("build", "Index build (records + Pagefind), wall", "≤ 60 s"),
    ("cpu", "Index build, CPU (Python + Pagefind)", ""),
    ("pagefind_rss", "Peak RSS, Pagefind process", "≤ 1.5 GB"),
    ("python_rss", "Peak RSS, Python (incidents loaded)", ""),
    ("disk", "Index on disk per incident", ""),
    ("files", "Index chunk files", ""),
    ("first", "First result after the last keystroke, fresh page", "≤ 1.0 s"),
    ("next", "Next queries, pasted: first result, median / slowest", "≤ 150 ms"),
    ("next_all", "Next queries, pasted: all eight results", ""),
    ("typed", "Next queries, typed (60 ms a key): first result", ""),
    ("bytes", "Transferred: search script + engine + first query", "≤ 600 KB"),
    ("page_first", "Search page with a query, fresh: first result", ""),
    ("page_facet", "Search page: a facet value ticked, results redrawn", ""),
)


def table(results: list[dict[str, float]]) -> str:
    cells = [_cells(r) for r in results]
    head = "| Figure | " + " | ".join(f"{r['count']:,}, {r['text']} text" for r in results)
    head += " | Target (10k) |"
    lines = [head, "|---|" + "---:|" * len(results) + "---|"]
    lines += [
        f"| {name} | " + " | ".join(c[key] for c in cells) + f" | {target} |"
        for key, name, target in ROWS
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--output", type=Path, help="also write the table here")
    parser.add_argument(
        "--text",
        nargs="+",
        choices=("real", "synthetic"),
        default=["real", "synthetic"],
        help="incident text: sentences of real postmortems, or synthetic.py's 60-word vocabulary",
    )
    parser.add_argument("--index-only", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.index_only:
        print(json.dumps(index_only(*args.index_only, args.text[0])))
        return
    with tempfile.TemporaryDirectory(prefix="pm-search-bench-") as folder:
        work = Path(folder)
        base_site = work / "base-site"
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        subprocess.run(
            [str(sites.MKDOCS), "build", "-q", "-d", str(base_site)], cwd=ROOT, env=env, check=True
        )
        results = [
            measure(count, work, base_site, text) for count in args.incidents for text in args.text
        ]
    text = table(results)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
