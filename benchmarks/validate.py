"""Time ``postmortems validate`` on a synthetic project against the cost of just parsing it.

    python benchmarks/validate.py --incidents 10000

Generates the incidents (``benchmarks/synthetic.py``) into a temporary folder, then, in one
run and in-process (the core the command runs: ``find_project`` + ``load_collection`` +
formatting, without interpreter start-up), times:

- the floor: reading every file's bytes and parsing it with PyYAML's C loader;
- cold: validating with no cache (``--no-cache``);
- fill: validating with an empty cache, which writes it;
- warm: validating again, files unchanged (every result comes from the cache);
- for reference, PyYAML's pure-Python safe loader on a sample of the files.

Targets: cold <= 1.3 x the floor, warm <= 0.2 x the floor.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT))

from postmortems.cli.site_config import find_project  # noqa: E402
from postmortems.core.collection import load_collection  # noqa: E402
from postmortems.core.project import PACKAGED_SCHEMAS  # noqa: E402

from benchmarks.synthetic import write_project  # noqa: E402


def _best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _floor(paths: list[Path]) -> None:
    for path in paths:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


def _validate(use_cache: bool) -> None:
    collection = load_collection(find_project(), use_cache=use_cache, model=False)
    assert not collection.errors, collection.errors[:3]
    "\n".join(map(str, collection.problems))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="best of N for floor, cold, warm")
    parser.add_argument("--pure-sample", type=int, default=500, help="files for the pure loader")
    parser.add_argument("--profile", action="store_true", help="cProfile the cold run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pm-bench-") as folder:
        root = Path(folder)
        shutil.copytree(PACKAGED_SCHEMAS, root / "schema")
        paths = write_project(root, args.incidents, args.seed)
        size = sum(path.stat().st_size for path in paths)
        os.chdir(root)
        os.environ["XDG_CACHE_HOME"] = str(root / "cache")
        os.environ.pop("POSTMORTEMS_NO_CACHE", None)
        print(f"{len(paths)} incidents, {size / 1e6:.1f} MB, in {root}")

        floor = _best(lambda: _floor(paths), args.repeat)
        cold = _best(lambda: _validate(use_cache=False), args.repeat)
        fill = _best(lambda: _validate(use_cache=True), 1)
        warm = _best(lambda: _validate(use_cache=True), args.repeat)
        sample = paths[: args.pure_sample]
        start = time.perf_counter()
        for path in sample:
            yaml.load(path.read_bytes(), Loader=yaml.SafeLoader)
        pure = (time.perf_counter() - start) * len(paths) / len(sample)

        print(f"floor (read + C parse)   {floor:8.2f} s")
        print(f"validate cold (no cache) {cold:8.2f} s   {cold / floor:5.2f} x floor (target 1.3)")
        print(f"validate filling cache   {fill:8.2f} s   {fill / floor:5.2f} x floor")
        print(f"validate warm (cached)   {warm:8.2f} s   {warm / floor:5.2f} x floor (target 0.2)")
        print(f"pure-Python parse (est.) {pure:8.2f} s   {pure / floor:5.2f} x floor")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(_validate, use_cache=False)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
        os.chdir(ROOT)


if __name__ == "__main__":
    main()
