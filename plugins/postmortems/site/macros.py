"""Data and macros for hand-written pages, through mkdocs-macros (names prefixed ``pm_``).

Registered on every build, so ``mkdocs serve`` always shows current data. Incident text in
the tables the macros return goes through the same escaping as generated pages, and every
string in ``pm_incidents`` is escaped text (``markdown.inline``): a hand-written page can print
any of them without running or rendering what an incident file holds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, overload

import jinja2
from mkdocs.config.defaults import MkDocsConfig

from ..core.collection import Collection
from ..core.model import Incident
from ..core.vocabulary import vocabulary
from ..insights import exports
from ..insights.stats import filter_incidents
from ..similarity import Recurrence
from . import markdown
from .pages import index_rows

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
    _quiet_setup_messages()
    macros = _Macros(macros_plugin, collection, env, recurrences)
    macros_plugin.register_variables(
        {
            "pm_incidents": _InertIncidents(collection.incidents, today, config.site_url or None),
            "pm_build_date": today.isoformat(),
        }
    )
    macros_plugin.register_macros(
        {
            "pm_incident_table": macros.incident_table,
            "pm_count": macros.count,
            "pm_severities": lambda: vocabulary(collection.schema, "severity"),
            "pm_escape": markdown.inline,
        }
    )


@dataclass(frozen=True, repr=False)
class _Macros:
    """The ``pm_`` macros that select incidents, over one build's collection. No ``repr`` of its
    own: mkdocs-macros writes every macro (its object's repr with it) as JSON on each build."""

    macros_plugin: Any
    collection: Collection
    env: jinja2.Environment
    recurrences: Mapping[str, Recurrence]

    def incident_table(
        self,
        service: str | None = None,
        category: str | None = None,
        since: str | date | None = None,
        limit: int | None = None,
        severity: str | None = None,
        status: str | None = None,
    ) -> str:
        """A table of incidents, newest first, linked to their pages."""
        chosen = _select(self.collection, service, category, severity, since, status)[:limit]
        if not chosen:
            return "*No incidents match.*"
        rows = index_rows(chosen, self.collection.schema, self.recurrences)
        page = getattr(self.macros_plugin, "page", None)
        page_src = page.file.src_uri if page is not None else "index.md"
        table = self.env.from_string(_TABLE).render(rows=rows, page_src=page_src)
        return markdown.without_built_marks(table)

    def count(
        self,
        service: str | None = None,
        category: str | None = None,
        severity: str | None = None,
        since: str | date | None = None,
        status: str | None = None,
    ) -> int:
        """How many incidents match."""
        return len(_select(self.collection, service, category, severity, since, status))


def _quiet_setup_messages() -> None:
    """Keep mkdocs-macros' setup chatter out of a normal build (``--verbose`` keeps it)."""
    chatter = logging.getLogger(_MACROS_LOGGER)
    if not chatter.isEnabledFor(logging.DEBUG):
        chatter.setLevel(logging.WARNING)


def _select(
    collection: Collection,
    service: str | None,
    category: str | None,
    severity: str | None,
    since: str | date | None,
    status: str | None,
) -> list[Incident]:
    """The incidents a macro's filters name (``since`` as a date or ``YYYY-MM-DD``)."""
    start = date.fromisoformat(since) if isinstance(since, str) else since
    return filter_incidents(
        collection.incidents,
        since=start,
        service=service,
        category=category,
        severity=severity,
        status=status,
    )


class _InertIncidents(Sequence[Mapping[str, Any]]):
    """``pm_incidents``: every incident's data and derived values, each string escaped, made
    when a page reads it (most pages read none, or a field or two of each)."""

    def __init__(self, incidents: Sequence[Incident], today: date, site_url: str | None) -> None:
        self._incidents, self._today, self._site_url = incidents, today, site_url

    def __len__(self) -> int:
        return len(self._incidents)

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> Mapping[str, Any] | Sequence[Mapping[str, Any]]:
        if isinstance(index, slice):
            return [self[number] for number in range(*index.indices(len(self)))]
        return _InertIncident(self._incidents[index], self._today, self._site_url)


class _InertIncident(Mapping[str, Any]):
    """One incident of ``pm_incidents``: its fields, then its derived values; a key that is not
    a plain name (an ``x-`` key may hold anything) is shown, and looked up, escaped."""

    def __init__(self, incident: Incident, today: date, site_url: str | None) -> None:
        self._incident, self._today, self._site_url = incident, today, site_url
        self._derived: dict[str, Any] | None = None

    def _values(self) -> dict[str, Any]:
        if self._derived is None:
            self._derived = exports.derived(
                self._incident, today=self._today, site_url=self._site_url
            )
        return self._derived

    def __getitem__(self, key: str) -> Any:
        data = self._incident.data
        raw = key if key in data else next((name for name in data if _shown(name) == key), key)
        return _inert(data[raw] if raw in data else self._values()[raw])

    def __iter__(self) -> Iterator[str]:
        data = self._incident.data
        yield from map(_shown, data)
        yield from (key for key in self._values() if key not in data)

    def __len__(self) -> int:
        return sum(1 for _ in self)


_NAME = re.compile(r"[A-Za-z0-9_.-]+")
"""A key shown as it is: every field of the schema, and ``x-`` keys of this form."""


def _shown(key: str) -> str:
    return key if _NAME.fullmatch(key) else markdown.inline(key)


def _inert(value: Any) -> Any:
    """``value`` with every string escaped for display in Markdown (keys too, unless plain
    names: see ``_shown``)."""
    if isinstance(value, str):
        return markdown.inline(value)
    if isinstance(value, dict):
        return {_shown(key): _inert(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_inert(item) for item in value]
    return value
