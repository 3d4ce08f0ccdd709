"""A new incident file: its id, its answers checked, and the YAML text to start from.

No I/O but reading the template (``templates/incident.yaml.tmpl``): ``postmortems new`` asks
the questions and writes the file. Every field the author still has to write holds a string
starting with ``TODO``, which ``postmortems validate`` reports until it is replaced.
"""

from __future__ import annotations

import difflib
import functools
import re
import string
import textwrap
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import yaml

from ..core.timestamps import rfc3339
from ..similarity.mechanisms import suggest

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,99}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SLUG_MAX = 60
TITLE_MAX = 200
TEMPLATE = Path(__file__).parent / "templates" / "incident.yaml.tmpl"

_TIMESTAMP = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?(?P<offset>[Zz]|[+-]\d{2}:\d{2})?$"
)
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_FORBIDDEN_IN_TITLE = {"Cc", "Cs", "Zl", "Zp"}
GUIDANCE = (
    'Replace every "TODO: ..." below with real text, or delete an optional line you do not need: '
    "`postmortems validate` lists the placeholders left. Write it blameless: explain what the "
    "systems and the process allowed, and name the missing safeguard, not a person."
)


@dataclass(frozen=True)
class NewIncident:
    """The answers a new incident file starts from."""

    id: str
    title: str
    started_at: datetime
    severity: str
    services: tuple[str, ...]
    category: str


def slugify(text: str, limit: int = SLUG_MAX) -> str:
    """``"Café: DB down!"`` → ``"cafe-db-down"``: ascii-folded, lowercase, at most ``limit``
    characters, cut between words unless that would lose more than half."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > limit:
        boundary = slug.rfind("-", 0, limit + 1)
        slug = slug[:boundary] if boundary > limit // 2 else slug[:limit]
    return slug.strip("-")


def derive_id(started_at: datetime, title: str) -> str:
    """``YYYY-MM-DD-slug`` from the local date of ``started_at`` and the title."""
    return f"{started_at.date().isoformat()}-{slugify(title) or 'incident'}"


def parse_id(text: str) -> str:
    """An incident id as given, or ``ValueError`` saying what a valid one looks like."""
    value = text.strip()
    if not ID_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid id: use 3 to 100 characters a-z, 0-9 and '-', "
            "starting with a letter or digit (e.g. 2024-07-30-checkout-outage)"
        )
    return value


def parse_title(text: str) -> str:
    """A one-line title of 1 to 200 characters."""
    value = text.strip()
    if not value:
        raise ValueError("the title is empty")
    if any(unicodedata.category(char) in _FORBIDDEN_IN_TITLE for char in value):
        raise ValueError("the title must be one line of printable text")
    if len(value) > TITLE_MAX:
        raise ValueError(f"the title has {len(value)} characters; at most {TITLE_MAX}")
    return value


def parse_timestamp(text: str) -> datetime:
    """An RFC 3339 date and time with an offset (``Z`` or ``±HH:MM``); seconds are optional."""
    value = text.strip()
    match = _TIMESTAMP.fullmatch(value)
    example = "e.g. 2024-07-30T00:50:00Z or 2023-06-15T10:00-05:00"
    if not match:
        raise ValueError(
            f"{value!r} is not a date and time like YYYY-MM-DDTHH:MM[:SS]Z ({example})"
        )
    if not match["offset"]:
        raise ValueError(f"{value!r} has no offset: add Z for UTC or ±HH:MM ({example})")
    offset = match["offset"].upper()
    try:
        day = date.fromisoformat(match["date"])
        if offset == "Z":
            zone = UTC
        else:
            hours, minutes = int(offset[1:3]), int(offset[4:6])
            if minutes >= 60:
                raise ValueError
            sign = -1 if offset[0] == "-" else 1
            zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
        return datetime(
            day.year,
            day.month,
            day.day,
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
            int((match["fraction"] or "0")[:6].ljust(6, "0")),
            tzinfo=zone,
        )
    except ValueError:
        raise ValueError(f"{value!r} is not a real date, time or offset ({example})") from None


def parse_choice(text: str, allowed: Sequence[str], what: str) -> str:
    """One of ``allowed``, matched without regard to case."""
    value = text.strip()
    by_folded = {option.casefold(): option for option in allowed}
    if value.casefold() in by_folded:
        return by_folded[value.casefold()]
    raise ValueError(f"{value!r} is not a {what}; choose one of: {', '.join(allowed)}")


def parse_services(names: Sequence[str], catalog: Sequence[str] | None) -> tuple[str, ...]:
    """Service slugs, at least one, each in the catalog when there is one; duplicates dropped."""
    services: list[str] = []
    for name in (name.strip() for name in names):
        if not SLUG_PATTERN.fullmatch(name) or len(name) > 64:
            raise ValueError(f"{name!r} is not a service slug (a-z, 0-9 and '-')")
        if catalog is not None and name not in catalog:
            close = difflib.get_close_matches(name, catalog, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            known = ", ".join(catalog) or "none yet"
            raise ValueError(
                f"{name!r} is not in the service catalog; {hint}known services: {known}"
            )
        if name not in services:
            services.append(name)
    if not services:
        raise ValueError("name at least one affected service")
    return tuple(services)


def render_incident(
    incident: NewIncident,
    *,
    modeline: str | None,
    vocabularies: Mapping[str, Sequence[str]],
    written_on: date,
) -> str:
    """The YAML text of a new incident: answers filled in, ``TODO`` for the rest, comments.

    The text is ``templates/incident.yaml.tmpl``; each answer is quoted for YAML before it is
    put in, and ``string.Template`` puts values in once, never reading them as placeholders.
    """
    started = rfc3339(incident.started_at)
    offset = "Z" if started.endswith("Z") else started[-6:]
    suggested = suggest(incident.title, vocabularies.get("failureMode") or None)
    values = {
        "editor_line": f"{modeline}\n#\n" if modeline else "",
        "id": _scalar(incident.id),
        "title": _quoted(incident.title),
        "severity": _scalar(incident.severity),
        "services": "\n".join(f"  - {_scalar(service)}" for service in incident.services),
        "started_at": started,
        "unknown_time": f"{incident.started_at.date().isoformat()}THH:MM:SS{offset}",
        "category": _scalar(incident.category),
        "failure_modes": (
            f"failure_modes: [{', '.join(suggested)}]" if suggested else "# failure_modes: []"
        ),
        "written_on": written_on.isoformat(),
    }
    return _template().substitute(values | _notes(incident.title, vocabularies, suggested))


@functools.cache
def _template() -> string.Template:
    return string.Template(TEMPLATE.read_text(encoding="utf-8"))


def _notes(
    title: str, vocabularies: Mapping[str, Sequence[str]], suggested: Sequence[str]
) -> dict[str, str]:
    """The comments of the template that name the values a field allows (from the schema)."""

    def allowed(name: str) -> str:
        return ", ".join(vocabularies.get(name, ())) or "see the schema"

    return {
        "header": _note(f"Postmortem of {title}") + "\n" + _note(GUIDANCE),
        "note_status": _note(f"State of this document: {allowed('status')}."),
        "note_severity": _note(f"How bad it was: {allowed('severity')}."),
        "note_detection": _note(
            f"How the organisation found out; method is one of {allowed('detectionMethod')}."
        ),
        "note_category": _note(f"One of {allowed('rootCauseCategory')}.", indent="  "),
        "note_failure_modes": _note(
            "How it failed, whatever the category (finds look-alike incidents); optional, "
            f"from: {allowed('failureMode')}."
            + (" Suggested from the title: keep those that fit." if suggested else "")
        ),
        "note_timeline": _note(
            f"What happened when, in order (Markdown). kind is one of {allowed('timelineKind')}."
        ),
        "note_action_items": _note(
            f"The follow-up work agreed in the review. status is one of {allowed('actionStatus')}; "
            f"optional: type ({allowed('actionType')}), owner, priority ({allowed('priority')}), "
            "due (YYYY-MM-DD) and ticket (an https:// link)."
        ),
        "note_visibility": _note(
            f"Who may read it: {allowed('visibility')}. The public site shows only public "
            "incidents."
        ),
    }


def _quoted(text: str) -> str:
    """``text`` as a double-quoted YAML scalar, with anything unusual escaped."""
    return yaml.safe_dump(text, allow_unicode=True, default_style='"', width=1 << 30).rstrip("\n")


def _scalar(text: str) -> str:
    """``text`` plain when YAML reads it back as the same string, else double-quoted."""
    if _PLAIN.fullmatch(text) and yaml.safe_load(text) == text:
        return text
    return _quoted(text)


def _note(text: str, indent: str = "") -> str:
    """``text`` as YAML comment lines of at most 100 characters."""
    prefix = f"{indent}# "
    return textwrap.fill(
        " ".join(text.split()),
        width=100,
        initial_indent=prefix,
        subsequent_indent=prefix,
        break_long_words=False,
        break_on_hyphens=False,
    )
