"""Realistic synthetic incidents for benchmarks, deterministic from a seed.

    from benchmarks.synthetic import documents, write_project
    docs = documents(1000, seed=7)            # in memory: plain dicts, as written in files
    write_project(Path("/tmp/site"), 10000)  # incidents/<year>/<id>.yaml + incidents/_services.yaml

Documents vary in length (a few lines to a few hundred), use 50 services, every root-cause
category, every timeline kind, action items in every status, contributing factors and lessons;
prose has Markdown (emphasis, lists, code). Timestamps are written both quoted and unquoted,
with several UTC offsets. Every document is valid against ``schema/incident.schema.json``.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from postmortems.core.project import PACKAGED_SCHEMAS
from postmortems.core.vocabulary import read_schema, values

SCHEMA = PACKAGED_SCHEMAS / "incident.schema.json"
CATEGORIES = tuple(values(read_schema(SCHEMA), "rootCauseCategory"))
KINDS = ("detected", "escalated", "communication", "action", "note")
DETECTION = ("monitoring", "customer-report", "employee-report", "automated-test", "other")
ACTION_STATUS = ("open", "in-progress", "done", "wont-do")
ACTION_TYPES = ("prevent", "mitigate", "detect", "process", "repair", "investigate")
OFFSETS = tuple(timezone(timedelta(hours=hours)) for hours in (0, 1, 2, -5, -8, 5.5, 10))
AREAS = ("checkout", "payments", "orders", "search", "identity", "tracking", "labels", "routing",
         "billing", "notifications")  # fmt: skip
ROLES = ("api", "db", "worker", "cache", "gateway")
SERVICES = tuple(f"{area}-{role}" for area in AREAS for role in ROLES)  # 50 services
WORDS = [
    "latency",
    "error",
    "rate",
    "replica",
    "lag",
    "connection",
    "pool",
    "certificate",
    "deploy",
    "rollback",
    "config",
    "flag",
    "queue",
    "backlog",
    "timeout",
    "retry",
    "storm",
    "cache",
    "eviction",
    "disk",
    "pressure",
    "memory",
    "leak",
    "failover",
    "DNS",
    "TLS",
    "handshake",
    "load",
    "balancer",
    "health",
    "check",
    "autoscaling",
    "quota",
    "rate",
    "limit",
    "migration",
    "index",
    "lock",
    "contention",
    "thread",
    "pool",
    "garbage",
    "collection",
    "kernel",
    "upgrade",
    "network",
    "partition",
    "packet",
    "loss",
    "BGP",
    "route",
    "firewall",
    "rule",
    "secret",
    "rotation",
    "cron",
    "job",
    "runbook",
    "on-call",
    "pager",
    "dashboard",
]
TEAMS = ("Payments team", "Platform team", "SRE", "Data Platform", "Checkout team", "Edge team")
PEOPLE = ("Ana Silva", "Bo Chen", "Chidi Okafor", "Dana Levi", "Eli Novak", "Fatima Zahra")


def _sentence(rng: random.Random, low: int = 6, high: int = 18) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.3:
        words[rng.randrange(len(words))] = f"**{rng.choice(WORDS)}**"
    if rng.random() < 0.2:
        words[rng.randrange(len(words))] = f"`{rng.choice(WORDS)}`"
    return " ".join(words).capitalize() + "."


def _paragraphs(rng: random.Random, count: int) -> str:
    parts = [" ".join(_sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(count)]
    if rng.random() < 0.25:
        parts.append("\n".join(f"- {_sentence(rng, 3, 8)}" for _ in range(rng.randint(2, 4))))
    return "\n\n".join(parts)


def _time(moment: datetime, rng: random.Random) -> Any:
    """Half the timestamps as text (quoted in the file), half as datetimes (unquoted)."""
    return moment if rng.random() < 0.5 else moment.isoformat()


def document(index: int, rng: random.Random) -> dict[str, Any]:
    """One valid incident; ``index`` makes its id unique."""
    tz = rng.choice(OFFSETS)
    started = datetime(2019, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(3_600_000))
    started = started.astimezone(tz).replace(microsecond=0)
    detected = started + timedelta(minutes=rng.randint(0, 120))
    mitigated = detected + timedelta(minutes=rng.randint(1, 600))
    resolved = mitigated + timedelta(minutes=rng.randint(0, 2000))
    slug = "-".join(rng.sample(WORDS, 3)).lower()
    incident_id = f"{started:%Y-%m-%d}-{slug}-{index}"
    category = CATEGORIES[index % len(CATEGORIES)]
    doc: dict[str, Any] = {
        "id": incident_id,
        "title": _sentence(rng, 4, 10)[:-1],
        "status": rng.choice(("draft", "in-review", "final", "final")),
        "severity": rng.choice(("SEV1", "SEV2", "SEV2", "SEV3", "SEV3", "SEV4")),
        "summary": _paragraphs(rng, rng.randint(1, 4)),
        "services": rng.sample(SERVICES, rng.randint(1, 4)),
        "started_at": _time(started, rng),
        "detected_at": _time(detected, rng),
        "mitigated_at": _time(mitigated, rng),
        "resolved_at": _time(resolved, rng),
        "impact": {
            "summary": _paragraphs(rng, 1),
            "users_affected": rng.randint(0, 2_000_000),
            "users_affected_percent": round(rng.uniform(0, 100), 1),
            "regions": rng.sample(["eu-west", "eu-central", "us-east", "ap-south"], 2),
            "customer_facing": rng.random() < 0.7,
        },
        "detection": {"method": rng.choice(DETECTION), "description": _sentence(rng)},
        "trigger": _sentence(rng),
        "root_cause": {
            "category": category,
            "summary": _sentence(rng, 8, 20),
            "description": _paragraphs(rng, rng.randint(1, 3)),
            "five_whys": [_sentence(rng, 4, 10) for _ in range(rng.randint(0, 5))],
        },
        "contributing_factors": [
            {
                "title": _sentence(rng, 3, 7)[:-1],
                "description": _sentence(rng),
                "category": rng.choice(CATEGORIES),
            }
            for _ in range(rng.randint(0, 5))
        ],
        "resolution": _paragraphs(rng, rng.randint(1, 2)),
        "timeline": _timeline(rng, started, resolved),
        "action_items": [_action(rng, resolved) for _ in range(rng.randint(0, 10))],
        "lessons": {
            name: [_sentence(rng) for _ in range(rng.randint(0, 4))]
            for name in ("went_well", "went_wrong", "got_lucky")
        },
        "authors": [{"name": rng.choice(PEOPLE), "role": "Incident commander"}],
        "written_on": (resolved + timedelta(days=rng.randint(1, 14))).date(),
        "visibility": rng.choice(("internal", "internal", "public")),
        "tags": sorted(set(rng.sample([w.lower() for w in WORDS], rng.randint(1, 5)))),
        "links": [{"title": "Dashboard", "url": f"https://grafana.example/d/{index}"}],
    }
    if rng.random() < 0.2:
        doc["x-cost-eur"] = rng.randint(100, 1_000_000)
    return doc


def _timeline(rng: random.Random, started: datetime, resolved: datetime) -> list[dict[str, Any]]:
    span = max((resolved - started).total_seconds(), 60)
    times = sorted(
        started + timedelta(seconds=rng.uniform(0, span)) for _ in range(rng.randint(0, 22))
    )
    entries = [{"at": _time(started, rng), "event": _sentence(rng), "kind": "impact-start"}]
    entries += [
        {
            "at": _time(moment.replace(microsecond=0), rng),
            "event": _sentence(rng),
            "kind": rng.choice(KINDS),
        }
        for moment in times
    ]
    if rng.random() < 0.3:
        entries.insert(rng.randint(1, len(entries)), {"event": _sentence(rng)})  # no time known
    entries.append({"at": _time(resolved, rng), "event": _sentence(rng), "kind": "resolved"})
    return entries


def _action(rng: random.Random, resolved: datetime) -> dict[str, Any]:
    action: dict[str, Any] = {
        "title": _sentence(rng, 3, 9)[:-1],
        "status": rng.choice(ACTION_STATUS),
        "type": rng.choice(ACTION_TYPES),
        "owner": rng.choice(TEAMS),
        "priority": f"P{rng.randint(0, 4)}",
    }
    if rng.random() < 0.7:
        action["due"] = (resolved + timedelta(days=rng.randint(7, 120))).date()
    if rng.random() < 0.6:
        action["ticket"] = f"https://tickets.example/OPS-{rng.randint(1, 99999)}"
    return action


def documents(count: int, seed: int = 0) -> list[dict[str, Any]]:
    """``count`` incidents as written in files (timestamps as ``datetime`` or RFC 3339 text)."""
    rng = random.Random(seed)
    return [document(index, rng) for index in range(count)]


def catalog() -> dict[str, dict[str, Any]]:
    """The service catalog of the 50 services."""
    return {
        slug: {
            "name": slug.replace("-", " ").title(),
            "owner": TEAMS[n % len(TEAMS)],
            "tier": n % 3 + 1,
        }
        for n, slug in enumerate(SERVICES)
    }


class _Dumper(yaml.SafeDumper):
    """Multi-line text as ``|`` blocks, the way people write Markdown in YAML; no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump(doc: dict[str, Any]) -> str:
    """A document as YAML text."""
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def write_project(target: Path, count: int, seed: int = 0) -> list[Path]:
    """Write ``count`` incidents to ``target/incidents/<year>/<id>.yaml`` and the catalog."""
    folder = target / "incidents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_services.yaml").write_text(dump(catalog()), encoding="utf-8")
    paths = []
    for doc in documents(count, seed):
        path = folder / doc["id"][:4] / f"{doc['id']}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(dump(doc), encoding="utf-8")
        paths.append(path)
    return paths
