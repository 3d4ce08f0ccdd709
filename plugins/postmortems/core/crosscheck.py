"""Rules across incident files: unique ids, ``related`` ids, catalog services, visibility."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .cache import Carried
from .checking import Locator
from .derive import OPEN_ACTION_STATUSES
from .problems import Problem
from .suggest import closest
from .validator import aware_timestamp


@dataclass(frozen=True)
class Entry:
    """A file that could be read: its path, how it is shown, and its document."""

    path: str
    display: str
    document: dict[str, Any]


def problems(
    entries: Sequence[Entry],
    catalog: Mapping[str, Any] | None,
    locator: Locator,
    unreadable_stems: Iterable[str] = (),
    catalog_name: str = "the service catalog",
    kept: Carried[tuple[str, str], tuple[object, list[Problem]] | None] | None = None,
) -> list[Problem]:
    """Every cross-file problem among ``entries`` (and against the service catalog ``catalog_name``
    names), and the warnings about each file (see :func:`_warnings`). With ``kept``, a file's
    warnings of the last call are reused while its document is the same object (``mkdocs serve``
    loads 10,000 unchanged files again after each save).

    A repeated id is blamed on the files after the first (in path order), naming the first:
    one message names both files, and the file that already held the id stays clean.
    ``unreadable_stems`` are the names of files that could not be read: ``related`` ids
    matching them are not reported again, as the unreadable file is already blamed.
    """
    found: list[Problem] = []
    by_id: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if isinstance(entry.document.get("id"), str):
            by_id[entry.document["id"]].append(entry)
    for incident_id, holders in by_id.items():
        first, *later = sorted(holders, key=lambda entry: entry.path)
        for entry in later:
            message = f"id '{incident_id}' is already used by {first.display}"
            found.append(
                locator.problem(entry.path, entry.display, "id", message, hint="ids must be unique")
            )
    visibility = {
        incident_id: holders[0].document.get("visibility", "internal")
        for incident_id, holders in by_id.items()
    }
    visibility.update({stem: "unknown" for stem in unreadable_stems if stem not in visibility})
    known = [slug for slug in catalog or {} if not slug.startswith("x-")]
    warned = kept if kept is not None else Carried()
    warned.start(None)
    for entry in entries:
        found += _related_problems(entry, visibility, locator)
        last = warned.get((entry.path, entry.display), lambda: None)
        if last is None or last[0] is not entry.document:
            last = (entry.document, _warnings(entry, locator))
            warned.put((entry.path, entry.display), last)
        found += last[1]
        if catalog is not None:
            found += _service_problems(entry, catalog, known, catalog_name, locator)
    return found


def _warnings(entry: Entry, locator: Locator) -> list[Problem]:
    """What is allowed but probably a slip: detected after resolved, open work nobody holds."""
    found: list[Problem] = []
    document = entry.document
    detected, resolved = (
        aware_timestamp(document.get("detected_at")),
        aware_timestamp(document.get("resolved_at")),
    )
    if detected and resolved and detected > resolved:
        found.append(
            locator.problem(
                entry.path,
                entry.display,
                "detected_at",
                f"is after resolved_at ({document['resolved_at']})",
                hint="check both times and their offsets",
                level="warning",
            )
        )
    actions = document.get("action_items")
    for index, action in enumerate(actions if isinstance(actions, list) else []):
        if (
            isinstance(action, dict)
            and isinstance(action.get("status"), str)  # other types are schema errors
            and action["status"] in OPEN_ACTION_STATUSES
            and not action.get("owner")
            and not action.get("due")
        ):
            found.append(
                locator.problem(
                    entry.path,
                    entry.display,
                    f"action_items[{index}]",
                    f"{action['status']} action item has neither owner nor due date",
                    hint="add an owner or a due date, so that it gets done",
                    level="warning",
                )
            )
    return found


def _related_problems(
    entry: Entry, visibility: Mapping[str, str], locator: Locator
) -> list[Problem]:
    found: list[Problem] = []
    own_id = entry.document.get("id")
    related = entry.document.get("related")
    public = entry.document.get("visibility") == "public"
    for index, other in enumerate(related if isinstance(related, list) else []):
        where = f"related[{index}]"
        if not isinstance(other, str):
            continue
        if other == own_id:
            found.append(
                locator.problem(
                    entry.path, entry.display, where, "an incident cannot be related to itself"
                )
            )
        elif other not in visibility:
            close = difflib.get_close_matches(other, list(visibility), n=1, cutoff=0.7)
            found.append(
                locator.problem(
                    entry.path,
                    entry.display,
                    where,
                    f"related incident '{other}' does not exist",
                    hint=f"did you mean '{close[0]}'?" if close else None,
                )
            )
        elif public and visibility[other] not in ("public", "unknown"):
            found.append(
                locator.problem(
                    entry.path,
                    entry.display,
                    where,
                    f"public incident relates to internal incident '{other}', "
                    "which the public site leaves out",
                    hint="make both public, or remove the link",
                    level="warning",
                )
            )
    return found


def _service_problems(
    entry: Entry,
    catalog: Mapping[str, Any],
    known: Sequence[str],
    catalog_name: str,
    locator: Locator,
) -> list[Problem]:
    found: list[Problem] = []
    services = entry.document.get("services")
    for index, service in enumerate(services if isinstance(services, list) else []):
        if isinstance(service, str) and service not in catalog:
            close = closest(service, known)
            hint = (
                f"did you mean '{close}'?"
                if close
                else f"{known_services(service, known)}; or add it to {catalog_name} first"
            )
            found.append(
                locator.problem(
                    entry.path,
                    entry.display,
                    f"services[{index}]",
                    f"service '{service}' is not in the service catalog {catalog_name}",
                    hint=hint,
                )
            )
    return found


_ALL_SERVICES = 10
"""Up to this many known services are all listed; beyond, the closest few and the count."""


def known_services(name: str, known: Sequence[str]) -> str:
    """``known services: a, b`` or, for a long catalog, ``closest of 40 known services: ...``."""
    if not known:
        return "the catalog lists no services yet"
    if len(known) <= _ALL_SERVICES:
        return f"known services: {', '.join(known)}"
    nearest = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
    if not nearest:
        return f"none of the {len(known)} known services is close"
    return f"closest of the {len(known)} known services: {', '.join(nearest)}"
