"""The worst incident file ``postmortems validate`` accepts, and how long the site takes to build.

    .venv/bin/python benchmarks/worst_case.py            # validate + mkdocs build --strict, timed
    .venv/bin/python benchmarks/worst_case.py --pattern headings

One file of just under 1 MiB with every list at its schema maximum (50 tags and services,
1,000 timeline entries, 500 action items, 200 related incidents...) and every one-line field at
its maximum length; the rest of the budget is Markdown at the limits the validator checks
(50,000 characters and 2,000 lines per field, 150,000 in all, 8 levels of nesting) filled with
the constructs that used to make builds slow or fail: nested list markers and block quotes,
thousands of identical headings, long runs of brackets, braces, emphasis markers and backticks. Each
``--pattern`` fills the budget with one construct only. The issue asks for <= 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
from postmortems.core.project import PACKAGED_SCHEMAS  # noqa: E402

SCHEMA = json.loads((PACKAGED_SCHEMAS / "incident.schema.json").read_text("utf-8"))
MARKDOWN = SCHEMA["$defs"]["markdown"]
MAX_CHARS, MAX_LINES, MAX_NESTING, MAX_HEADINGS, MAX_TOTAL = (
    MARKDOWN["maxLength"],
    MARKDOWN["x-maxLines"],
    MARKDOWN["x-maxNesting"],
    MARKDOWN["x-maxHeadings"],
    MARKDOWN["x-maxTotalLength"],
)
BUDGET = 1024 * 1024 - 4096  # the loader's limit, less a margin for YAML quoting
ID = "2024-01-01-worst-case"


def _max_items(*path: str) -> int:
    node: Any = SCHEMA
    for part in path:
        node = node[part]
    return int(node["maxItems"])


def _line_pattern(width: int) -> dict[str, list[str]]:
    """Markdown lines per construct, each at most ``width`` characters."""
    depth = MAX_NESTING
    return {
        "nested-lists": ["- " * depth + "x"],
        "nested-quotes": ["> " * depth + "x"],
        "indented-lists": ["  " * level + "- item" for level in range(depth)],
        "headings": ["#a"],
        "braces": ["{{" * (width // 2)],
        "brackets": ["[" * width],
        "links": ["[a](" * (width // 4)],
        "emphasis": ["*_" * (width // 2)],
        "backticks": ["`" * width],
        "html": ["<a " * (width // 3)],
        "prose": [("Plain words of prose. " * width)[:width]],  # the baseline, not an attack
    }


def markdown_text(
    pattern: str, chars: int = MAX_CHARS, lines: int = MAX_LINES, headings: int = MAX_HEADINGS
) -> tuple[str, int]:
    """One Markdown value at the limits, made of ``pattern`` (``mixed``: every construct),
    with at most ``headings`` headings (the limit is per file); returns it and its headings."""
    width = max(1, chars // lines)
    patterns = _line_pattern(width)
    attacks = [block for name, block in patterns.items() if name != "prose"]
    blocks = attacks if pattern == "mixed" else [patterns[pattern]]
    out: list[str] = []
    size = used = index = 0
    while len(out) < lines:
        block = blocks[index % len(blocks)]
        index += 1
        if block == patterns["headings"]:
            if used >= headings:
                block = ["a"]
            else:
                used += 1
        for line in block:
            if len(out) >= lines or size + len(line) + 1 > chars:
                return "\n".join(out), used
            out.append(line)
            size += len(line) + 1
        if pattern != "mixed" and len(block) > 1:
            out.append("")  # one list per block
            size += 1
    return "\n".join(out), used


def _line(width: int, seed: int) -> str:
    text = f"item {seed} " + "word " * width
    return text[:width].rstrip() or "x"


def worst_case(pattern: str = "mixed", budget: int = BUDGET) -> tuple[dict[str, Any], list[str]]:
    """The worst-case document and the ids of the incidents it relates to (which must exist)."""
    related = [
        f"2023-01-01-related-{index:03d}" for index in range(_max_items("properties", "related"))
    ]
    services = [f"service-{index:02d}" for index in range(_max_items("properties", "services"))]
    people = [
        {"name": _line(200, i), "role": _line(200, i), "email": f"person{i}@example.com"}
        for i in range(_max_items("properties", "authors"))
    ]
    document: dict[str, Any] = {
        "id": ID,
        "title": _line(200, 0),
        "status": "final",
        "severity": "SEV1",
        "summary": "x",
        "services": services,
        "started_at": "2024-01-01T00:00:00Z",
        "detected_at": "2024-01-01T00:05:00Z",
        "mitigated_at": "2024-01-01T01:00:00Z",
        "resolved_at": "2024-01-01T02:00:00Z",
        "impact": {
            "summary": "x",
            "users_affected": 10**12,
            "users_affected_percent": 100,
            "regions": [
                _line(100, i) for i in range(_max_items("$defs", "impact", "properties", "regions"))
            ],
            "customer_facing": True,
            "business": "x",
            "reputation": "x",
        },
        "detection": {"method": "monitoring", "description": "x"},
        "trigger": "x",
        "root_cause": {
            "category": "software-bug",
            "summary": _line(300, 0),
            "description": "x",
            "five_whys": [
                _line(1000, i)
                for i in range(_max_items("$defs", "rootCause", "properties", "five_whys"))
            ],
        },
        "contributing_factors": [
            {"title": _line(300, i), "description": "x", "category": "process"}
            for i in range(_max_items("properties", "contributing_factors"))
        ],
        "resolution": "x",
        "timeline": [
            {"at": "2024-01-01T00:10:00Z", "event": "x", "kind": "note"}
            for _ in range(_max_items("properties", "timeline"))
        ],
        "action_items": [
            {
                "title": _line(300, i),
                "status": "open",
                "type": "prevent",
                "owner": _line(200, i),
                "priority": "P1",
                "due": "2024-02-01",
                "ticket": f"https://tracker.example.com/browse/OPS-{i}",
            }
            for i in range(_max_items("properties", "action_items"))
        ],
        "lessons": {
            name: ["x"] * _max_items("$defs", "lessons", "properties", name)
            for name in ("went_well", "went_wrong", "got_lucky")
        },
        "authors": people,
        "reviewers": people,
        "written_on": "2024-01-05",
        "tags": [f"tag-{index:02d}" for index in range(_max_items("properties", "tags"))],
        "related": related,
        "links": [
            {"title": _line(300, i), "url": f"https://example.com/{i}"}
            for i in range(_max_items("properties", "links"))
        ],
    }
    remaining = budget - len(dump(document).encode("utf-8"))
    filled: list[tuple[Any, Any]] = []
    headings = MAX_HEADINGS
    markdown_left = MAX_TOTAL - 5_000  # less the one-character Markdown values already there
    for holder, key in _markdown_slots(document):
        if remaining < 200 or markdown_left < 200:
            break
        size = min(MAX_CHARS, remaining - 100, markdown_left)
        text, used = markdown_text(pattern, size, headings=headings)
        headings -= used
        markdown_left -= len(text)
        holder[key] = text
        filled.append((holder, key))
        remaining -= len(dump({"k": text}).encode("utf-8")) + 8 * text.count("\n")
    while filled and len(dump(document).encode("utf-8")) > budget:  # nested values indent more
        holder, key = filled.pop()
        holder[key] = "x"
    return document, related


def _markdown_slots(document: dict[str, Any]) -> list[tuple[Any, Any]]:
    """Where Markdown can go: the top-level fields first, then timeline events and lessons."""
    slots: list[tuple[Any, Any]] = [
        (document, "summary"),
        (document, "resolution"),
        (document, "trigger"),
        (document["impact"], "summary"),
        (document["impact"], "business"),
        (document["impact"], "reputation"),
        (document["detection"], "description"),
        (document["root_cause"], "description"),
    ]
    slots += [(entry, "event") for entry in document["timeline"]]
    slots += [(factor, "description") for factor in document["contributing_factors"]]
    return slots


class _Dumper(yaml.SafeDumper):
    """Writes shared values out in full: incident files refuse anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**9)


def write_project(folder: Path, pattern: str = "mixed") -> Path:
    """A project holding the worst-case incident, its related incidents and a 50-service catalog."""
    document, related = worst_case(pattern)
    incidents = folder / "incidents"
    incidents.mkdir(parents=True)
    catalog = {slug: {"name": slug.title()} for slug in document["services"]}
    (incidents / "_services.yaml").write_text(dump(catalog), encoding="utf-8")
    (incidents / f"{ID}.yaml").write_text(dump(document), encoding="utf-8")
    for other in related:
        small = {
            "id": other,
            "title": "A related incident",
            "status": "final",
            "severity": "SEV4",
            "summary": "Small.",
            "services": [document["services"][0]],
            "started_at": "2023-01-01T00:00:00Z",
            "impact": {"summary": "None."},
            "root_cause": {"category": "unknown", "summary": "Unknown."},
            "resolution": "None.",
        }
        (incidents / f"{other}.yaml").write_text(dump(small), encoding="utf-8")
    (folder / "docs").mkdir()
    (folder / "docs" / "index.md").write_text("# Worst case\n", encoding="utf-8")
    (folder / "mkdocs.yml").write_text(
        "site_name: Worst case\n"
        "theme:\n  name: material\n  features: [search.suggest, search.highlight, toc.follow]\n"
        "plugins:\n  - search\n  - tags\n  - postmortems\n  - macros:\n      on_undefined: strict\n"
        "markdown_extensions:\n  - admonition\n  - attr_list\n  - pymdownx.keys\n  - tables\n"
        "  - toc:\n      permalink: true\n  - pymdownx.details\n  - pymdownx.superfences\n",
        encoding="utf-8",
    )
    return folder / "incidents" / f"{ID}.yaml"


def _timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pattern", default="mixed", choices=["mixed", *_line_pattern(1)])
    args = parser.parse_args()
    binary = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        incident = write_project(folder, args.pattern)
        print(f"{incident.name}: {incident.stat().st_size:,} bytes, pattern {args.pattern}")
        seconds, result = _timed([str(binary / "postmortems"), "validate", "--no-cache"], folder)
        print(
            f"validate: {seconds:.2f} s, exit {result.returncode}: {result.stdout.strip()[-200:]}"
        )
        if result.returncode:
            return 1
        seconds, result = _timed([str(binary / "mkdocs"), "build", "--strict", "-q"], folder)
        print(f"mkdocs build --strict: {seconds:.2f} s, exit {result.returncode}")
        if result.returncode:
            print(result.stderr[-2000:])
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
