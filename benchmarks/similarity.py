"""Measure similar incidents: quality on the labelled set, then time on synthetic collections.

    python benchmarks/similarity.py --incidents 1000 10000

Quality: on tests/similarity_eval, recall@1, recall@3 and MRR of each incident's look-alike
partner, for the easy and the hard pairs, for our ranking, for plain BM25 over each file's whole
text, and for each block of our score alone (story, failure modes, structure: ablation).

Time: incidents are generated in memory (deterministic seed): varied SRE prose, 50 services, every
root-cause category, contributing factors and tags. For each size the script prints the time to
build the index, the time for top-5 of all incidents, the time for every incident's possible
repeat (after top-5, as the site build does), and the per-incident cost ratio between the largest
and the smallest size (1.0 means linear growth, 10 quadratic at 1k -> 10k).

The generated prose has a small vocabulary (about 230 terms); ``--vocabulary 30000`` adds to each
root-cause description 60 words drawn from that many made-up words with Zipf-like frequencies,
for a vocabulary closer to real write-ups (tens of thousands of terms, most of them rare).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

import yaml
from postmortems.core.model import Incident
from postmortems.core.project import PACKAGED_SCHEMAS
from postmortems.core.vocabulary import read_schema, values
from postmortems.similarity import SimilarityIndex, index
from postmortems.similarity.evaluation import bm25_rankings, score, whole_text

EVAL_DIR = Path(__file__).resolve().parent.parent / "tests" / "similarity_eval"
ABLATIONS = {
    "ours (story + modes + structure)": index.BLOCK_WEIGHTS,
    "story alone (BM25 root-cause story)": {
        index.STORY: 1.0,
        index.MODES: 0.0,
        index.STRUCTURE: 0.0,
    },
    "failure modes alone": {index.STORY: 0.0, index.MODES: 1.0, index.STRUCTURE: 0.0},
    "structure alone": {index.STORY: 0.0, index.MODES: 0.0, index.STRUCTURE: 1.0},
}

CATEGORIES = values(
    read_schema(PACKAGED_SCHEMAS / "incident.schema.json"),
    "rootCauseCategory",
)
SUBJECTS = [
    "primary database",
    "replica",
    "read replica",
    "connection pool",
    "load balancer",
    "edge proxy",
    "TLS certificate",
    "DNS resolver",
    "message queue",
    "Kafka consumer",
    "Redis cache",
    "search cluster",
    "Kubernetes node",
    "CoreDNS",
    "payment provider",
    "SMS vendor",
    "object storage bucket",
    "CDN",
    "BGP session",
    "NTP daemon",
    "cron job",
    "feature flag",
    "schema migration",
    "config push",
    "deploy pipeline",
    "autoscaler",
    "rate limiter",
    "WAF rule",
    "service mesh sidecar",
    "disk volume",
    "RAID controller",
    "power supply",
    "API gateway",
    "auth service",
    "webhook worker",
    "batch job",
    "JVM heap",
    "thread pool",
    "circuit breaker",
    "health check",
]
FAILURES = [
    "failed over to a lagging replica",
    "ran out of memory",
    "expired overnight",
    "was misconfigured",
    "exhausted its connections",
    "filled the disk",
    "dropped packets",
    "returned 502 errors",
    "timed out",
    "crashed in a loop",
    "stopped replicating",
    "was deleted by hand",
    "hit its rate limit",
    "leaked memory",
    "saturated the CPU",
    "lost its leader",
    "served stale data",
    "rejected valid tokens",
    "deadlocked",
    "retried in a storm",
    "was rolled back too late",
    "skipped a migration",
    "blackholed traffic",
]
TRIGGERS = [
    "a routine maintenance task",
    "a traffic spike",
    "a config change",
    "a deploy",
    "a vendor outage",
    "a certificate rotation",
    "a hardware fault",
    "a manual runbook step",
    "a leap second",
    "a DST change",
    "a marketing campaign",
    "an expired credential",
    "a kernel upgrade",
    "a network partition",
]
EFFECTS = [
    "checkout failed",
    "merchants saw errors",
    "pages loaded slowly",
    "messages were delayed",
    "labels could not be printed",
    "logins failed",
    "tracking was stale",
    "payments were declined",
    "webhooks piled up",
    "reports were wrong",
    "search returned nothing",
    "orders were lost",
]
SERVICES = [f"service-{number:02d}" for number in range(50)]
TAGS = [
    "failover",
    "replication",
    "tls",
    "dns",
    "memory",
    "disk",
    "queue",
    "cache",
    "bgp",
    "deploy",
    "config",
    "vendor",
]


def sentence(rng: random.Random) -> str:
    return (
        f"The {rng.choice(SUBJECTS)} {rng.choice(FAILURES)} after {rng.choice(TRIGGERS)}, "
        f"so {rng.choice(EFFECTS)} while the {rng.choice(SUBJECTS)} {rng.choice(FAILURES)}."
    )


def synthetic_incident(number: int, rng: random.Random) -> Incident:
    """One plausible incident with prose drawn from SRE vocabulary."""
    started = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(90_000))
    data = {
        "id": f"{started:%Y-%m-%d}-synthetic-{number:05d}",
        "title": sentence(rng)[:-1],
        "status": "final",
        "severity": rng.choice(["SEV1", "SEV2", "SEV3", "SEV4"]),
        "summary": " ".join(sentence(rng) for _ in range(rng.randint(2, 5))),
        "services": rng.sample(SERVICES, rng.randint(1, 3)),
        "started_at": started,
        "impact": {"summary": sentence(rng)},
        "trigger": sentence(rng),
        "root_cause": {
            "category": rng.choice(CATEGORIES),
            "summary": sentence(rng),
            "description": " ".join(sentence(rng) for _ in range(rng.randint(1, 4))),
        },
        "contributing_factors": [
            {"title": sentence(rng), "category": rng.choice(CATEGORIES)}
            for _ in range(rng.randint(0, 3))
        ],
        "resolution": " ".join(sentence(rng) for _ in range(rng.randint(1, 2))),
        "tags": rng.sample(TAGS, rng.randint(0, 3)),
    }
    return Incident(data=data, source=f"<synthetic {number}>")


RARE_WORDS_PER_INCIDENT = 60


def add_rare_words(incidents: list[Incident], words: int, rng: random.Random) -> None:
    """Append to each root-cause description ``RARE_WORDS_PER_INCIDENT`` words drawn from
    ``words`` made-up words, the k-th most common with weight 1/k."""
    vocabulary = [
        "".join(rng.choice("bcdfghjklmnpqrstvz") + rng.choice("aeiou") for _ in range(4))
        for _ in range(words)
    ]
    weights = [1 / rank for rank in range(1, words + 1)]
    for incident in incidents:
        drawn = rng.choices(vocabulary, weights, k=RARE_WORDS_PER_INCIDENT)
        incident.data["root_cause"]["description"] += " " + " ".join(drawn)


def quality() -> None:
    """Print recall@1, recall@3 and MRR on the labelled set for each ranking."""
    labelled = yaml.safe_load((EVAL_DIR / "_pairs.yaml").read_text(encoding="utf-8"))
    paths = sorted(EVAL_DIR.glob("[!_]*.yaml"))
    incidents = [
        Incident(data=yaml.safe_load(path.read_text(encoding="utf-8")), source=str(path))
        for path in paths
    ]
    rankings = {}
    for name, weights in ABLATIONS.items():
        built = SimilarityIndex(incidents, weights=weights)
        rankings[name] = {
            key: [match.id for match in matches]
            for key, matches in built.all_similar(top=len(incidents), threshold=0.0).items()
        }
    rankings["BM25 over the whole file"] = bm25_rankings({p.stem: whole_text(p) for p in paths})
    for kind in ("hard", "easy"):
        print(f"{kind} pairs ({len(labelled[kind])}), {len(incidents)} incidents:")
        for name, ranking in rankings.items():
            print("  " + score(ranking, labelled[kind]).line(name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument(
        "--vocabulary",
        type=int,
        default=0,
        help="made-up words mixed into the generated prose (0: none)",
    )
    args = parser.parse_args()
    quality()
    per_incident: dict[int, float] = {}
    for count in args.incidents:
        rng = random.Random(count)
        incidents = [synthetic_incident(number, rng) for number in range(count)]
        if args.vocabulary:
            add_rare_words(incidents, args.vocabulary, rng)
        began = time.perf_counter()
        index = SimilarityIndex(incidents)
        built = time.perf_counter()
        index.all_similar(top=args.top)
        ranked = time.perf_counter()
        repeats = sum(index.recurrence(incident.id) is not None for incident in incidents)
        done = time.perf_counter()
        per_incident[count] = (done - began) / count
        print(
            f"{count:>6} incidents: build {built - began:6.2f} s, top-{args.top} of all "
            f"{ranked - built:6.2f} s, recurrences {done - ranked:6.2f} s ({repeats} found), "
            f"total {done - began:6.2f} s"
        )
    smallest, largest = min(per_incident), max(per_incident)
    if largest != smallest:
        ratio = per_incident[largest] / per_incident[smallest]
        print(f"per-incident time ratio {largest}/{smallest}: {ratio:.2f}")


if __name__ == "__main__":
    main()
