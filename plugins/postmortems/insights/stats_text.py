"""The statistics as plain text: durations in words and tables for a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from ..core import derive
from .stats import DIMENSIONS, Figures, Group


def duration(seconds: float | None) -> str:
    """A duration in seconds as the statistics page writes it (``2 h 5 min``; ``—`` unknown)."""
    return derive.human_duration(None if seconds is None else timedelta(seconds=round(seconds)))


def text_report(result: Figures, width: int = 100) -> str:
    """The figures as plain-text tables no wider than ``width`` columns."""
    lines = [f"Incidents: {result.overall.incidents}"]
    if result.months:
        lines[0] += f", from {result.months[0].month} to {result.months[-1].month}"
    severity_names = [t.value for t in result.severities]
    month_rows = [[m.month, *map(str, m.counts.values()), str(m.total)] for m in result.months]
    if month_rows:
        lines += [
            "",
            "Incidents per month",
            *_table(["Month", *severity_names, "Total"], month_rows, width),
        ]
    lines += [
        "",
        "TTD, TTM, TTR: time to detect, to mitigate, to resolve (from the start of impact);",
        "med: median; p90: 90th percentile; over the incidents that record the time.",
    ]
    header = ["Incidents"] + [f"{short} {stat}" for short, _ in _SHORT for stat in ("med", "p90")]
    for name, title in DIMENSIONS:
        rows = [[g.label, str(g.incidents), *_spread_cells(g)] for g in result.groups[name]]
        rows.append(
            [result.overall.label, str(result.overall.incidents), *_spread_cells(result.overall)]
        )
        lines += ["", f"By {title.lower()}", *_table([title, *header], rows, width)]
    return "\n".join(lines) + "\n"


_SHORT = (("TTD", "time_to_detect"), ("TTM", "time_to_mitigate"), ("TTR", "time_to_resolve"))
_UNITS = {" d": "d", " h": "h", " min": "m", " s": "s"}


def _compact(seconds: float | None) -> str:
    """``1d 12h``, ``2h 5m``: a duration as on the page, without spaces before units."""
    text = duration(seconds)
    for unit, short in _UNITS.items():
        text = text.replace(unit, short)
    return text


def _spread_cells(group: Group) -> list[str]:
    return [
        _compact(value)
        for _, name in _SHORT
        for value in (group.spreads[name].median, group.spreads[name].p90)
    ]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """Left-aligned first column, right-aligned others; the first column shrinks to fit."""
    widths = [max(len(row[n]) for row in [header, *rows]) for n in range(len(header))]
    others = sum(widths[1:]) + 2 * (len(widths) - 1)
    widths[0] = max(8, min(widths[0], width - others))

    def line(cells: Sequence[str]) -> str:
        first = cells[0] if len(cells[0]) <= widths[0] else cells[0][: widths[0] - 1] + "…"
        rest = [cell.rjust(w) for cell, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first.ljust(widths[0]), *rest]).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *map(line, rows)]
