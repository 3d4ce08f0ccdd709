"""SVG charts: well-formed, accessible, readable on light and dark backgrounds."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from postmortems.insights import charts

SVG = "{http://www.w3.org/2000/svg}"


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_series_colour_has_3_to_1_contrast_on_white_and_on_slate():
    for colour in charts.PALETTE:
        assert _contrast(colour, "#ffffff") >= 3, colour
        assert _contrast(colour, "#1e2029") >= 3, colour


def test_stacked_bars_draw_one_segment_per_nonzero_value():
    svg = charts.stacked_bars(
        "c",
        "T",
        "D",
        ["2024-01", "2024-02"],
        [charts.Series("SEV1", "#d55e00", [1, 0]), charts.Series("SEV2", "#b07800", [2, 3])],
    )

    root = ET.fromstring(svg)
    segments = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [s.find(f"{SVG}title").text for s in segments] == [
        "2024-01 SEV1: 1",
        "2024-01 SEV2: 2",
        "2024-02 SEV2: 3",
    ]


def test_text_and_axes_follow_the_page_colour():
    svg = charts.horizontal_bars("c", "T", "D", [("a", 1)], "#2f80c8")

    root = ET.fromstring(svg)
    assert root.get("fill") == "currentColor"
    assert all(t.get("fill") is None for t in root.iter(f"{SVG}text"))


def test_labels_are_escaped_and_braces_hidden_from_template_engines():
    label = '<script>alert("x")</script> {{ x }} & |'
    svg = charts.horizontal_bars("c", label, label, [(label, 2)], "#2f80c8")

    assert "<script>" not in svg
    assert "{{" not in svg
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == label


def test_duration_chart_spans_heavy_tails_on_a_log_axis_and_skips_unknown_measures():
    svg = charts.duration_ranges(
        "c",
        "T",
        "D",
        [("SEV1", [charts.Range("detect", "#2f80c8", 0, 600), None])],
        [("detect", "#2f80c8"), ("resolve", "#12876a")],
    )

    root = ET.fromstring(svg)
    assert len(list(root.iter(f"{SVG}circle"))) == 1
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "1 min" in labels
    assert "1 h" in labels


def test_duration_axis_grows_beyond_a_year():
    years = 3 * 365 * 86400
    svg = charts.duration_ranges(
        "c", "T", "D", [("x", [charts.Range("r", "#2f80c8", 60, years)])], [("r", "#2f80c8")]
    )

    assert ">3 y<" in svg
    ET.fromstring(svg)


def _texts(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{SVG}text"))


def _extent(element: ET.Element) -> tuple[float, float]:
    """Where a text's estimated box starts and ends along the x axis."""
    x = float(element.get("x", "0"))
    length = len(element.text or "") * charts.CHAR_WIDTH
    start = {"end": x - length, "middle": x - length / 2}.get(element.get("text-anchor", ""), x)
    return start, start + length


def _phone_charts() -> list[str]:
    months = [f"{2020 + n // 12}-{n % 12 + 1:02}" for n in range(60)]
    severities = ["SEV1: critical", "SEV2: major", "SEV3: minor", "SEV4: low"]
    ranges = [charts.Range(name, "#2f80c8", 300, 3 * 86400) for name in ("a", "b", "c")]
    legend = [
        (name, "#2f80c8") for name in ("Time to detect", "Time to mitigate", "Time to resolve")
    ]
    return [
        charts.stacked_bars(
            "m",
            "T",
            "D",
            months,
            [charts.Series(s, "#d55e00", [1] * 60) for s in severities],
            charts.NARROW,
        ),
        charts.horizontal_bars(
            "s", "T", "D", [("Online messenger database cluster", 9)], "#2f80c8", charts.NARROW
        ),
        charts.duration_ranges(
            "d", "T", "D", [("Payments gateway", ranges)], legend, charts.NARROW
        ),
    ]


def test_phone_charts_keep_every_label_inside_their_width():
    for svg in _phone_charts():
        assert ET.fromstring(svg).get("viewBox", "").startswith(f"0 0 {charts.NARROW} ")
        for element in _texts(svg):
            start, end = _extent(element)
            assert start >= 0 and end <= charts.NARROW, (element.text, start, end)


def test_phone_charts_put_labels_above_their_bars_and_wrap_the_legend():
    months, services, durations = _phone_charts()

    label = next(t for t in _texts(services) if t.find(f"{SVG}title") is not None)
    assert label.get("x") == "0" and label.get("text-anchor") is None
    assert label.text == "Online messenger database cluster"
    legend_rows = {t.get("y") for t in ET.fromstring(durations).find(f"{SVG}g").iter(f"{SVG}text")}
    assert len(legend_rows) == 2
    month_labels = [t.text for t in _texts(months) if (t.text or "").startswith("20")]
    assert 2 <= len(month_labels) <= 8


def test_axis_labels_never_overlap():
    for svg in _phone_charts():
        bottom = [t for t in _texts(svg) if t.get("text-anchor") == "middle"]
        extents = sorted(_extent(t) for t in bottom if t.get("y") == bottom[-1].get("y"))
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(extents))


def test_a_responsive_chart_is_one_wide_and_one_narrow_svg_with_distinct_ids():
    both = charts.responsive(
        lambda width: charts.horizontal_bars("c", "T", "D", [("a", 1)], "#2f80c8", width)
    )

    assert "\n\n" not in both
    first, second = both.split("\n<svg ", 1)
    wide, narrow = ET.fromstring(first), ET.fromstring("<svg " + second)
    assert (wide.get("id"), wide.get("class")) == ("c", "pm-chart-wide")
    assert (narrow.get("id"), narrow.get("class")) == ("c-narrow", "pm-chart-narrow")
    assert narrow.get("aria-labelledby") == "c-narrow-title c-narrow-desc"
