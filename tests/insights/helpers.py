"""Small hand-made incidents for the insights tests: built in memory, with tz-aware times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from postmortems.core.model import Incident
from postmortems.core.project import PACKAGED_SCHEMAS

SCHEMA_PATH = PACKAGED_SCHEMAS / "incident.schema.json"
UTC_MINUS_5 = timezone(timedelta(hours=-5))
TODAY = date(2024, 9, 1)


def make_incident(
    incident_id: str,
    started_at: datetime,
    *,
    severity: str = "SEV2",
    services: tuple[str, ...] = ("checkout-api",),
    category: str = "software-bug",
    detect: timedelta | None = None,
    mitigate: timedelta | None = None,
    resolve: timedelta | None = None,
    **fields: Any,
) -> Incident:
    """An incident started at ``started_at``; times given as offsets from it."""
    data: dict[str, Any] = {
        "id": incident_id,
        "title": f"Incident {incident_id}",
        "status": "final",
        "severity": severity,
        "summary": f"Summary of {incident_id}.",
        "services": list(services),
        "started_at": started_at,
        "impact": {"summary": "Users could not check out."},
        "root_cause": {"category": category, "summary": "A bug."},
        "resolution": "Rolled back.",
    }
    for name, delta in (
        ("detected_at", detect),
        ("mitigated_at", mitigate),
        ("resolved_at", resolve),
    ):
        if delta is not None:
            data[name] = started_at + delta
    data.update(fields)
    return Incident(
        data=data, source=f"incidents/{incident_id}.yaml", source_uri=f"{incident_id}.yaml"
    )


def sample_incidents() -> list[Incident]:
    """Five incidents over three months, with heavy-tailed times to resolve."""
    minute = timedelta(minutes=1)
    return [
        make_incident(
            "2024-07-30-db-outage",
            datetime(2024, 7, 30, 0, 50, tzinfo=UTC),
            severity="SEV1",
            services=("orders-db", "checkout-api"),
            category="data-store",
            detect=10 * minute,
            mitigate=60 * minute,
            resolve=600 * minute,
            action_items=[
                {
                    "title": "Add replica lag alert",
                    "status": "open",
                    "owner": "Ana",
                    "due": date(2024, 8, 15),
                },
                {
                    "title": "Document failover",
                    "status": "in-progress",
                    "due": date(2024, 9, 30),
                    "owner": "Ben",
                },
                {"title": "Fix the bug", "status": "done", "owner": "Ana", "due": date(2024, 8, 1)},
            ],
            lessons={"went_well": ["Fast rollback."]},
            contributing_factors=[{"title": "No lag alert", "category": "process"}],
        ),
        make_incident(
            "2024-07-02-cert-expiry",
            datetime(2024, 7, 2, 9, 0, tzinfo=UTC_MINUS_5),
            severity="SEV2",
            category="certificate-or-expiry",
            detect=0 * minute,
            mitigate=30 * minute,
            resolve=40 * minute,
            action_items=[{"title": "Automate renewal", "status": "open"}],
        ),
        make_incident(
            "2024-06-10-deploy",
            datetime(2024, 6, 10, 12, 0, tzinfo=UTC),
            severity="SEV2",
            category="deployment",
            detect=5 * minute,
            mitigate=20 * minute,
            resolve=20 * minute,
        ),
        make_incident(
            "2024-04-01-mystery",
            datetime(2024, 4, 1, 8, 0, tzinfo=UTC),
            severity="SEV3",
            services=("tracking-api",),
            category="unknown",
            status="draft",
            mitigate=120 * minute,
        ),
        make_incident(
            "2024-04-20-slow",
            datetime(2024, 4, 20, 8, 0, tzinfo=UTC),
            severity="SEV2",
            category="deployment",
            detect=20 * minute,
            mitigate=90 * minute,
            resolve=5000 * minute,
            written_on=date(2024, 4, 25),
        ),
    ]
