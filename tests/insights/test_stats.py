"""Statistics: medians and p90 (not means) computed right and shown the same on page and in JSON."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from postmortems.insights.stats import counted, figures, filter_incidents
from postmortems.insights.stats_text import text_report
from postmortems.site import render
from postmortems.site.insight_pages import stats_page

from .helpers import TODAY, make_incident

TTR_SECONDS = [36000, 2400, 1200, 300000]  # the fixture's times to resolve (one unknown)


def test_time_to_resolve_median_and_p90_use_linear_interpolation(incidents, schema):
    overall = figures(incidents, schema).overall.spreads["time_to_resolve"]

    assert overall.count == 4
    assert overall.median == pytest.approx(np.percentile(TTR_SECONDS, 50)) == 19200
    assert overall.p90 == pytest.approx(np.percentile(TTR_SECONDS, 90)) == 220800


def test_unknown_times_are_left_out_not_counted_as_zero(incidents, schema):
    by_severity = {g.key: g for g in figures(incidents, schema).groups["severity"]}

    sev3 = by_severity["SEV3"].spreads
    assert sev3["time_to_detect"].count == 0
    assert sev3["time_to_detect"].median is None
    assert sev3["time_to_mitigate"].median == 7200


def test_page_shows_the_same_medians_and_p90_as_computed(incidents, schema):
    page = stats_page(render.environment(), counted(incidents), schema, TODAY)

    assert "| All | 5 | 7 min | 17 min | 1 h | 1 h 48 min | 5 h 20 min | 2 d 13 h |" in page
    assert "| SEV2: major | 3 | 5 min | 17 min | 30 min | 1 h 18 min | 40 min | 2 d 18 h |" in page
    assert "mean" not in page.lower()


def test_page_counts_incidents_per_month_severity_category_and_service(incidents, schema):
    page = stats_page(render.environment(), counted(incidents), schema, TODAY)

    assert "| 2024-07 | 1 | 1 | 0 | 0 | 2 |" in page
    assert "| [Deployment](root-causes/deployment/index.md) | 2 |" in page
    assert "| [checkout-api](services/checkout-api/index.md) | 4 |" in page
    assert page.startswith("---\ntitle: Statistics\nrender_macros: false\n")


def test_months_without_incidents_are_in_the_chart_data_but_not_the_table(incidents, schema):
    result = figures(incidents, schema)

    assert [m.month for m in result.months] == ["2024-04", "2024-05", "2024-06", "2024-07"]
    page = stats_page(render.environment(), counted(incidents), schema, TODAY)
    assert "| 2024-05 |" not in page


def test_every_chart_is_one_inline_svg_block_that_parses(incidents, schema):
    page = stats_page(render.environment(), counted(incidents), schema, TODAY)

    blocks = page.split("<figure")[1:]
    assert len(blocks) == 6
    for block in blocks:
        svg = block[block.index("<svg") : block.index("</svg>") + len("</svg>")]
        assert "\n\n" not in svg
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        assert root.find("{http://www.w3.org/2000/svg}title").text
        assert root.find("{http://www.w3.org/2000/svg}desc").text


def test_hostile_service_name_cannot_break_tables_or_svg(schema):
    hostile = "x|y<script>alert(1)</script>{{ x }}"
    incident = make_incident(
        "2024-01-01-hostile", datetime(2024, 1, 1, tzinfo=UTC), services=(hostile,)
    )

    page = stats_page(render.environment(), counted([incident]), schema, TODAY)

    assert "<script>" not in page
    assert "{{" not in page
    for line in page.splitlines():
        if line.startswith("| [x"):
            assert line.count("|") == 3 or line.count("|") == 9


def test_json_figures_match_the_page(incidents, schema):
    data = json.loads(json.dumps(figures(incidents, schema).as_dict()))

    assert data["incidents"] == 5
    assert data["overall"]["time_to_resolve"] == {
        "count": 4,
        "median_seconds": 19200,
        "p90_seconds": 220800,
    }
    assert data["per_month"][-1] == {
        "month": "2024-07",
        "total": 2,
        "by_severity": {"SEV1": 1, "SEV2": 1, "SEV3": 0, "SEV4": 0},
    }
    assert [g["key"] for g in data["by_service"]] == ["checkout-api", "orders-db", "tracking-api"]


def test_filters_keep_incidents_since_a_date_and_of_a_service(incidents):
    kept = filter_incidents(incidents, since=date(2024, 6, 10), service="checkout-api")

    assert [i.id for i in kept] == [
        "2024-07-30-db-outage",
        "2024-07-02-cert-expiry",
        "2024-06-10-deploy",
    ]


def test_text_report_fits_100_columns_even_with_long_names(schema):
    long_name = "a-very-long-service-name-" * 6
    incident = make_incident(
        "2024-01-01-long",
        datetime(2024, 1, 1, tzinfo=UTC),
        services=(long_name,),
        detect=timedelta(days=123, hours=23),
        mitigate=timedelta(days=123, hours=23, minutes=59),
        resolve=timedelta(days=300, hours=23),
    )

    text = text_report(figures([incident], schema))

    assert max(len(line) for line in text.splitlines()) <= 100
    assert any(line.startswith("a-very-long") and "…" in line for line in text.splitlines())


def test_no_incidents_gives_a_page_without_charts(schema):
    page = stats_page(render.environment(), [], schema, TODAY)

    assert "No incidents yet." in page
    assert "<svg" not in page
