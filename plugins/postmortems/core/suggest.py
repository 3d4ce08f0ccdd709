"""Plausible "did you mean" suggestions for a mistyped value: close in spelling or in meaning."""

from __future__ import annotations

import re
from collections.abc import Sequence

_MAX_LENGTH = 64
"""Longer values get no suggestion: no real vocabulary term is that long, and distance costs."""

# Words people write for a vocabulary value, mapped to the values they may mean (first allowed
# one wins). Only meanings a reader would agree with: "performance" is a capacity problem.
SYNONYMS: dict[str, tuple[str, ...]] = {
    # action item status
    "todo": ("open",),
    "to-do": ("open",),
    "new": ("open",),
    "planned": ("open",),
    "not-started": ("open",),
    "backlog": ("open",),
    "wip": ("in-progress", "draft"),
    "doing": ("in-progress",),
    "started": ("in-progress",),
    "ongoing": ("in-progress",),
    "in-review": ("in-progress",),
    "complete": ("done", "final"),
    "completed": ("done", "final"),
    "finished": ("done", "final"),
    "fixed": ("done",),
    "closed": ("done", "final"),
    "resolved": ("done", "final"),
    "wontfix": ("wont-do",),
    "wont-fix": ("wont-do",),
    "cancelled": ("wont-do",),
    "canceled": ("wont-do",),
    "rejected": ("wont-do",),
    "dropped": ("wont-do",),
    # postmortem status
    "review": ("in-review",),
    "reviewing": ("in-review",),
    "published": ("final",),
    "done": ("final",),
    # root-cause categories
    "performance": ("capacity",),
    "perf": ("capacity",),
    "load": ("capacity",),
    "overload": ("capacity",),
    "scaling": ("capacity",),
    "traffic": ("capacity",),
    "bug": ("software-bug",),
    "code": ("software-bug",),
    "regression": ("software-bug",),
    "config": ("config-change",),
    "configuration": ("config-change",),
    "misconfiguration": ("config-change",),
    "deploy": ("deployment",),
    "release": ("deployment",),
    "rollout": ("deployment",),
    "database": ("data-store",),
    "db": ("data-store",),
    "replication": ("data-store",),
    "third-party": ("dependency",),
    "vendor": ("dependency",),
    "upstream": ("dependency",),
    "provider": ("dependency",),
    "certificate": ("certificate-or-expiry",),
    "cert": ("certificate-or-expiry",),
    "expiry": ("certificate-or-expiry",),
    "expiration": ("certificate-or-expiry",),
    "human-error": ("manual-operation",),
    "operator-error": ("manual-operation",),
    "manual": ("manual-operation",),
    "dns": ("network",),
    "networking": ("network",),
    # action item types
    "fix": ("repair",),
    "prevention": ("prevent",),
    "mitigation": ("mitigate",),
    "detection": ("detect",),
    "monitoring": ("detect",),
    "investigation": ("investigate",),
}


def fold(text: str) -> str:
    """``text`` as it is compared: lower case, spaces and underscores as hyphens, no quotes."""
    folded = re.sub(r"[\s_]+", "-", text.strip().casefold())
    return folded.replace("'", "").replace("\u2019", "")


def closest(value: str, allowed: Sequence[str]) -> str | None:
    """The one value of ``allowed`` that ``value`` plausibly means, else ``None``.

    Same word in another case or spacing (``sev2`` → ``SEV2``), a known synonym
    (``todo`` → ``open``), a small typo (an edit distance of at most a quarter of the word's
    length, at least 1; the best such value only when no other is as close), or else the one
    value made of a part of its hyphenated words or holding all of them
    (``payments-gateway`` → ``payments``).
    """
    word = fold(value)
    if not word or len(word) > _MAX_LENGTH:
        return None
    by_fold = {fold(option): option for option in allowed}
    if word in by_fold:
        return by_fold[word]
    for meaning in SYNONYMS.get(word, ()):
        if meaning in by_fold:
            return by_fold[meaning]
    limit = max(1, len(word) // 4)
    letters = set(word)
    scored = sorted(
        (distance, option)
        for folded, option in by_fold.items()
        if abs(len(folded) - len(word)) <= limit
        and len(letters.symmetric_difference(folded)) <= 2 * limit  # cheap: before the distance
        and (distance := edit_distance(word, folded)) <= limit
    )
    if scored:
        return None if len(scored) > 1 and scored[1][0] == scored[0][0] else scored[0][1]
    parts = set(word.split("-"))
    shared = [
        option
        for folded, option in by_fold.items()
        if (other := set(folded.split("-"))) <= parts or parts <= other
    ]
    return shared[0] if len(shared) == 1 else None


def edit_distance(first: str, second: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, swaps."""
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]
