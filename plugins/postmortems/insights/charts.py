"""Small static SVG charts, written by hand: deterministic, testable, no JavaScript.

Every chart is one ``<svg>`` element with no blank lines (so it sits in Markdown as a single
raw-HTML block), ``role="img"`` with a ``<title>`` and ``<desc>``, text and axes in
``currentColor`` (so they follow Material's light and dark palettes) and series colours that
keep a 3:1 contrast against both white and Material's slate background.

Each chart is drawn twice by :func:`responsive`: for a wide column (``WIDTH``) and for a phone
(``NARROW``, labels above their bars, legends wrapped); the stylesheet shows the one that keeps
the text at 12 px or close to it, so a chart never scrolls sideways and its text stays readable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

# Okabe-Ito inspired, darkened or lightened until each has >= 3:1 contrast on #ffffff and on
# Material's slate background (#1e2029).
PALETTE = ("#d55e00", "#b07800", "#2f80c8", "#12876a", "#a05ccf", "#d0447a", "#808080")

WIDTH = 720
NARROW = 350  # fits a 390 px phone's column (358 px) at its natural size
NARROW_LAYOUT = 480  # below this width, labels go above their bars
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


def _text_width(label: str) -> float:
    return len(label) * CHAR_WIDTH


def responsive(draw: Callable[[int], str]) -> str:
    """A chart drawn for a wide column and for a phone, one after the other (no blank line)."""
    return f"{draw(WIDTH)}\n{draw(NARROW)}"


def _open(chart_id: str, title: str, desc: str, height: float, width: int) -> list[str]:
    layout = "narrow" if width < NARROW_LAYOUT else "wide"
    svg_id = f"{chart_id}-narrow" if layout == "narrow" else chart_id
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" id={attr(svg_id)} class="pm-chart-{layout}" '
        f'role="img" aria-labelledby={attr(f"{svg_id}-title {svg_id}-desc")} '
        f'viewBox="0 0 {width} {height:g}" width="{width}" height="{height:g}" '
        f'style="max-width:100%;height:auto" font-size="{FONT}" fill="currentColor">',
        f"<title id={attr(svg_id + '-title')}>{text(title)}</title>",
        f"<desc id={attr(svg_id + '-desc')}>{text(desc)}</desc>",
    ]


def _legend(entries: Sequence[tuple[str, str]], y: float, width: int) -> tuple[list[str], float]:
    """The legend's parts, wrapped into rows ``width`` wide, and the baseline of its last row."""
    parts: list[str] = []
    x = 0.0
    for name, fill in entries:
        advance = 16 + _text_width(name) + 18
        if x and x + advance - 18 > width:
            x, y = 0.0, y + 20
        parts.append(f'<rect x="{x:g}" y="{y - 10:g}" width="12" height="12" fill="{fill}"/>')
        parts.append(f'<text x="{x + 16:g}" y="{y:g}">{text(name)}</text>')
        x += advance
    return ['<g class="legend">', *parts, "</g>"], y


def nice_step(maximum: int, ticks: int = 5) -> int:
    """A 1-2-5 step so that about ``ticks`` gridlines cover ``0..maximum``."""
    raw = max(1.0, maximum / ticks)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def stacked_bars(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    width: int = WIDTH,
) -> str:
    """Vertical bars, one per label, stacked by series (for example months by severity).

    Labels under the bars are thinned out so that they never overlap.
    """
    legend, legend_bottom = _legend([(s.name, s.colour) for s in series], 14, width)
    left, top, plot_height, bottom = 36.0, legend_bottom + 20, 200.0, 24.0
    plot_width = width - left - 8
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    step = nice_step(max(totals, default=0))
    top_value = max(step, math.ceil(max(totals, default=0) / step) * step)
    scale = plot_height / top_value
    slot = plot_width / max(1, len(labels))
    bar = max(1.0, slot * 0.7)
    base = top + plot_height
    parts = _open(chart_id, title, desc, top + plot_height + bottom, width)
    parts += legend
    parts += _value_grid(range(0, top_value + 1, step), left, width - 8, base, scale)
    label_every = max(1, math.ceil(len(labels) * 7 * CHAR_WIDTH / plot_width))
    for index, label in enumerate(labels):
        x = left + index * slot + (slot - bar) / 2
        counts = [(s, s.values[index]) for s in series]
        parts += _stack(label, counts, x, bar, base, scale)
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base + 16:g}" text-anchor="middle">'
                f"{text(label)}</text>"
            )
    parts.append("</svg>")
    return "\n".join(parts)


def _value_grid(
    values: Sequence[int], left: float, right: float, base: float, scale: float
) -> list[str]:
    """Gridlines across the plot at ``values``, and the values on the left."""
    heights = [(value, base - value * scale) for value in values]
    parts = ['<g class="axis" stroke="currentColor" stroke-opacity="0.25">']
    parts += [f'<line x1="{left:g}" x2="{right:g}" y1="{y:g}" y2="{y:g}"/>' for _, y in heights]
    parts.append("</g>")
    parts += [
        f'<text x="{left - 6:g}" y="{y + 4:g}" text-anchor="end">{value}</text>'
        for value, y in heights
    ]
    return parts


def _stack(
    label: str,
    counts: Sequence[tuple[Series, int]],
    x: float,
    bar: float,
    base: float,
    scale: float,
) -> list[str]:
    """One bar: each series' count on the one below, from ``base`` up."""
    parts: list[str] = []
    y = base
    for series, count in counts:
        if not count:
            continue
        height = count * scale
        y -= height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{max(height - 1, 1):.1f}"'
            f' fill="{series.colour}">'
            f"<title>{text(f'{label} {series.name}: {count}')}</title></rect>"
        )
    return parts


def _row_label(label: str, y: str, width: int, end: float | None) -> str:
    """A row's label, shortened to fit, whole in its tooltip: above the row from the left edge
    (``end`` is ``None``: the narrow layout), or left of the row, ending at ``end``."""
    if end is None:
        shown, place = _shorten(label, width), 'x="0"'
    else:
        shown, place = _shorten(label, end), f'x="{end:g}"'
    anchor = "" if end is None else ' text-anchor="end"'
    return f'<text {place} y="{y}"{anchor}>{text(shown)}<title>{text(label)}</title></text>'


def horizontal_bars(
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[tuple[str, int]],
    fill: str,
    width: int = WIDTH,
) -> str:
    """One horizontal bar per row, value at the bar's end; labelled on the left, or above the
    bar in the narrow layout."""
    narrow = width < NARROW_LAYOUT
    label_width, row_height, top = (0.0, 40.0, 4.0) if narrow else (200.0, 22.0, 8.0)
    bar_top = 18.0 if narrow else 3.0
    plot_width = width - label_width - 48
    maximum = max((value for _, value in rows), default=0) or 1
    parts = _open(chart_id, title, desc, top + row_height * len(rows) + 8, width)
    for index, (label, value) in enumerate(rows):
        y = top + index * row_height
        length = plot_width * value / maximum
        if narrow:
            parts.append(_row_label(label, f"{y + 13:g}", width, None))
        else:
            parts.append(_row_label(label, f"{y + 15:g}", width, label_width - 8))
        parts.append(
            f'<rect x="{label_width:g}" y="{y + bar_top:g}" width="{max(length, 1):.1f}" '
            f'height="16" fill="{fill}"/>'
        )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar_top + 12:g}">{value}</text>'
        )
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


def _spaced(labels: Sequence[tuple[float, str]]) -> list[tuple[float, str]]:
    """Centred labels, left to right, leaving out any that would touch the one before."""
    kept: list[tuple[float, str]] = []
    edge = -math.inf
    for x, name in labels:
        half = _text_width(name) / 2
        if x - half >= edge + 6:
            kept.append((x, name))
            edge = x + half
    return kept


def _time_grid(ticks: Sequence[tuple[float, str]], top: float, bottom: float) -> list[str]:
    """Gridlines down the plot at each tick's ``x``, and the tick names below that fit."""
    parts = ['<g class="axis" stroke="currentColor" stroke-opacity="0.25">']
    parts += [
        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4:g}" y2="{bottom:g}"/>' for x, _ in ticks
    ]
    parts.append("</g>")
    parts += [
        f'<text x="{x:.1f}" y="{bottom + 16:g}" text-anchor="middle">{text(name)}</text>'
        for x, name in _spaced(ticks)
    ]
    return parts


def _range(label: str, item: Range, start: float, end: float, y: float) -> str:
    """One measure of a group: a dot at the median (``start``), a line on to a tick at the p90."""
    return (
        f'<g stroke="{item.colour}" fill="{item.colour}" stroke-width="3">'
        f"<title>{text(f'{label} {item.name}')}</title>"
        f'<line x1="{start:.1f}" x2="{max(end, start + 1):.1f}" y1="{y:.1f}" y2="{y:.1f}"/>'
        f'<circle cx="{start:.1f}" cy="{y:.1f}" r="4"/>'
        f'<line x1="{end:.1f}" x2="{end:.1f}" y1="{y - 4:.1f}" y2="{y + 4:.1f}"/>'
        "</g>"
    )


def duration_ranges(
    chart_id: str,
    title: str,
    desc: str,
    groups: Sequence[tuple[str, Sequence[Range | None]]],
    legend: Sequence[tuple[str, str]],
    width: int = WIDTH,
) -> str:
    """Per group, one line per measure from median (dot) to p90 (tick), on a log time axis.

    A ``None`` range (the measure is unknown for that group) leaves its line empty. Group labels
    sit on the left, or above their lines in the narrow layout.

    Values under a minute are drawn at the one-minute line; the table beside gives exact figures.
    """
    narrow = width < NARROW_LAYOUT
    key, legend_bottom = _legend(legend, 14, width)
    line_height, group_gap, top = 12.0, 10.0, legend_bottom + 16
    label_height = 18.0 if narrow else 0.0
    left, right = (20.0, width - 16.0) if narrow else (200.0, width - 12.0)
    largest = max((r.p90 for _, ranges in groups for r in ranges if r), default=60.0)
    ceiling = max(largest, 3600)
    ticks: list[tuple[float, str]] = [tick for tick in DURATION_TICKS if tick[0] < ceiling]
    beyond = (ceiling, f"{ceiling / 31536000:.0f} y")
    ticks.append(next((tick for tick in DURATION_TICKS if tick[0] >= ceiling), beyond))
    low, high = math.log10(60), math.log10(ticks[-1][0])

    def position(seconds: float) -> float:
        share = (math.log10(max(seconds, 60)) - low) / (high - low)
        return left + share * (right - left)

    heights = [label_height + max(1, len(ranges)) * line_height + group_gap for _, ranges in groups]
    plot_bottom = top + sum(heights)
    parts = _open(chart_id, title, desc, plot_bottom + 22, width)
    parts += key
    parts += _time_grid([(position(seconds), name) for seconds, name in ticks], top, plot_bottom)
    y = top
    for (label, ranges), height in zip(groups, heights, strict=True):
        if narrow:
            parts.append(_row_label(label, f"{y + 12:g}", width, None))
        else:
            middle = y + (height - group_gap) / 2
            parts.append(_row_label(label, f"{middle + 4:.1f}", width, left - 8))
        for index, item in enumerate(ranges):
            if item is not None:
                line_y = y + label_height + index * line_height + line_height / 2
                parts.append(_range(label, item, position(item.median), position(item.p90), line_y))
        y += height
    parts.append("</svg>")
    return "\n".join(parts)
