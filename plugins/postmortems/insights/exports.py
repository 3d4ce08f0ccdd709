"""Machine-readable exports: ``incidents.json``, ``incidents.csv`` and an Atom feed.

Each function returns the file's text; the site plugin writes it.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ..core import derive
from ..core.model import Incident
from ..core.timestamps import build_date, rfc3339, source_date_epoch
from ..core.urls import absolute_url, incident_page, page_url
from ..similarity import Match

ATOM = "http://www.w3.org/2005/Atom"
CSV_COLUMNS = (
    "id",
    "title",
    "status",
    "severity",
    "services",
    "category",
    "started_at",
    "detected_at",
    "mitigated_at",
    "resolved_at",
    "duration_seconds",
    "time_to_detect_seconds",
    "time_to_mitigate_seconds",
    "time_to_resolve_seconds",
    "action_items",
    "open_action_items",
    "overdue_action_items",
    "url",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def generated_at(today: date) -> str:
    """The export's timestamp: the ``SOURCE_DATE_EPOCH`` instant, else ``today`` at 00:00 UTC."""
    return rfc3339(source_date_epoch() or datetime.combine(today, time(), tzinfo=UTC))


def incident_url(incident: Incident, site_url: str | None) -> str:
    """The incident page: ``incidents/<id>/``, absolute under ``site_url`` when one is given."""
    relative = page_url(incident_page(incident.id))
    return absolute_url(site_url, relative) if site_url else relative


def _seconds(delta: timedelta | None) -> int | float | None:
    if delta is None:
        return None
    seconds = delta.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


def _plain(value: Any) -> Any:
    """A YAML value as JSON: timestamps and dates as strings, any other odd value as text."""
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def derived(incident: Incident, *, today: date, site_url: str | None) -> dict[str, Any]:
    """The values computed from an incident, as exported."""
    return {
        "duration_seconds": _seconds(derive.duration(incident)),
        "time_to_detect_seconds": _seconds(derive.time_to_detect(incident)),
        "time_to_mitigate_seconds": _seconds(derive.time_to_mitigate(incident)),
        "time_to_resolve_seconds": _seconds(derive.time_to_resolve(incident)),
        "year": incident.started_at.year,
        "month": incident.started_at.month,
        "url": incident_url(incident, site_url),
        "open_action_items": len(derive.open_action_items(incident)),
        "overdue_action_items": len(derive.overdue_action_items(incident, today)),
    }


Memo = Callable[[Sequence[object], Callable[[], str]], str]
"""A text kept under its inputs, or made and kept (``site.pages.StoredPages.content``)."""


def incidents_json(
    incidents: Sequence[Incident],
    *,
    similar: Mapping[str, Sequence[str]],
    today: date,
    site_url: str | None,
    memo: Memo | None = None,
) -> Iterator[str]:
    """``incidents.json`` in pieces, one record at a time (at 10,000 incidents the whole text
    is ~100 MB: joined, it would be held two or three times over): every field of every
    incident plus its derived values; each record through ``memo`` when given (a rebuild after
    one edit makes one record)."""

    def record(incident: Incident, similar_ids: list[str]) -> str:
        values = derived(incident, today=today, site_url=site_url)
        entry = _plain(incident.data) | values | {"similar": similar_ids}
        return json.dumps(entry, indent=2, ensure_ascii=False).replace("\n", "\n    ")

    yield f'{{\n  "generated": {json.dumps(generated_at(today))},\n  "incidents": '
    if not incidents:
        yield "[]"
    for number, incident in enumerate(incidents):
        similar_ids = list(similar.get(incident.id, ()))
        made = functools.partial(record, incident, similar_ids)
        inputs = ("incidents.json", incident, similar_ids, today, site_url)
        yield "[\n    " if number == 0 else ",\n    "
        yield made() if memo is None else memo(inputs, made)
    if incidents:
        yield "\n  ]"
    yield "\n}\n"


def _cell(value: Any) -> Any:
    """A CSV cell; text that a spreadsheet would run as a formula gets a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def incidents_csv(
    incidents: Sequence[Incident], *, site_url: str | None, today: date | None = None
) -> str:
    """``incidents.csv``: one row per incident; overdue as of ``today`` (default: build date)."""
    today = today or build_date()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for incident in incidents:
        values = derived(incident, today=today, site_url=site_url)
        row = {
            "id": incident.id,
            "title": incident.title,
            "status": incident.status,
            "severity": incident.severity,
            "services": ";".join(incident.services),
            "category": incident.category,
            **{name: _plain(incident.data.get(name)) for name in CSV_COLUMNS[6:10]},
            **values,
            "action_items": len(incident.action_items),
        }
        writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])
    return buffer.getvalue()


def _xml(text: object) -> str:
    """Text without the characters XML 1.0 cannot hold."""
    return _XML_ILLEGAL.sub("\ufffd", str(text))


def _sub(parent: ET.Element, tag: str, text: object = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {name: _xml(value) for name, value in attributes.items()})
    if text is not None:
        element.text = _xml(text)
    return element


def _tag_authority(site_name: str) -> str:
    return _NOT_SLUG.sub("-", site_name.casefold()).strip("-") or "postmortems"


def atom_feed(
    incidents: Sequence[Incident], *, site_url: str | None, site_name: str, today: date
) -> str:
    """An Atom 1.0 feed of incidents, newest first.

    Entry ids are the absolute page URLs when ``site_url`` is known, else tag URIs
    (``tag:<site-name>,<start date>:<id>``), which never change for an incident.
    """
    authority = _tag_authority(site_name)
    newest = sorted(incidents, key=lambda incident: incident.started_at, reverse=True)

    def updated(incident: Incident) -> datetime:
        return incident.resolved_at or incident.started_at

    feed = ET.Element("feed", {"xmlns": ATOM})
    _sub(feed, "id", f"{site_url.rstrip('/')}/" if site_url else f"tag:{authority},2000:incidents")
    _sub(feed, "title", f"{site_name}: incidents", type="text")
    last = max(map(updated, newest), default=None)
    _sub(feed, "updated", rfc3339(last) if last else generated_at(today))
    _sub(_sub(feed, "author"), "name", site_name)
    if site_url:
        _sub(feed, "link", rel="self", href=f"{site_url.rstrip('/')}/feed.xml")
        _sub(feed, "link", rel="alternate", href=f"{site_url.rstrip('/')}/")
    for incident in newest:
        entry = _sub(feed, "entry")
        url = incident_url(incident, site_url)
        started = incident.started_at.date().isoformat()
        _sub(entry, "id", url if site_url else f"tag:{authority},{started}:{incident.id}")
        _sub(entry, "title", incident.title, type="text")
        _sub(entry, "link", rel="alternate", href=url)
        _sub(entry, "published", rfc3339(incident.started_at))
        _sub(entry, "updated", rfc3339(updated(incident)))
        _sub(entry, "summary", incident.data.get("summary", ""), type="text")
        _sub(entry, "category", term=incident.severity)
        _sub(entry, "category", term=incident.category)
    ET.indent(feed)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


JSON_EXPORT, CSV_EXPORT, FEED_EXPORT = "incidents.json", "incidents.csv", "feed.xml"
EXPORT_NAMES = (JSON_EXPORT, CSV_EXPORT, FEED_EXPORT)
"""The export files of a site (``site_exports``), at its root."""


def site_exports(
    incidents: Sequence[Incident],
    similar: Mapping[str, Sequence[Match]],
    *,
    today: date,
    site_url: str | None,
    site_name: str,
    memo: Memo | None = None,
) -> dict[str, Iterable[str]]:
    """Every export file of a site, by its path at the site root, as pieces of text to write
    one after the other (each is made while it is written)."""
    similar_ids = {key: [match.id for match in matches] for key, matches in similar.items()}
    return {
        JSON_EXPORT: incidents_json(
            incidents, similar=similar_ids, today=today, site_url=site_url, memo=memo
        ),
        CSV_EXPORT: _lazily(
            functools.partial(incidents_csv, incidents, site_url=site_url, today=today)
        ),
        FEED_EXPORT: _lazily(
            functools.partial(
                atom_feed, incidents, site_url=site_url, site_name=site_name, today=today
            )
        ),
    }


def _lazily(make: Callable[[], str]) -> Iterator[str]:
    """``make()``, made when first read."""
    yield make()
