"""Index rows kept from one preview rebuild to the next (``pages.index_rows`` with ``kept``):
reused only for the same incident object, with the same names and repeat flag."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

from postmortems.core.cache import Carried
from postmortems.core.model import Incident
from postmortems.core.project import PACKAGED_SCHEMAS
from postmortems.similarity import Recurrence
from postmortems.site.pages import Row, index_rows

SCHEMA = json.loads((PACKAGED_SCHEMAS / "incident.schema.json").read_text(encoding="utf-8"))
REPEAT = {"2024-05-01-b": Recurrence("2024-05-01-a", 0.9, False, "the same disk filled")}


def incident(incident_id: str, digest: bytes, **fields: Any) -> Incident:
    data = {
        "id": incident_id,
        "title": f"Incident {incident_id}",
        "status": "final",
        "severity": "SEV2",
        "services": ["orders-db"],
        "started_at": datetime(2024, 5, 1, 9, tzinfo=UTC),
        "resolved_at": datetime(2024, 5, 1, 10, tzinfo=UTC),
        "root_cause": {"category": "capacity", "summary": "The disk filled."},
        **fields,
    }
    return Incident(
        data=data, source=f"{incident_id}.yaml", source_uri=f"{incident_id}.yaml", digest=digest
    )


def test_a_kept_row_is_reused_for_the_same_incident_until_anything_it_shows_changes() -> None:
    kept: Carried[bytes, Row | None] = Carried()
    first, second = incident("2024-05-01-a", b"a"), incident("2024-05-01-b", b"b")
    rows = index_rows([first, second], SCHEMA, {}, kept)
    again = index_rows([first, second], SCHEMA, {}, kept)
    assert again[0] is rows[0] and again[1] is rows[1]

    repeated = index_rows([first, second], SCHEMA, REPEAT, kept)
    assert repeated[0] is rows[0]
    assert repeated[1] is not rows[1] and repeated[1].repeat
    assert repeated[1].digest != rows[1].digest  # the pages listing it are made again

    loaded_again = dataclasses.replace(first)  # an equal incident, read again
    assert index_rows([loaded_again], SCHEMA, REPEAT, kept)[0].incident is loaded_again

    renamed = json.loads(json.dumps(SCHEMA))
    capacity = next(
        term
        for term in renamed["$defs"]["rootCauseCategory"]["oneOf"]
        if term.get("const") == "capacity"
    )
    capacity["title"] = "Room to grow"
    titled = index_rows([loaded_again], renamed, REPEAT, kept)[0]
    assert titled.category_title == "Room to grow"


def test_without_kept_rows_every_row_is_made_anew() -> None:
    first = incident("2024-05-01-a", b"a")
    assert index_rows([first], SCHEMA, {})[0] is not index_rows([first], SCHEMA, {})[0]
