"""Small static SVG charts, written by hand: deterministic, testable, no JavaScript.

Every chart is one ``<svg>`` element with no blank lines (so it sits in Markdown as a single
raw-HTML block), ``role="img"`` with a ``<title>`` and ``<desc>``, text and axes in
``currentColor`` (so they follow Material's light and dark palettes) and series colours that
keep a 3:1 contrast against both white and Material's slate background.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

# Okabe-Ito inspired, darkened or lightened until each has >= 3:1 contrast on #ffffff and on
# Material's slate background (#1e2029).
PALETTE = ("#d55e00", "#b07800", "#2f80c8", "#12876a", "#a05ccf", "#d0447a", "#808080")

WIDTH = 720
FONT = 12
CHAR_WIDTH = 7.0  # rough average advance of a 12 px sans-serif character
_ENTITIES = {"{": "&#123;", "}": "&#125;"}


@dataclass(frozen=True)
class Series:
    """One stacked series: a name, a colour and one value per category."""

    name: str
    colour: str
    values: Sequence[int]


@dataclass(frozen=True)
class Range:
    """One measure of one group: median and 90th percentile, in seconds."""

    name: str
    colour: str
    median: float
    p90: float


def colour(index: int) -> str:
    """The palette colour for the ``index``-th series (cycling)."""
    return PALETTE[index % len(PALETTE)]


def text(value: object) -> str:
    """Escape text content; braces too, so no template engine ever sees ``{{``."""
    return escape(str(value), _ENTITIES)


def attr(value: object) -> str:
    """A quoted, escaped attribute value."""
    return quoteattr(str(value), _ENTITIES)


def _shorten(label: str, width: float) -> str:
    limit = max(4, int(width / CHAR_WIDTH))
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _open(chart_id: str, title: str, desc: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" id={attr(chart_id)} role="img" '
        f"aria-labelledby={attr(f'{chart_id}-title {chart_id}-desc')} "
        f'viewBox="0 0 {WIDTH} {height:g}" width="{WIDTH}" height="{height:g}" '
        f'style="max-width:100%;height:auto" font-size="{FONT}" fill="currentColor">',
        f"<title id={attr(chart_id + '-title')}>{text(title)}</title>",
        f"<desc id={attr(chart_id + '-desc')}>{text(desc)}</desc>",
    ]


def _legend(entries: Sequence[tuple[str, str]], y: float) -> list[str]:
    parts: list[str] = []
    x = 0.0
    for name, fill in entries:
        parts.append(f'<rect x="{x:g}" y="{y - 10:g}" width="12" height="12" fill="{fill}"/>')
        parts.append(f'<text x="{x + 16:g}" y="{y:g}">{text(name)}</text>')
        x += 16 + len(name) * CHAR_WIDTH + 18
    return ['<g class="legend">', *parts, "</g>"]


def nice_step(maximum: int, ticks: int = 5) -> int:
    """A 1-2-5 step so that about ``ticks`` gridlines cover ``0..maximum``."""
    raw = max(1.0, maximum / ticks)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def stacked_bars(
    chart_id: str, title: str, desc: str, labels: Sequence[str], series: Sequence[Series]
) -> str:
    """Vertical bars, one per label, stacked by series (for example months by severity)."""
    left, top, plot_height, bottom = 36.0, 34.0, 200.0, 24.0
    plot_width = WIDTH - left - 8
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    step = nice_step(max(totals, default=0))
    top_value = max(step, math.ceil(max(totals, default=0) / step) * step)
    scale = plot_height / top_value
    slot = plot_width / max(1, len(labels))
    bar = max(1.0, slot * 0.7)
    base = top + plot_height
    parts = _open(chart_id, title, desc, top + plot_height + bottom)
    parts += _legend([(s.name, s.colour) for s in series], 14)
    parts.append('<g class="axis" stroke="currentColor" stroke-opacity="0.25">')
    for value in range(0, top_value + 1, step):
        y = base - value * scale
        parts.append(f'<line x1="{left:g}" x2="{WIDTH - 8:g}" y1="{y:g}" y2="{y:g}"/>')
    parts.append("</g>")
    for value in range(0, top_value + 1, step):
        y = base - value * scale
        parts.append(f'<text x="{left - 6:g}" y="{y + 4:g}" text-anchor="end">{value}</text>')
    label_every = max(1, math.ceil(len(labels) * 7 * CHAR_WIDTH / plot_width))
    for index, label in enumerate(labels):
        x = left + index * slot + (slot - bar) / 2
        y = base
        for s in series:
            count = s.values[index]
            if not count:
                continue
            height = count * scale
            y -= height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{max(height - 1, 1):.1f}"'
                f' fill="{s.colour}"><title>{text(f"{label} {s.name}: {count}")}</title></rect>'
            )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base + 16:g}" text-anchor="middle">'
                f"{text(label)}</text>"
            )
    parts.append("</svg>")
    return "\n".join(parts)


def horizontal_bars(
    chart_id: str, title: str, desc: str, rows: Sequence[tuple[str, int]], fill: str
) -> str:
    """One horizontal bar per row, labelled on the left, value at the bar's end."""
    label_width, row_height, top = 200.0, 22.0, 8.0
    plot_width = WIDTH - label_width - 48
    maximum = max((value for _, value in rows), default=0) or 1
    parts = _open(chart_id, title, desc, top + row_height * len(rows) + 8)
    for index, (label, value) in enumerate(rows):
        y = top + index * row_height
        length = plot_width * value / maximum
        parts.append(
            f'<text x="{label_width - 8:g}" y="{y + 15:g}" text-anchor="end">'
            f"{text(_shorten(label, label_width - 8))}<title>{text(label)}</title></text>"
        )
        parts.append(
            f'<rect x="{label_width:g}" y="{y + 3:g}" width="{max(length, 1):.1f}" height="16"'
            f' fill="{fill}"/>'
        )
        parts.append(f'<text x="{label_width + length + 6:.1f}" y="{y + 15:g}">{value}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


# Log-scale ticks for durations, in seconds.
DURATION_TICKS = (
    (60, "1 min"),
    (600, "10 min"),
    (3600, "1 h"),
    (6 * 3600, "6 h"),
    (86400, "1 d"),
    (7 * 86400, "1 w"),
    (30 * 86400, "30 d"),
    (365 * 86400, "1 y"),
)


def duration_ranges(
    chart_id: str,
    title: str,
    desc: str,
    groups: Sequence[tuple[str, Sequence[Range | None]]],
    legend: Sequence[tuple[str, str]],
) -> str:
    """Per group, one line per measure from median (dot) to p90 (tick), on a log time axis.

    A ``None`` range (the measure is unknown for that group) leaves its line empty.

    Values under a minute are drawn at the one-minute line; the table beside gives exact figures.
    """
    label_width, line_height, group_gap, top = 200.0, 12.0, 10.0, 30.0
    right = WIDTH - 12
    largest = max((r.p90 for _, ranges in groups for r in ranges if r), default=60.0)
    ceiling = max(largest, 3600)
    ticks: list[tuple[float, str]] = [tick for tick in DURATION_TICKS if tick[0] < ceiling]
    beyond = (ceiling, f"{ceiling / 31536000:.0f} y")
    ticks.append(next((tick for tick in DURATION_TICKS if tick[0] >= ceiling), beyond))
    low, high = math.log10(60), math.log10(ticks[-1][0])

    def position(seconds: float) -> float:
        share = (math.log10(max(seconds, 60)) - low) / (high - low)
        return label_width + share * (right - label_width)

    heights = [max(1, len(ranges)) * line_height + group_gap for _, ranges in groups]
    plot_bottom = top + sum(heights)
    parts = _open(chart_id, title, desc, plot_bottom + 22)
    parts += _legend(legend, 14)
    parts.append('<g class="axis" stroke="currentColor" stroke-opacity="0.25">')
    for seconds, _ in ticks:
        x = position(seconds)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4:g}" y2="{plot_bottom:g}"/>')
    parts.append("</g>")
    for seconds, name in ticks:
        parts.append(
            f'<text x="{position(seconds):.1f}" y="{plot_bottom + 16:g}" text-anchor="middle">'
            f"{text(name)}</text>"
        )
    y = top
    for (label, ranges), height in zip(groups, heights, strict=True):
        middle = y + (height - group_gap) / 2
        parts.append(
            f'<text x="{label_width - 8:g}" y="{middle + 4:.1f}" text-anchor="end">'
            f"{text(_shorten(label, label_width - 8))}<title>{text(label)}</title></text>"
        )
        for index, item in enumerate(ranges):
            if item is None:
                continue
            line_y = y + index * line_height + line_height / 2
            start, end = position(item.median), position(item.p90)
            parts.append(
                f'<g stroke="{item.colour}" fill="{item.colour}" stroke-width="3">'
                f"<title>{text(f'{label} {item.name}')}</title>"
                f'<line x1="{start:.1f}" x2="{max(end, start + 1):.1f}" '
                f'y1="{line_y:.1f}" y2="{line_y:.1f}"/>'
                f'<circle cx="{start:.1f}" cy="{line_y:.1f}" r="4"/>'
                f'<line x1="{end:.1f}" x2="{end:.1f}" y1="{line_y - 4:.1f}" y2="{line_y + 4:.1f}"/>'
                "</g>"
            )
        y += height
    parts.append("</svg>")
    return "\n".join(parts)
