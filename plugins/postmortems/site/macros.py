"""Data and macros for hand-written pages, through mkdocs-macros (names prefixed ``pm_``).

Registered on every build, so ``mkdocs serve`` always shows current data. Incident text in
the tables the macros return goes through the same escaping as generated pages, and every
string in ``pm_incidents`` is escaped text (``markdown.inline``): a hand-written page can print
any of them without running or rendering what an incident file holds.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig

from ..core import derive
from ..insights import exports
from . import markdown
from ..core.collection import Collection
from ..core.model import Incident
from .pages import Row
from ..similarity import Recurrence
from ..core.vocabulary import vocabulary

# mkdocs-macros reports its setup at INFO whatever its `verbose` option says (mkdocs-macros 1.x).
_MACROS_LOGGER = "mkdocs.plugins.mkdocs_macros.util"
_TABLE = '{% from "_tables.md.j2" import incident_table with context %}{{ incident_table(rows) }}'


def register_macros(
    config: MkDocsConfig,
    collection: Collection,
    env: jinja2.Environment,
    *,
    today: date,
    recurrences: Mapping[str, Recurrence],
) -> None:
    """Give mkdocs-macros (when used) ``pm_incidents``, ``pm_incident_table``, ``pm_count``."""
    macros_plugin = config.plugins.get("macros")
    if macros_plugin is None:
        return
    chatter = logging.getLogger(_MACROS_LOGGER)
    if not chatter.isEnabledFor(logging.DEBUG):  # `mkdocs build --verbose` keeps it all
        chatter.setLevel(logging.WARNING)
    categories = {t.value: t.title for t in vocabulary(collection.schema, "rootCauseCategory")}
    statuses = {t.value: t.title for t in vocabulary(collection.schema, "status")}
    site_url = config.site_url or None

    def select(
        service: str | None = None,
        category: str | None = None,
        severity: str | None = None,
        since: str | date | None = None,
        status: str | None = None,
    ) -> list[Incident]:
        start = date.fromisoformat(since) if isinstance(since, str) else since
        return [
            incident
            for incident in collection.incidents
            if (service is None or service in incident.services)
            and (category is None or incident.category == category)
            and (severity is None or incident.severity == severity)
            and (start is None or incident.started_at.date() >= start)
            and (status is None or incident.status == status)
        ]

    def pm_incident_table(
        service: str | None = None,
        category: str | None = None,
        since: str | date | None = None,
        limit: int | None = None,
        severity: str | None = None,
        status: str | None = None,
    ) -> str:
        """A table of incidents, newest first, linked to their pages."""
        chosen = select(service, category, severity, since, status)[:limit]
        if not chosen:
            return "*No incidents match.*"
        rows = [
            Row(
                i,
                categories.get(i.category, i.category),
                derive.duration(i),
                i.id in recurrences,
                statuses.get(i.status, i.status),
            )
            for i in chosen
        ]
        page = getattr(macros_plugin, "page", None)
        page_src = page.file.src_uri if page is not None else "index.md"
        return env.from_string(_TABLE).render(rows=rows, page_src=page_src)

    def pm_count(
        service: str | None = None,
        category: str | None = None,
        severity: str | None = None,
        since: str | date | None = None,
        status: str | None = None,
    ) -> int:
        """How many incidents match."""
        return len(select(service, category, severity, since, status))

    incidents: list[dict[str, Any]] = [
        _inert({**incident.data, **exports.derived(incident, today=today, site_url=site_url)})
        for incident in collection.incidents
    ]
    macros_plugin.register_variables(
        {"pm_incidents": incidents, "pm_build_date": today.isoformat()}
    )
    macros_plugin.register_macros(
        {
            "pm_incident_table": pm_incident_table,
            "pm_count": pm_count,
            "pm_severities": lambda: vocabulary(collection.schema, "severity"),
            "pm_escape": markdown.inline,
        }
    )


def _inert(value: Any) -> Any:
    """``value`` with every string escaped for display in Markdown (keys kept as they are)."""
    if isinstance(value, str):
        return markdown.inline(value)
    if isinstance(value, dict):
        return {key: _inert(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_inert(item) for item in value]
    return value
