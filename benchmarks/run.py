"""The benchmark: synthetic incidents end to end, every figure from one run, as a Markdown table.

    python benchmarks/run.py --incidents 1000 10000      # `make bench`

For each size N it generates realistic incidents (``benchmarks/synthetic.py``) and measures:

- validate: the read + C-parse floor, a cold check (no cache) and a warm one (cache filled), in
  process, with ``benchmarks/validate.py``'s functions;
- the plugin's own work, in process through the core functions the plugin calls: load (read +
  parse, i.e. the floor), validate (the rest of a cold ``load_collection``), derive (durations,
  times to detect and mitigate, overdue items), similar (index, then top-5 of every incident, and
  possible repeats), page generation (``site_pages``);
- ``mkdocs build -q`` subprocesses: with the plugin (cold: empty check cache; warm: filled), and
  a plain project of exactly the Markdown ``site_pages`` produces, the exports and stylesheet in
  ``docs/``, incident and index-detail pages out of nav through ``not_in_nav``, same theme and
  plugins otherwise (the plain one with Material's lunr search, the plugin one with its Pagefind
  search); each build's peak RSS and the search index bytes per incident;
- search in headless Chromium: typing a query to the first result;
- at one size (``--serve``, default 1000): ``mkdocs serve``, from saving one edited incident file
  to the rebuilt page over HTTP, and the share of that spent in the plugin's code; then an invalid
  edit: until its problem banner is served, and how fast requests are answered meanwhile.

Writes ``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT))

from postmortems.cli.site_config import find_project  # noqa: E402
from postmortems.core import derive  # noqa: E402
from postmortems.core.collection import load_collection  # noqa: E402
from postmortems.core.timestamps import build_date  # noqa: E402
from postmortems.similarity import SimilarityIndex  # noqa: E402
from postmortems.site.pages import site_pages, template_environment  # noqa: E402

from benchmarks import live, sites  # noqa: E402
from benchmarks.validate import _best, _floor, _validate  # noqa: E402

EXPORTS = ("incidents.json", "incidents.csv", "feed.xml")
QUERY = "replica lag"


def _timed(run: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def _derive_all(collection: object, today: object) -> None:
    for incident in collection.incidents:  # type: ignore[attr-defined]
        derive.duration(incident)
        derive.time_to_detect(incident)
        derive.time_to_mitigate(incident)
        derive.overdue_action_items(incident, today)


def core_times(folder: Path, floor: float) -> dict[str, float]:
    """The plugin's work, step by step, in process (no check cache)."""
    os.chdir(folder)
    load, collection = _timed(lambda: load_collection(find_project(), use_cache=False))
    today = build_date()
    figures = {"load": floor, "validate": load - floor}
    figures["derive"], _ = _timed(lambda: _derive_all(collection, today))
    figures["index"], index = _timed(lambda: SimilarityIndex(collection.incidents))
    figures["top5"], similar = _timed(lambda: index.all_similar(top=5))
    figures["repeats"], recurrences = _timed(
        lambda: {i.id: r for i in collection.incidents if (r := index.recurrence(i.id))}
    )
    env = template_environment()
    figures["pages"], _ = _timed(
        lambda: site_pages(collection, env, today=today, similar=similar, recurrences=recurrences)
    )
    figures["similar"] = figures["index"] + figures["top5"] + figures["repeats"]
    figures["plugin"] = sum(figures[k] for k in ("load", "validate", "derive", "similar", "pages"))
    return figures


def measure(count: int, work: Path, repeat: int, search: bool) -> dict[str, float]:
    """Every figure for ``count`` incidents."""
    base = work / f"n{count}"
    plugin, plain, cache = base / "plugin", base / "plain", base / "cache"
    print(f"== {count} incidents: writing the project", flush=True)
    paths = sites.write_plugin_project(plugin, count)
    os.environ["XDG_CACHE_HOME"] = str(cache)
    os.environ.pop("POSTMORTEMS_NO_CACHE", None)
    os.chdir(plugin)
    r: dict[str, float] = {"n": count}
    r["floor"] = _best(lambda: _floor(paths), repeat)
    r["cold"] = _best(lambda: _validate(use_cache=False), repeat)
    _validate(use_cache=True)
    r["warm"] = _best(lambda: _validate(use_cache=True), repeat)
    print(f"   validate: floor {r['floor']:.2f} s, cold {r['cold']:.2f}, warm {r['warm']:.2f}")
    r.update(core_times(plugin, r["floor"]))
    print(f"   plugin core {r['plugin']:.1f} s, similar {r['similar']:.2f} s", flush=True)
    shutil.rmtree(cache)
    cold = sites.build(plugin, cache)
    warm = sites.build(plugin, cache)
    print(f"   build with plugin: cold {cold.seconds:.1f} s, warm {warm.seconds:.1f} s", flush=True)
    sites.write_plain_project(sites.plugin_pages(plugin), plain)
    for name in EXPORTS:
        shutil.copy(plugin / "site" / name, plain / "docs" / name)
    bare = sites.build(plain, cache)
    print(f"   plain build {bare.seconds:.1f} s", flush=True)
    r.update(
        build_cold=cold.seconds,
        build_warm=warm.seconds,
        build_plain=bare.seconds,
        rss_plugin=max(cold.peak_rss_mb, warm.peak_rss_mb),
        rss_plain=bare.peak_rss_mb,
        search_bytes=cold.search_index_bytes / count,
    )
    if search:
        r["search_first"], r["search_again"] = live.search_latency(plugin / "site", QUERY)
        print(f"   search: {r['search_first']:.2f} s, then {r['search_again']:.2f} s", flush=True)
    os.chdir(ROOT)
    return r


def serve_times(work: Path, count: int) -> dict[str, float]:
    """``mkdocs serve`` on ``count`` incidents: one edited file to the rebuilt page."""
    folder = work / f"n{count}" / "plugin"
    cache = work / f"n{count}" / "cache"
    if not folder.is_dir():
        sites.write_plugin_project(folder, count)
    incident = sorted((folder / "incidents").glob("*/*.yaml"))[count // 2]
    seconds = live.serve_edit(folder, incident, cache)
    invalid_shown, invalid_answer = live.serve_invalid_edit(folder, incident, cache)
    os.environ["XDG_CACHE_HOME"] = str(cache)
    os.chdir(folder)
    load, collection = _timed(lambda: load_collection(find_project(), use_cache=True))
    today = build_date()
    rest, _ = _timed(lambda: _pages(collection, today))
    os.chdir(ROOT)
    print(f"== serve at {count}: {seconds:.1f} s, our code {load + rest:.1f} s", flush=True)
    print(f"   invalid edit: banner {invalid_shown:.1f} s, answers {invalid_answer:.3f} s")
    return {
        "serve": seconds,
        "serve_ours": load + rest,
        "serve_n": count,
        "serve_invalid_shown": invalid_shown,
        "serve_invalid_answer": invalid_answer,
    }


def _pages(collection: object, today: object) -> None:
    from postmortems.site.pages import all_similar

    similar, recurrences = all_similar(collection, 5)  # type: ignore[arg-type]
    site_pages(
        collection,  # type: ignore[arg-type]
        template_environment(),
        today=today,  # type: ignore[arg-type]
        similar=similar,
        recurrences=recurrences,
    )


def table(results: list[dict[str, float]], serve: dict[str, float] | None) -> str:
    """The results as Markdown."""
    big, small = results[-1], results[0]
    sizes = [f"{int(r['n']):,}" for r in results]
    lines = [
        "| Figure | " + " | ".join(f"{s} incidents" for s in sizes) + " | Target |",
        "|---|" + "---:|" * len(results) + "---|",
    ]

    def row(name: str, cell: Callable[[dict[str, float]], str], target: str = "") -> None:
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results) + f" | {target} |")

    row("Validate: read + parse floor", lambda r: f"{r['floor']:.2f} s")
    row("Validate cold (no cache)", lambda r: f"{r['cold']:.2f} s ({r['cold'] / r['floor']:.2f}×)",
        "≤ 1.3× floor")  # fmt: skip
    row("Validate warm (cache)", lambda r: f"{r['warm']:.2f} s ({r['warm'] / r['floor']:.2f}×)",
        "≤ 0.2× floor")  # fmt: skip
    row("`mkdocs build`, plain Markdown, no plugin", lambda r: f"{r['build_plain']:.1f} s")
    row("`mkdocs build` with the plugin, cold cache",
        lambda r: f"{r['build_cold']:.1f} s ({r['build_cold'] / r['build_plain']:.2f}×)",
        "≤ 1.10× plain")  # fmt: skip
    row("`mkdocs build` with the plugin, warm cache",
        lambda r: f"{r['build_warm']:.1f} s ({r['build_warm'] / r['build_plain']:.2f}×)",
        "≤ 1.10× plain")  # fmt: skip
    row("Plugin's own work (in process)",
        lambda r: f"{r['plugin']:.1f} s ({r['plugin'] / r['build_cold']:.0%} of cold build)",
    )  # fmt: skip
    row("— load (read + parse)", lambda r: f"{r['load']:.2f} s")
    row("— validate", lambda r: f"{r['validate']:.2f} s")
    row("— derive", lambda r: f"{r['derive']:.2f} s")
    row("— similar (index + top-5 + repeats)", lambda r: f"{r['similar']:.2f} s")
    row("— page generation", lambda r: f"{r['pages']:.2f} s")
    row("Similar: index build", lambda r: f"{r['index']:.2f} s")
    row("Similar: top-5 of every incident", lambda r: f"{r['top5']:.2f} s", "≤ 3 s")
    row("Peak RSS, build with the plugin", lambda r: f"{r['rss_plugin']:.0f} MB", "≤ 500 MB")
    row("Peak RSS, plain build", lambda r: f"{r['rss_plain']:.0f} MB")
    row("Search index per incident (Pagefind)", lambda r: f"{r['search_bytes'] / 1000:.1f} KB",
        "≤ 3 KB")  # fmt: skip
    if "search_first" in big:
        row("Search: first query after page load, to first result",
            lambda r: f"{r.get('search_first', float('nan')):.2f} s")  # fmt: skip
        row("Search: next query, to first result",
            lambda r: f"{r.get('search_again', float('nan')):.2f} s")  # fmt: skip
    per = (big["build_cold"] / big["n"]) / (small["build_cold"] / small["n"])
    lines.append("")
    lines.append(
        f"Per-incident build cost at {int(big['n']):,} over {int(small['n']):,}: **{per:.2f}×** "
        "(target ≤ 1.2×)."
    )
    if serve:
        lines.append(
            f"`mkdocs serve` at {int(serve['serve_n']):,} incidents, one incident file saved to "
            f"its rebuilt page served: **{serve['serve']:.1f} s**, of which the plugin's code "
            f"(cached load, similarity, pages) about {serve['serve_ours']:.1f} s "
            f"({serve['serve_ours'] / serve['serve']:.0%}); the rest is MkDocs rebuilding "
            "every page. An invalid edit instead: the problem banner served after "
            f"{serve['serve_invalid_shown']:.1f} s, then every request (home, the incident, a "
            f"missing page) answered within {serve['serve_invalid_answer']:.3f} s."
        )
    lines.append(
        f"One run of `benchmarks/run.py` on {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; ratios are within that run."
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3, help="best of N for validate figures")
    parser.add_argument("--serve", type=int, default=1000, help="serve size (0: skip)")
    parser.add_argument("--no-search", action="store_true", help="skip the browser search figure")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.md")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01: same pages each run
    with tempfile.TemporaryDirectory(prefix="pm-bench-") as folder:
        work = args.keep or Path(folder)
        results = [
            measure(count, work, args.repeat, not args.no_search)
            for count in sorted(args.incidents)
        ]
        serve = serve_times(work, args.serve) if args.serve else None
    text = table(results, serve)
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
