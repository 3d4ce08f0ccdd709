"""Guess the root-cause category from the words of the root-cause text.

Each category of the default taxonomy has keywords; the root cause counts three times as much
as the trigger and the resolution (where a word counts once, however often it is repeated).
Words that merely name a component ("database", "disk") count a third of words that name a
failure ("replication", "disk failure"). A configured taxonomy without one of these categories
simply never gets it; ``unknown`` is the answer when nothing matches (or when it is not
configured, the last configured category).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

KEYWORDS: dict[str, tuple[str, ...]] = {
    "config-change": (
        "config", "configuration", "misconfiguration", "misconfigured", "feature flag", "flag",
        "setting", "settings", "toggle", "reconfigured",
    ),
    "deployment": (
        "deploy", "deployed", "deployment", "release", "rollout", "rolled out", "canary",
        "new version", "upgrade", "migration",
    ),
    "software-bug": (
        "bug", "regression", "null pointer", "exception", "race condition", "deadlock",
        "deadlocks", "memory leak", "edge case", "edge cases", "off-by-one", "infinite loop",
        "crash", "logic", "unhandled", "code change", "panic",
    ),
    "capacity": (
        "capacity", "overload", "overloaded", "traffic spike", "spike in traffic", "load",
        "exhausted", "exhaustion", "saturation", "saturated", "throttling", "out of memory",
        "disk full", "quota", "connection pool", "autoscaling", "scaling", "cascading",
        "bottleneck", "thundering herd",
    ),
    "dependency": (
        "third-party", "third party", "upstream", "vendor", "provider", "dependency",
        "external service", "external api", "cloud provider", "saas",
    ),
    "data-store": (
        "database", "replication", "replica", "failover", "corruption", "corrupted", "primary",
        "shard", "postgres", "postgresql", "mysql", "cassandra", "mongodb", "replication lag",
        "data loss", "index", "schema",
    ),
    "network": (
        "network", "dns", "bgp", "packet loss", "load balancer", "firewall", "routing",
        "partition", "latency between", "connectivity",
    ),
    "hardware": (
        "hardware", "disk failure", "power", "rack", "power supply", "nic", "ssd",
        "host failure", "server failure", "datacenter", "data center", "cooling", "disk", "disks",
        "firmware", "controller", "controllers", "nvme", "failed disk", "disk failed",
        "faulty", "hardware fault", "psu", "power supply failure",
    ),
    "certificate-or-expiry": (
        "certificate", "certificates", "cert", "tls", "ssl", "expired", "expiry", "expiration",
        "licence", "license", "leap second", "time bomb",
    ),
    "security": (
        "attack", "ddos", "breach", "vulnerability", "credential", "credentials",
        "unauthorized", "malicious", "compromised", "exploit",
    ),
    "manual-operation": (
        "manual", "manually", "hand-run", "runbook", "typo", "operator error", "accidentally",
        "human error", "maintenance task", "ran a command", "wrong command", "by hand",
        "by mistake", "against production", "ad hoc", "ad-hoc",
    ),
    "process": (
        "review", "ownership", "process", "procedure", "unclear owner", "no owner",
        "missing review", "handoff",
    ),
}  # fmt: skip
_READ_AT_MOST = 50_000  # characters: the words that decide come early, and 1 MB would be slow
WEAK = frozenset(
    {"database", "primary", "index", "schema", "shard", "postgres", "postgresql", "mysql",
     "cassandra", "mongodb", "load", "disk", "disks", "controller", "controllers", "logic",
     "review", "process", "setting", "settings", "power", "release", "upgrade", "migration",
     "crash", "rack"}
)  # fmt: skip


def _count(text: str) -> Counter[tuple[str, str]]:
    lowered = text[:_READ_AT_MOST].lower()
    counts: Counter[tuple[str, str]] = Counter()
    for category, words in KEYWORDS.items():
        for word in words:
            hits = len(re.findall(rf"(?<![\w-]){re.escape(word)}(?![\w-])", lowered))
            if hits:
                counts[(category, word)] += hits
    return counts


def guess_category(
    root_cause: str, context: str, categories: Sequence[str]
) -> tuple[str, list[str]]:
    """The best category for ``root_cause`` (``context`` weighs a third) and the deciding words."""
    scores: dict[str, float] = {}
    words: dict[str, list[str]] = {}
    for weight, text in ((3, root_cause), (1, context)):
        for (category, word), hits in _count(text).items():
            if category in categories:
                counted = hits if weight > 1 else 1  # a long context repeats its nouns
                scores[category] = scores.get(category, 0) + weight * counted / (
                    3 if word in WEAK else 1
                )
                words.setdefault(category, [])
                if word not in words[category]:
                    words[category].append(word)
    if scores:
        best = max(scores, key=lambda category: (scores[category], -list(KEYWORDS).index(category)))
        return best, words[best][:4]
    fallback = "unknown" if "unknown" in categories or not categories else categories[-1]
    return fallback, []
