"""The Markdown of every generated page: incidents, and indexes by service, root cause and date.

Pure core: takes a collection and returns ``GeneratedPage`` objects; the MkDocs plugin (or any
other site generator) turns them into files. Paths are kept stable: other tools link to them.
"""

from __future__ import annotations

import calendar
import functools
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import jinja2

from ..core import derive
from ..core.cache import Carried, Listing, TextStore, derived_digest, fingerprint
from ..core.collection import Collection
from ..core.model import Incident
from ..core.urls import incident_page
from ..core.vocabulary import VOCABULARIES, titles, vocabulary
from ..insights.actions import ActionRow, rows_by_incident
from ..insights.quality import report
from ..insights.stats import counted
from ..similarity import Match, Recurrence, SimilarityIndex
from . import render
from .fragments import Fragments
from .insight_pages import (
    ACTION_ITEMS_PAGE,
    QUALITY_PAGE,
    STATS_PAGE,
    action_items_figures,
    action_items_page,
    action_status_page,
    action_status_rows,
    action_status_src,
    quality_page,
    stats_page,
)
from .markdown import FieldRenderer

INDEX_PAGES = (
    "incidents/index.md",
    "services/index.md",
    "root-causes/index.md",
    "failure-modes/index.md",
    "timeline/index.md",
    STATS_PAGE,
    ACTION_ITEMS_PAGE,
    QUALITY_PAGE,
)
"""The generated pages the nav lists: the indexes, never a page per incident, service or term
(every page in the nav carries the whole nav)."""


@dataclass(frozen=True)
class GeneratedPage:
    """One page of the site: where it goes, its Markdown (made when first read), and the
    incident file it shows."""

    src_uri: str
    key: bytes
    """A digest of everything the page shows, templates included when ``site_pages`` is given
    ``stored`` (its signature): two such pages with one key have the same Markdown (a preview's
    rebuild leaves pages with the last build's key as they were, unmade)."""
    make: Callable[[], str] = field(repr=False, compare=False)
    source: str | None = None
    """The incident file the page shows (for its edit link), when there is one."""

    @property
    def in_nav(self) -> bool:
        """Whether the nav lists the page (``INDEX_PAGES``)."""
        return self.src_uri in INDEX_PAGES

    @functools.cached_property
    def content(self) -> str:
        """The page's Markdown."""
        return self.make()


@dataclass(frozen=True)
class StoredPages:
    """Generated pages' Markdown kept between builds, under a key of everything they show."""

    store: TextStore
    signature: bytes
    """What every page depends on: the templates, field rendering and URL style."""

    def key(self, inputs: Sequence[object]) -> bytes:
        """The key of a text made from ``inputs`` (every value it shows)."""
        return fingerprint(self.signature, *inputs)

    def content(self, inputs: Sequence[object], rendered: Callable[[], str]) -> str:
        """The Markdown stored under ``inputs`` (every value the page shows), or ``rendered()``,
        stored for the next build."""
        return self.text(self.key(inputs), rendered)

    def text(self, key: bytes, rendered: Callable[[], str]) -> str:
        """The text stored under ``key``, or ``rendered()``, stored for the next build."""
        content = self.store.get(key)
        if content is None:
            content = rendered()
            self.store.put(key, content)
        return content


@dataclass(frozen=True)
class _Pages:
    """Renders generated pages, from ``stored`` when it has them."""

    env: jinja2.Environment
    stored: StoredPages

    def page(
        self,
        src_uri: str,
        template: str,
        *,
        source: str | None = None,
        **context: Any,
    ) -> GeneratedPage:
        """The page at ``src_uri`` rendered from ``template`` (which learns its own
        ``page_src``). ``context`` is every value the page shows, and only values (see
        ``core.cache.stable_repr``; an incident stands for itself by its digest)."""
        inputs = (template, context)
        return self.stored_page(src_uri, inputs, template, source, lambda: context)

    def stored_page(
        self,
        src_uri: str,
        inputs: Sequence[object],
        template: str,
        source: str | None,
        context: Callable[[], Mapping[str, Any]],
    ) -> GeneratedPage:
        """The page at ``src_uri`` from ``template`` and ``context()``, or from ``stored`` under
        ``inputs`` (which then decide everything the page shows)."""

        def rendered() -> str:
            return render.render(self.env, template, page_src=src_uri, **context())

        return self.generated(src_uri, inputs, rendered, source)

    def generated(
        self,
        src_uri: str,
        inputs: Sequence[object],
        rendered: Callable[[], str],
        source: str | None = None,
    ) -> GeneratedPage:
        """The page at ``src_uri``: ``rendered()``, or what ``stored`` keeps under ``inputs``."""
        key = self.stored.key((src_uri, *inputs))
        return GeneratedPage(src_uri, key, lambda: self.stored.text(key, rendered), source)


@dataclass(frozen=True)
class Row:
    """An incident as one row of an index table."""

    incident: Incident
    category_title: str
    duration: timedelta | None
    repeat: bool
    status_title: str
    digest: bytes = field(default=b"", compare=False)
    """Of all the above, when the incident has one: a page's key names each row by it."""


def index_rows(
    incidents: Sequence[Incident],
    schema: dict[str, Any],
    recurrences: Mapping[str, Recurrence],
    kept: Carried[bytes, Row | None] | None = None,
) -> Listing:
    """``incidents`` as rows of an index table, their category and status named as the schema
    names them. With ``kept``, an incident's row of the last call is reused while it is the same
    object with the same names and repeat flag (a preview's rebuild lists 10,000 rows)."""
    categories, statuses = titles(schema, "rootCauseCategory"), titles(schema, "status")
    carried = kept if kept is not None else Carried()
    carried.start((categories, statuses))
    rows = []
    for incident in incidents:
        repeat = incident.id in recurrences
        row = carried.get(incident.digest, lambda: None) if incident.digest else None
        if row is None or row.incident is not incident or row.repeat != repeat:
            row = _index_row(incident, repeat, categories, statuses)
            if incident.digest:
                carried.put(incident.digest, row)
        rows.append(row)
    return Listing(rows)


def _index_row(
    incident: Incident, repeat: bool, categories: Mapping[str, str], statuses: Mapping[str, str]
) -> Row:
    values = (
        categories.get(incident.category, incident.category),
        derive.duration(incident),
        repeat,
        statuses.get(incident.status, incident.status),
    )
    # Plain values (strings, a timedelta, a bool): their repr is their state.
    digest = derived_digest(incident.digest, repr(values).encode())
    return Row(incident, *values, digest=digest)


_rows: Carried[bytes, Row | None] = Carried()
"""Each incident's index row by its digest, for the next ``site_pages`` (a preview's rebuild)."""


def forget() -> None:
    """Keep no rows for a next ``site_pages`` (after a build that is not a preview's: memory
    for pages)."""
    _rows.forget()


def site_pages(
    collection: Collection,
    env: jinja2.Environment,
    *,
    today: date,
    similar: Mapping[str, Sequence[Match]],
    recurrences: Mapping[str, Recurrence],
    told: Mapping[str, Sequence[str]] | None = None,
    stored: StoredPages | None = None,
) -> Generator[GeneratedPage, None, None]:
    """Every generated page for ``collection``, one at a time (a site of 10,000 incidents
    need not hold every page at once); ``told`` is the failure modes each incident's story
    tells (from ``all_similar``), listed on the failure-mode pages. A page comes from
    ``stored`` when every input of it is as it was."""
    pages = _Pages(env, stored or StoredPages(TextStore(None), b""))
    terms = {
        name: {t.value: t.title for t in vocabulary(collection.schema, name)}
        for name in VOCABULARIES
    }
    catalog = collection.catalog or {}
    site = fingerprint(terms, {slug: entry.get("name") for slug, entry in catalog.items()})
    rows = index_rows(collection.incidents, collection.schema, recurrences, _rows)
    incident_actions = rows_by_incident(collection.incidents, today)
    for incident, own_actions in zip(collection.incidents, incident_actions, strict=True):
        yield _incident_page(
            pages, site, incident, own_actions, collection, terms, catalog, similar, recurrences
        )
    yield pages.page("incidents/index.md", "incidents.md.j2", rows=rows)
    yield from _service_pages(pages, rows, catalog)
    yield from _root_cause_pages(pages, rows, collection.schema)
    yield from _failure_mode_pages(pages, rows, collection.schema, told or {})
    yield from _timeline_pages(pages, rows)
    incidents, schema = collection.incidents, collection.schema
    # Each follow-up page is keyed by what it shows (a title edit leaves the statistics, and
    # the action-item pages of other incidents' items, as they were).
    figured = counted(incidents)
    shown = fingerprint("".join(map(tuple.__repr__, figured)))  # plain values: their state
    yield pages.generated(
        STATS_PAGE,
        (shown, fingerprint(schema), today),
        lambda: stats_page(env, figured, schema, today),
    )
    action_statuses = vocabulary(dict(schema), "actionStatus")
    actions = [row for own in incident_actions for row in own]
    overview = action_items_figures(actions, today, action_statuses)
    yield pages.generated(ACTION_ITEMS_PAGE, (overview,), lambda: action_items_page(env, overview))
    by_status = action_status_rows(actions)
    for status in action_statuses:
        listed = by_status.get(status.value, [])
        yield pages.generated(
            action_status_src(status.value),
            (status, today, Listing(listed)),
            functools.partial(action_status_page, env, listed, today, status),
        )
    found = report(incidents, today)
    yield pages.generated(QUALITY_PAGE, (found,), lambda: quality_page(env, found))


def template_environment(
    overrides: Mapping[str, str] | None = None,
    *,
    directory_urls: bool = True,
    fields: FieldRenderer | None = None,
    fragments: Fragments | None = None,
) -> jinja2.Environment:
    """The template environment with the helpers incident pages use.

    ``fields`` renders Markdown fields; give it the site's Markdown extensions. ``fragments``
    keeps listings' rows between a preview's rebuilds.
    """
    env = render.environment(
        overrides, directory_urls=directory_urls, fields=fields, fragments=fragments
    )
    env.filters["plain"] = _plain
    return env


def _plain(value: Any) -> str:
    return (
        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    )


def _incident_page(
    pages: _Pages,
    site: bytes,
    incident: Incident,
    actions: Sequence[ActionRow],
    collection: Collection,
    terms: Mapping[str, Mapping[str, str]],
    catalog: Mapping[str, Mapping[str, Any]],
    similar: Mapping[str, Sequence[Match]],
    recurrences: Mapping[str, Recurrence],
) -> GeneratedPage:
    """The incident's page (``actions``: its action items as rows, as of the build's day);
    ``site`` is a digest of what it shows of the ``terms`` and ``catalog`` (services' names)."""
    related = [other for other in map(collection.get, incident.related) if other is not None]
    recurrence = recurrences.get(incident.id)
    earlier = collection.get(recurrence.earlier_id) if recurrence else None
    overdue = [row.action for row in actions if row.overdue]
    found = similar.get(incident.id, [])
    if related:
        related_ids = {other.id for other in related}
        found = [match for match in found if match.id not in related_ids]
    matches = list(found)
    recurring = {**vars(recurrence), "title": earlier.title} if recurrence and earlier else None
    # One digest of bytes: the incidents and matches by their digests (16 bytes each), plain
    # values (numbers, strings) by their repr, which is their state and costs less than
    # ``stable_repr``'s walk (10,000 pages); a match without a digest by its fields.
    digests = [match.digest for match in matches]
    shown = (
        repr([row.position for row in actions if row.overdue]).encode() if overdue else b"",
        b"".join(digests) if all(digests) else repr([vars(m) for m in matches]).encode(),
        repr(recurring).encode() if recurring else b"",  # a repr holds no lone surrogate
    )
    inputs = (
        fingerprint(
            site, *[other.digest or _incident_data(other) for other in (incident, *related)], *shown
        ),
    )
    src_uri = incident_page(incident.id)
    return pages.stored_page(
        src_uri,
        inputs,
        "incident.md.j2",
        incident.source_uri,
        lambda: {
            "incident": incident,
            "terms": terms,
            "root": "../../",
            "service_name": lambda slug: catalog.get(slug, {}).get("name", slug),
            "derived": {
                "duration": derive.duration(incident),
                "time_to_detect": derive.time_to_detect(incident),
                "time_to_mitigate": derive.time_to_mitigate(incident),
                "overdue": overdue,
            },
            "similar": matches,
            "related": related,
            "recurrence": recurring,
            "extensions": [*incident.extensions.items(), *_nested_extensions(incident.data, "")],
        },
    )


def _incident_data(incident: Incident) -> bytes:
    """An incident without a digest, by everything it holds (``x-`` fields in file order)."""
    data = [incident.data, incident.source, incident.source_uri, incident.extensions]
    return json.dumps(data, default=str).encode()


def _nested_extensions(value: Any, path: str) -> list[tuple[str, Any]]:
    """``x-`` keys inside fields (``action_items[0].x-epic``), with their paths, in file order."""
    found: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("x-"):
                if path:
                    found.append((f"{path}.{key}", item))
            else:
                found += _nested_extensions(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _nested_extensions(item, f"{path}[{index}]")
    return found


def _service_pages(
    pages: _Pages, rows: Sequence[Row], catalog: Mapping[str, Mapping[str, Any]]
) -> list[GeneratedPage]:
    by_service: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        for service in row.incident.services:
            by_service[service].append(row)
    services = []
    for slug in sorted(set(by_service) | set(catalog)):
        entry = catalog.get(slug, {})
        service_rows = Listing(by_service.get(slug, ()))
        durations = [
            row.duration.total_seconds() for row in service_rows if row.duration is not None
        ]
        median = derive.median(durations)
        services.append(
            {
                "slug": slug,
                "name": entry.get("name", slug),
                "owner": entry.get("owner"),
                "tier": entry.get("tier"),
                "description": entry.get("description"),
                "repository": entry.get("repository"),
                "rows": service_rows,
                "median_duration": timedelta(seconds=median) if median is not None else None,
            }
        )
    services.sort(key=lambda service: (str(service["name"]).casefold(), service["slug"]))
    built = [pages.page("services/index.md", "services.md.j2", services=services)]
    built += [
        pages.page(f"services/{service['slug']}/index.md", "service.md.j2", service=service)
        for service in services
    ]
    return built


def _root_cause_pages(
    pages: _Pages, rows: Sequence[Row], schema: Mapping[str, Any]
) -> list[GeneratedPage]:
    by_category: dict[str, list[Row]] = defaultdict(list)
    contributing: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_category[row.incident.category].append(row)
        for category in row.incident.contributing_categories:
            contributing[category].append(row)
    groups = {"rows": by_category, "contributing": contributing}
    names = ("root-causes", "categories", "root-cause", "category")
    return _term_pages(pages, schema, "rootCauseCategory", names, groups)


def _failure_mode_pages(
    pages: _Pages,
    rows: Sequence[Row],
    schema: Mapping[str, Any],
    told: Mapping[str, Sequence[str]],
) -> list[GeneratedPage]:
    by_mode: dict[str, list[Row]] = defaultdict(list)
    by_story: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        for mode in row.incident.failure_modes:
            by_mode[mode].append(row)
        for mode in told.get(row.incident.id, ()):
            if mode not in row.incident.failure_modes:
                by_story[mode].append(row)
    groups = {"rows": by_mode, "told": by_story}
    names = ("failure-modes", "modes", "failure-mode", "mode")
    return _term_pages(pages, schema, "failureMode", names, groups)


def _term_pages(
    pages: _Pages,
    schema: Mapping[str, Any],
    vocabulary_name: str,
    names: tuple[str, str, str, str],
    groups: Mapping[str, Mapping[str, list[Row]]],
) -> list[GeneratedPage]:
    """The index of a vocabulary's terms and a page per term, each term with its rows by group.

    ``names``: the folder and the index template's name (``<folder>.md.j2``), what the index
    template calls the terms, the term template's name (``<name>.md.j2``), what it calls its term.
    """
    folder, plural, template, singular = names
    terms: list[dict[str, Any]] = [
        {
            "value": term.value,
            "title": term.title,
            "description": term.description,
            **{group: Listing(by_term.get(term.value, ())) for group, by_term in groups.items()},
        }
        for term in vocabulary(dict(schema), vocabulary_name)
    ]
    index_context: dict[str, Any] = {plural: terms}
    built = [pages.page(f"{folder}/index.md", f"{folder}.md.j2", **index_context)]
    for term in terms:
        term_context: dict[str, Any] = {singular: term}
        built.append(
            pages.page(f"{folder}/{term['value']}/index.md", f"{template}.md.j2", **term_context)
        )
    return built


def _timeline_pages(pages: _Pages, rows: Sequence[Row]) -> list[GeneratedPage]:
    by_year: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_year[row.incident.started_at.year].append(row)
    ordered = sorted(by_year, reverse=True)
    years = []
    for position, year in enumerate(ordered):
        by_month: dict[int, list[Row]] = defaultdict(list)
        for row in by_year[year]:
            by_month[row.incident.started_at.month].append(row)
        severities = Counter(row.incident.severity for row in by_year[year])
        years.append(
            {
                "year": year,
                "rows": Listing(by_year[year]),
                "months": [
                    {
                        "name": f"{calendar.month_name[month]} {year}",
                        "anchor": f"{year}-{month:02}",
                        "rows": Listing(by_month[month]),
                    }
                    for month in sorted(by_month, reverse=True)
                ],
                "strip": [
                    {
                        "abbr": calendar.month_abbr[month],
                        "name": calendar.month_name[month],
                        "anchor": f"{year}-{month:02}",
                        "count": len(by_month.get(month, ())),
                    }
                    for month in range(1, 13)
                ],
                "severity_counts": ", ".join(
                    f"{name}: {count}" for name, count in sorted(severities.items())
                ),
                "previous": ordered[position + 1] if position + 1 < len(ordered) else None,
                "next": ordered[position - 1] if position > 0 else None,
            }
        )
    built = [pages.page("timeline/index.md", "timeline.md.j2", years=years)]
    built += [
        pages.page(f"timeline/{year['year']}/index.md", "year.md.j2", year=year) for year in years
    ]
    return built


def all_similar(
    collection: Collection, top: int
) -> tuple[dict[str, list[Match]], dict[str, Recurrence], dict[str, list[str]]]:
    """Similar incidents, possible repeats and the failure modes each incident's story tells,
    for every incident, computed once per build."""
    if not collection.incidents:
        return {}, {}, {}
    index = SimilarityIndex(collection.incidents, titles(dict(collection.schema), "failureMode"))
    similar = index.all_similar(top=top)
    recurrences = {
        incident.id: found
        for incident in collection.incidents
        if (found := index.recurrence(incident.id)) is not None
    }
    told = {incident.id: index.told(incident.id) for incident in collection.incidents}
    return similar, recurrences, told
