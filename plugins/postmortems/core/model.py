"""The incident model: a validated incident file and the values it names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

TIMESTAMP_FIELDS = ("started_at", "detected_at", "mitigated_at", "resolved_at")


@dataclass(frozen=True)
class Incident:
    """One validated incident.

    ``data`` is the file's mapping as written: timestamps are timezone-aware
    ``datetime`` objects that keep the file's offset, dates are ``date`` objects,
    every other value is plain YAML (str, int, float, bool, list, dict).
    ``source`` is the file's path as given to the loader (used in messages and
    edit links); ``source_uri`` is that path relative to the incidents folder,
    with forward slashes.
    """

    data: Mapping[str, Any]
    source: str
    source_uri: str = ""
    extensions: Mapping[str, Any] = field(default_factory=dict)
    digest: bytes = field(default=b"", compare=False)
    """A digest of everything the other fields come from (the file's name and bytes, the schema,
    this package's code), or ``b""``: equal digests, equal incidents. Caches key on it."""

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def title(self) -> str:
        return self.data["title"]

    @property
    def status(self) -> str:
        return self.data["status"]

    @property
    def severity(self) -> str:
        return self.data["severity"]

    @property
    def services(self) -> Sequence[str]:
        return self.data["services"]

    @property
    def started_at(self) -> datetime:
        return self.data["started_at"]

    @property
    def detected_at(self) -> datetime | None:
        return self.data.get("detected_at")

    @property
    def mitigated_at(self) -> datetime | None:
        return self.data.get("mitigated_at")

    @property
    def resolved_at(self) -> datetime | None:
        return self.data.get("resolved_at")

    @property
    def category(self) -> str:
        """The root-cause category."""
        return self.data["root_cause"]["category"]

    @property
    def root_cause_summary(self) -> str:
        return self.data["root_cause"]["summary"]

    @property
    def tags(self) -> Sequence[str]:
        return self.data.get("tags", [])

    @property
    def related(self) -> Sequence[str]:
        return self.data.get("related", [])

    @property
    def visibility(self) -> str:
        return self.data.get("visibility", "internal")

    @property
    def action_items(self) -> Sequence[Mapping[str, Any]]:
        return self.data.get("action_items", [])

    @property
    def failure_modes(self) -> Sequence[str]:
        """The declared failure modes, in order."""
        return self.data.get("failure_modes", [])

    @property
    def contributing_categories(self) -> list[str]:
        """Categories named by contributing factors, in order, without repeats."""
        seen: dict[str, None] = {}
        for factor in self.data.get("contributing_factors", []):
            if "category" in factor:
                seen.setdefault(factor["category"])
        return list(seen)

    @property
    def written_on(self) -> date | None:
        return self.data.get("written_on")
