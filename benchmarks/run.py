"""The benchmark: synthetic incidents end to end, every figure from one run, as a Markdown table.

    python benchmarks/run.py --incidents 1000 10000      # `make bench`

For each size N it generates realistic incidents (``benchmarks/synthetic.py``) and measures:

- validate: the read + C-parse floor, a cold check (no cache) and a warm one (cache filled), in
  process, with ``benchmarks/validate.py``'s functions;
- the plugin's own work, in process through the core functions the plugin calls, each step timed
  on its own (nothing is subtracted): load + validate (a ``load_collection`` without cache),
  derive (durations, times to detect and mitigate, overdue items), similar (index, then top-5 of
  every incident, and possible repeats), page generation (``site_pages``, in one process: a
  build makes the incident pages in two, see ``postmortems.site.forked_pages``);
- ``mkdocs build -q`` subprocesses: with the plugin, cold (empty caches) and again with nothing
  changed (the caches filled by the cold build), and a plain project of exactly the Markdown
  ``site_pages`` produces, the exports and stylesheet in ``docs/``, incident and index-detail
  pages out of nav through ``not_in_nav``, same theme and plugins otherwise (the plain one with
  Material's lunr search, the plugin one with its Pagefind search); each build's peak RSS, the
  peak of MkDocs' and its page-making child's memory together (proportional set sizes summed,
  sampled every 0.2 s) and the search index bytes per incident;
- search in headless Chromium: typing a query to the first result;
- at each ``--serve`` size (default: every size): ``mkdocs serve --dirty`` (``make serve``), from
  saving one edited incident file to its rebuilt page over HTTP; then an invalid edit: until its
  problem banner is served, and the slowest answer to a request meanwhile.

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


def core_times(folder: Path) -> dict[str, float]:
    """The plugin's work, step by step, in process (no cache)."""
    os.chdir(folder)
    figures: dict[str, float] = {}
    figures["load"], collection = _timed(lambda: load_collection(find_project(), use_cache=False))
    today = build_date()
    figures["derive"], _ = _timed(lambda: _derive_all(collection, today))
    figures["index"], index = _timed(lambda: SimilarityIndex(collection.incidents))
    figures["top5"], similar = _timed(lambda: index.all_similar(top=5))
    figures["repeats"], recurrences = _timed(
        lambda: {i.id: r for i in collection.incidents if (r := index.recurrence(i.id))}
    )
    env = template_environment()
    figures["pages"], _ = _timed(  # each page's Markdown is made when first read
        lambda: [
            len(page.content)
            for page in site_pages(
                collection, env, today=today, similar=similar, recurrences=recurrences
            )
        ]
    )
    figures["similar"] = figures["index"] + figures["top5"] + figures["repeats"]
    figures["plugin"] = sum(figures[k] for k in ("load", "derive", "similar", "pages"))
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
    r.update(core_times(plugin))
    print(f"   plugin core {r['plugin']:.1f} s, similar {r['similar']:.2f} s", flush=True)
    shutil.rmtree(cache)
    cold = sites.build(plugin, cache)
    warm = sites.build(plugin, cache)  # nothing changed: the caches the cold build filled
    print(f"   with the plugin: cold {cold.seconds:.1f} s, again {warm.seconds:.1f} s", flush=True)
    sites.write_plain_project(sites.plugin_pages(plugin), plain)
    for name in EXPORTS:
        shutil.copy(plugin / "site" / name, plain / "docs" / name)
    bare = sites.build(plain, cache)
    print(f"   plain build {bare.seconds:.1f} s", flush=True)
    r.update(
        build_cold=cold.seconds,
        build_warm=warm.seconds,
        build_plain=bare.seconds,
        rss_plugin=cold.peak_rss_mb,
        together_plugin=cold.peak_together_mb,
        rss_warm=warm.peak_rss_mb,
        rss_largest=max(cold.largest_rss_mb, warm.largest_rss_mb),
        rss_plain=bare.largest_rss_mb,  # no child process: its own peak, exactly
        search_bytes=cold.search_index_bytes / count,
    )
    if search:
        r["search_first"], r["search_again"] = live.search_latency(plugin / "site", QUERY)
        print(f"   search: {r['search_first']:.2f} s, then {r['search_again']:.2f} s", flush=True)
    os.chdir(ROOT)
    return r


def serve_times(work: Path, count: int) -> dict[str, float]:
    """``mkdocs serve --dirty`` on ``count`` incidents: one edited file to its rebuilt page, then
    an invalid edit."""
    folder = work / f"n{count}" / "plugin"
    cache = work / f"n{count}" / "cache"
    if not folder.is_dir():
        sites.write_plugin_project(folder, count)
    incident = sorted((folder / "incidents").glob("*/*.yaml"))[count // 2]
    seconds = live.serve_edit(folder, incident, cache)
    invalid_shown, invalid_answer = live.serve_invalid_edit(folder, incident, cache)
    print(f"== serve at {count}: {seconds:.1f} s", flush=True)
    print(f"   invalid edit: banner {invalid_shown:.1f} s, answers {invalid_answer:.3f} s")
    return {"serve": seconds, "invalid_shown": invalid_shown, "invalid_answer": invalid_answer}


def table(results: list[dict[str, float]], serve: dict[int, dict[str, float]]) -> str:
    """The results as Markdown."""
    big, small = results[-1], results[0]
    sizes = [f"{int(r['n']):,}" for r in results]
    lines = [
        "| Figure | " + " | ".join(f"{s} incidents" for s in sizes) + " | Target |",
        "|---|" + "---:|" * len(results) + "---|",
    ]

    def row(name: str, cell: Callable[[dict[str, float]], str], target: str = "") -> None:
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results) + f" | {target} |")

    def ratio(key: str, base: str) -> Callable[[dict[str, float]], str]:
        return lambda r: f"{r[key]:.1f} s ({r[key] / r[base]:.2f}×)"

    row("Validate: read + parse floor", lambda r: f"{r['floor']:.2f} s")
    row("Validate cold (no cache)", lambda r: f"{r['cold']:.2f} s ({r['cold'] / r['floor']:.2f}×)",
        "≤ 1.3× floor")  # fmt: skip
    row("Validate warm (cache)", lambda r: f"{r['warm']:.2f} s ({r['warm'] / r['floor']:.2f}×)",
        "≤ 0.2× floor")  # fmt: skip
    row("`mkdocs build`, plain Markdown, no plugin", lambda r: f"{r['build_plain']:.1f} s")
    row("`mkdocs build` with the plugin, cold (no cache)", ratio("build_cold", "build_plain"),
        "≤ 1.05× plain")  # fmt: skip
    row("`mkdocs build` again, nothing changed", ratio("build_warm", "build_plain"),
        "≤ 0.5× plain")  # fmt: skip
    row("Plugin's own work, cold (in process)",
        lambda r: f"{r['plugin']:.1f} s ({r['plugin'] / r['build_cold']:.0%} of the cold build)",
    )  # fmt: skip
    row("— load + validate (no cache)", lambda r: f"{r['load']:.2f} s")
    row("— derive", lambda r: f"{r['derive']:.2f} s")
    row("— similar (index + top-5 + repeats)", lambda r: f"{r['similar']:.2f} s")
    row("— page generation", lambda r: f"{r['pages']:.2f} s")
    row("Similar: index build", lambda r: f"{r['index']:.2f} s")
    row("Similar: top-5 of every incident", lambda r: f"{r['top5']:.2f} s", "≤ 3 s")
    row("Peak RSS of MkDocs, build with the plugin, cold", lambda r: f"{r['rss_plugin']:.0f} MB",
        "≤ 500 MB")  # fmt: skip
    row("Peak memory of MkDocs and its page-making child together, cold (PSS, sampled)",
        lambda r: f"{r['together_plugin']:.0f} MB", "≤ 500 MB")  # fmt: skip
    row("Peak RSS of MkDocs, build with the plugin, again", lambda r: f"{r['rss_warm']:.0f} MB",
        "≤ 500 MB")  # fmt: skip
    row("Peak RSS of the largest process (Pagefind included)",
        lambda r: f"{r['rss_largest']:.0f} MB")  # fmt: skip
    row("Peak RSS of MkDocs, plain build", lambda r: f"{r['rss_plain']:.0f} MB")
    row("Search index per incident (Pagefind)", lambda r: f"{r['search_bytes'] / 1000:.1f} KB",
        "≤ 3 KB")  # fmt: skip
    if "search_first" in big:
        row("Search: first query after page load, to first result",
            lambda r: f"{r.get('search_first', float('nan')):.2f} s")  # fmt: skip
        row("Search: next query, to first result",
            lambda r: f"{r.get('search_again', float('nan')):.2f} s")  # fmt: skip
    if serve:

        def served(key: str, form: str) -> Callable[[dict[str, float]], str]:
            return lambda r: form.format(serve[int(r["n"])][key]) if int(r["n"]) in serve else "—"

        row("`make serve` (`serve --dirty`): save to changed page", served("serve", "{:.1f} s"),
            "≤ 2 s at 1k, ≤ 5 s at 10k")  # fmt: skip
        row("— invalid save: to the problem banner", served("invalid_shown", "{:.1f} s"))
        row("— invalid save: slowest request once the banner shows",
            served("invalid_answer", "{:.3f} s"), "≤ 1 s")  # fmt: skip
    per = (big["build_cold"] / big["n"]) / (small["build_cold"] / small["n"])
    lines.append("")
    lines.append(
        f"Per-incident cold build cost at {int(big['n']):,} over {int(small['n']):,}: "
        f"**{per:.2f}×** (target ≤ 1.1×)."
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
    parser.add_argument("--serve", type=int, nargs="*", help="serve sizes (default: every size)")
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
        sizes = sorted(args.incidents) if args.serve is None else args.serve
        serve = {count: serve_times(work, count) for count in sizes}
    text = table(results, serve)
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
