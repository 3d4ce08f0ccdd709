"""A complete valid incident written as YAML text, and ways to change it line by line."""

from __future__ import annotations

VALID_ID = "2024-03-05-payment-timeouts"
OLDER_ID = "2024-01-10-older-incident"

# Line numbers matter: tests assert that problems are reported where they are written.
VALID = """\
id: 2024-03-05-payment-timeouts
title: Payment timeouts after a pool change
status: final
severity: SEV2
summary: Payments timed out for **EU** merchants.
services:
  - checkout-api
  - payments-gateway
started_at: 2024-03-05T10:00:00-05:00
detected_at: "2024-03-05T10:05:00-05:00"
mitigated_at: 2024-03-05T15:30:00Z
resolved_at: 2024-03-05T16:00:00Z
impact:
  summary: Card payments failed.
  users_affected: 1200
  users_affected_percent: 12.5
  regions: [eu-west]
  customer_facing: true
detection:
  method: monitoring
  description: Error-rate alert.
trigger: A deploy.
root_cause:
  category: config-change
  summary: The connection pool was cut to 10.
  five_whys:
    - Why? Because.
contributing_factors:
  - title: No canary
    category: process
resolution: Rolled back the pool size.
timeline:
  - at: 2024-03-05T10:00:00-05:00
    event: Errors start.
    kind: impact-start
  - event: Someone noticed (time unknown).
  - at: 2024-03-05T10:05:00-05:00
    event: Alert fired.
    kind: detected
action_items:
  - title: Add a canary
    status: open
    type: prevent
    owner: Payments team
    priority: P2
    due: 2024-04-01
    ticket: https://tickets.example/PAY-1
lessons:
  went_well: [Alert fired fast.]
  went_wrong: [No canary.]
  got_lucky: [Low traffic.]
authors:
  - name: Ana
    role: Incident commander
reviewers:
  - name: Bo
written_on: 2024-03-07
visibility: internal
tags: [payments, config]
related: [2024-01-10-older-incident]
links:
  - title: Dashboard
    url: https://grafana.example/d/1
x-team: payments
"""

OLDER = """\
id: 2024-01-10-older-incident
title: An older incident
status: final
severity: SEV3
summary: Something else.
services: [checkout-api]
started_at: 2024-01-10T08:00:00Z
impact:
  summary: Slow pages.
root_cause:
  category: capacity
  summary: Too few workers.
resolution: Added workers.
"""

MINIMAL_FIELDS = (
    "id",
    "title",
    "status",
    "severity",
    "summary",
    "services",
    "started_at",
    "impact",
    "root_cause",
    "resolution",
)


def edit(old: str, new: str, text: str = VALID) -> str:
    """``text`` with the one occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def without_top_level(key: str, text: str = VALID) -> str:
    """``text`` without the top-level ``key`` and its nested lines."""
    kept: list[str] = []
    dropping = False
    for line in text.splitlines(keepends=True):
        if not line.startswith((" ", "-")):
            dropping = line.startswith(f"{key}:")
        if not dropping:
            kept.append(line)
    return "".join(kept)
