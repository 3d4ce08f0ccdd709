"""The follow-up pages (statistics, action items, data quality): the insights' figures as Markdown
and inline SVG charts."""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import jinja2

from ..core.derive import OPEN_ACTION_STATUSES
from ..core.vocabulary import Term
from ..insights import charts
from ..insights.actions import ActionRow, owner_counts, statuses
from ..insights.quality import Report
from ..insights.stats import CHART_LIMIT, DIMENSIONS, MEASURES, Counted, Figures, figures_of
from ..insights.stats_text import duration
from .render import render

STATS_PAGE = "stats.md"
ACTION_ITEMS_PAGE = "action-items.md"
QUALITY_PAGE = "quality.md"


def stats_page(
    env: jinja2.Environment, rows: Sequence[Counted], schema: Mapping[str, Any], today: date
) -> str:
    """The Markdown of the ``stats`` page, of the incidents ``rows`` count (see ``counted``)."""
    result = figures_of(rows, schema)
    return render(
        env,
        "stats.md.j2",
        page_src=STATS_PAGE,
        figures=result,
        charts=_charts(result) if rows else {},
        measures=MEASURES,
        dimensions=DIMENSIONS,
        chart_limit=CHART_LIMIT,
        duration=duration,
        today=today,
    )


def action_status_src(status: str) -> str:
    """Where the page listing the action items of ``status`` is made (a folder of its own, like
    the root-cause pages: a status named ``index`` cannot take the overview's place)."""
    return f"action-items/{status}/index.md"


def action_items_figures(
    rows: Sequence[ActionRow], today: date, status_terms: Sequence[Term]
) -> dict[str, Any]:
    """What the ``action-items`` page shows of every action item ``rows`` holds: counts by
    status and owner, a link to each status's page (``status_terms``: the schema's action
    statuses). Plain values: the page is made again only when they change."""
    items = dict.fromkeys((term.value for term in status_terms), 0)
    items.update(Counter(row.status for row in rows))
    overdue = Counter(row.status for row in rows if row.overdue)
    return {
        "counts": {
            "total": len(rows),
            "incidents": len({id(row.incident) for row in rows}),  # one object per incident
            "overdue": overdue.total(),
            "unowned": sum(row.missing_owner for row in rows),
            "undated": sum(row.missing_due for row in rows),
        },
        "status_pages": [
            {
                "title": term.title,
                "page": action_status_src(term.value),
                "count": items[term.value],
                "overdue": overdue[term.value],
            }
            for term in status_terms
        ],
        "owners": owner_counts(rows),
        "status_titles": {term.value: term.title for term in status_terms},
        "status_counts": items,
        "statuses": statuses(rows),
        "today": today,
    }


def action_items_page(env: jinja2.Environment, figures: Mapping[str, Any]) -> str:
    """The Markdown of the ``action-items`` page (see ``action_items_figures``)."""
    return render(env, "action-items.md.j2", page_src=ACTION_ITEMS_PAGE, **figures)


def action_status_rows(rows: Sequence[ActionRow]) -> dict[str, list[ActionRow]]:
    """The action items among ``rows`` by status, each status's in the order its page lists
    them: overdue first."""
    by_status: dict[str, list[ActionRow]] = {}
    for row in rows:
        by_status.setdefault(row.status, []).append(row)
    for listed in by_status.values():
        listed.sort(key=operator.attrgetter("follow_up_order"))
    return by_status


def action_status_page(
    env: jinja2.Environment, rows: Sequence[ActionRow], today: date, status: Term
) -> str:
    """The Markdown of the page listing ``rows``, the action items of ``status`` in their order
    (see ``action_status_rows``)."""
    return render(
        env,
        "action-items-status.md.j2",
        page_src=action_status_src(status.value),
        finished=status.value not in OPEN_ACTION_STATUSES,
        status=status,
        rows=rows,
        overview=ACTION_ITEMS_PAGE,
        today=today,
    )


def quality_page(env: jinja2.Environment, found: Report) -> str:
    """The Markdown of the ``quality`` page, of the report ``found``."""
    return render(env, "quality.md.j2", report=found, page_src=QUALITY_PAGE)


def _charts(result: Figures) -> dict[str, str]:
    """Every chart of the statistics page, as inline SVG."""
    return {
        "months": _months_chart(result),
        **{name: _group_chart(result, name, title) for name, title in _GROUP_CHARTS},
        **{
            f"durations-{name}": _durations_chart(result, name, title) for name, title in DIMENSIONS
        },
    }


_GROUP_CHARTS = (("category", "root-cause category"), ("service", "service"))


def _months_chart(result: Figures) -> str:
    """Incidents per month, one stacked segment per severity that occurs."""
    present = [t for t in result.severities if any(m.counts[t.value] for m in result.months)]
    series = [
        charts.Series(
            term.title, charts.colour(index), [m.counts[term.value] for m in result.months]
        )
        for index, term in enumerate(result.severities)
        if term in present
    ]
    return charts.responsive(
        lambda width: charts.stacked_bars(
            "pm-chart-months",
            "Incidents per month by severity",
            "Stacked bars, one per month, one segment per severity; "
            "the table below gives the numbers.",
            [m.month for m in result.months],
            series,
            width,
        )
    )


def _group_chart(result: Figures, name: str, title: str) -> str:
    """Incidents per value of one dimension, longest bar first."""
    rows = [(g.label, g.incidents) for g in result.groups[name][:CHART_LIMIT]]
    return charts.responsive(
        lambda width: charts.horizontal_bars(
            f"pm-chart-{name}",
            f"Incidents by {title}",
            f"Horizontal bars, one per {title}, longest first; the table below gives the numbers.",
            rows,
            charts.colour(2),
            width,
        )
    )


def _durations_chart(result: Figures, name: str, title: str) -> str:
    """Median and 90th percentile of each measure, per value of one dimension."""
    legend = [(label, charts.colour(n + 2)) for n, (_, label, _) in enumerate(MEASURES)]
    groups = [
        (
            group.label,
            [
                charts.Range(label, colour, spread.median, spread.p90)
                if (spread := group.spreads[measure]).median is not None and spread.p90 is not None
                else None
                for (measure, label, _), (_, colour) in zip(MEASURES, legend, strict=True)
            ],
        )
        for group in result.groups[name][:CHART_LIMIT]
    ]
    return charts.responsive(
        lambda width: charts.duration_ranges(
            f"pm-chart-durations-{name}",
            f"Time to detect, mitigate and resolve by {title.lower()}",
            "For each group, one line per measure from the median (dot) to the 90th percentile "
            "(tick) on a logarithmic time axis; the table below gives the numbers.",
            [(label, ranges) for label, ranges in groups if any(ranges)],
            legend,
            width,
        )
    )
