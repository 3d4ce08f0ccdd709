"""Rules across incident files: unique ids, ``related`` ids, catalog services, visibility."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .checking import Locator
from .problems import Problem


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
) -> list[Problem]:
    """Every cross-file problem among ``entries`` (and against the service catalog).

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
    for entry in entries:
        found += _related_problems(entry, visibility, locator)
        if catalog is not None:
            found += _service_problems(entry, catalog, locator)
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


def _service_problems(entry: Entry, catalog: Mapping[str, Any], locator: Locator) -> list[Problem]:
    found: list[Problem] = []
    services = entry.document.get("services")
    for index, service in enumerate(services if isinstance(services, list) else []):
        if isinstance(service, str) and service not in catalog:
            close = difflib.get_close_matches(service, list(catalog), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "add it to the service catalog first"
            found.append(
                locator.problem(
                    entry.path,
                    entry.display,
                    f"services[{index}]",
                    f"service '{service}' is not in the service catalog",
                    hint=hint,
                )
            )
    return found
