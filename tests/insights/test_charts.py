"""SVG charts: well-formed, accessible, readable on light and dark backgrounds."""

from __future__ import annotations

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
