"""Single facts of a postmortem: title, severity, services, people, dates and impact numbers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ..scaffold import slugify
from .sections import Document, classify
from .text import clean, list_items, sentences, shorten
from .times import parse_date

_HEADING_MARK = re.compile(r"^\s{0,3}#{1,6}\s+")
"""A Markdown heading's hashes (a heading that is no first-level one may still be the title)."""
_TITLE_PREFIX = re.compile(
    r"^(?:(?:incident|outage|post-?mortem|post mortem|postmortem report|report|rca|review|"
    r"analysis|retrospective|root cause analysis|blameless|incident review|summary|"
    r"post-?incident|post incident|pir)\s*)+"
    r"(?:\(?#?\d+\)?\s*)?[:—–-]\s*",
    re.IGNORECASE,
)
_TITLE_SUFFIX = re.compile(  # from the first space of a run only: each run is read once
    r"(?<!\s)\s*(?:[:—–-]\s*|\()?(?:incident\s+)?(?:post-?mortem|post mortem|incident report|"
    r"post-incident review|retrospective|rca)(?:\s+report)?\)?$",
    re.IGNORECASE,
)
_TITLE_WORDS = re.compile(
    r"outage|incident|disruption|degradation|degraded|failure|downtime|down\b|errors?|"
    r"latency|loss|unavailab|broken",
    re.IGNORECASE,
)
_SEVERITY_KEYS = ("severity", "sev", "severity level", "incident severity", "impact level")
_SEVERITY_WORDS = {
    "critical": 0, "highest": 0, "major": 1, "high": 1, "moderate": 2, "medium": 2,
    "minor": 3, "low": 3,
}  # fmt: skip
_SERVICE_KEYS = (
    "services", "service", "affected services", "affected service", "systems", "system",
    "systems affected", "affected systems", "components", "affected components",
    "service(s)", "services affected", "impacted services", "product", "products", "affected",
    "impacted", "impacted systems", "affected system(s)", "affected service(s)",
)  # fmt: skip
_LIST = r"(?P<names>[\w`()./ -]+?(?:\s*(?:,|\band\b|&)\s*[\w`()./ -]+?){0,7})"
_SERVICES_IN_TEXT = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"\b(?:services?|systems?|components?) (?:affected|impacted)\s*:\s*{_LIST}\s*(?:[.|;]|$)",
        rf"\b(?:affected|impacted) (?:services?|systems?|components?)\s*:\s*{_LIST}\s*(?:[.|;]|$)",
        rf"\b(?:affected|impacted) (?:services?|systems?|components?) (?:were|was|are|is|"
        rf"included?)\s+{_LIST}\s*(?:[.|;]|$)",
        rf"\b(?:affected|impacted|hit|took down) (?:the |both the |both )?{_LIST}"
        rf" (?:services?|systems?)\b",
    )
)
_GENERIC = (
    "platform", "service", "services", "app", "application", "api", "apis", "cluster",
    "database", "db", "website", "site", "system", "backend", "gateway", "queue", "servers",
    "server", "portal", "dashboard", "pipeline", "store", "frontend", "endpoint", "endpoints",
)  # fmt: skip
_STOP = {
    "a", "an", "the", "our", "in", "of", "on", "for", "to", "and", "with", "outage", "incident",
    "disruption", "online", "partial", "major", "minor", "global", "complete", "total",
    "postmortem", "post-mortem", "report", "degraded", "degradation", "service", "failure",
    "errors", "error", "elevated", "slow", "intermittent", "its", "all", "entire", "whole",
}  # fmt: skip
AUTHOR_KEYS = (
    "prepared by", "author", "authors", "author(s)", "written by", "owner", "postmortem owner",
    "document owner", "report by",
)  # fmt: skip
REVIEWER_KEYS = ("reviewers", "reviewer", "reviewed by", "reviewer(s)", "approved by")
WRITTEN_KEYS = (
    "written on", "date written", "report date", "document date", "published", "last updated",
    "postmortem date", "prepared on", "written", "date of report",
)  # fmt: skip
_NUMBER_WORDS = {"thousand": 1_000, "k": 1_000, "million": 1_000_000, "m": 1_000_000,
                 "billion": 1_000_000_000, "bn": 1_000_000_000}  # fmt: skip
_USERS = (
    r"(?:users?|customers?|accounts?|people|subscribers?|members?|merchants?|players?|"
    r"clients?|visitors?|sellers?|drivers?|tenants?|user base|customer base)"
)
_COUNT = re.compile(
    rf"(?<![\d.,:])(\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)\s*(thousand|million|billion|bn|k|m)?\b"
    rf"(?:\s+(?!of\b)[A-Za-z-]+){{0,3}}?\s+{_USERS}\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(  # not after a digit: a run of digits is tried once, not per digit
    rf"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:%|percent)\s+(?:of\s+)?(?:(?:the|our|all|active|total|daily|"
    rf"monthly|registered|paying|[a-z-]+)\s+){{0,3}}{_USERS}",
    re.IGNORECASE,
)
_ALL_USERS = re.compile(rf"\ball (?:of our |our |the )?(?:active )?{_USERS}\b", re.IGNORECASE)


@dataclass(frozen=True)
class Guess:
    """A value with the reason it is uncertain (``None`` when the document states it)."""

    value: object
    why: str | None = None


def title(document: Document) -> str | None:
    """The title: a ``Title:`` fact, the first ``#`` heading, else the likeliest opening line."""
    fact = document.fact("title", "incident title", "incident", "name", "incident name")
    text = fact.value if fact and len(fact.value) <= 200 else document.title
    if not text:
        lines = [clean(_HEADING_MARK.sub("", line)) for line in document.lines if line.strip()][:6]
        scored = [
            (_title_score(line) + 2 * (index == 0 and _stands_alone(document)), -index, line)
            for index, line in enumerate(lines)
            if 3 <= len(line) <= 150 and not line.endswith(":") and not classify(line, loose=False)
        ]
        best = max(scored, default=None)
        text = best[2] if best and best[0] > 0 else None
    if not text:
        return None
    stripped = _TITLE_PREFIX.sub("", clean(text)).strip(" .") or clean(text)
    stripped = _TITLE_SUFFIX.sub("", stripped) or stripped
    return shorten(stripped, 200)


def _stands_alone(document: Document) -> bool:
    """Whether the first line is a short line on its own, set apart like a heading."""
    lines = [line.strip() for line in document.lines]
    first = next((index for index, line in enumerate(lines) if line), None)
    if first is None:
        return False
    line = clean(lines[first])
    following = lines[first + 1] if first + 1 < len(lines) else ""
    return (
        len(line) <= 120
        and not re.search(r"[.,;:!?]$", line)
        and not following
        and not re.match(r"[\w ]{1,40}:\s", line)
    )


def _title_score(line: str) -> int:
    lowered = line.lower()
    score = 2 * bool(_TITLE_WORDS.search(line)) + (
        "postmortem" in lowered or "post-mortem" in lowered
    )
    if lowered.startswith(("how to", "template", "table of contents")) or line.count(".") > 1:
        score -= 3
    return score


def severity(document: Document, severities: Sequence[str]) -> Guess | None:
    """The stated severity normalised to a configured value; ``None`` when not stated."""
    fact = document.fact(*_SEVERITY_KEYS)
    if fact:
        found = _normalise_severity(fact.value, severities, priority_ok=True)
        if found:
            return found
    text = "\n".join(document.lines)
    for match in re.finditer(
        r"\bsev(?:erity)?\b[\s:=\-]*(?:level\s*)?(\d)\b|\bsev-?(\d)\b", text, re.I
    ):
        found = _normalise_severity(match.group(1) or match.group(2), severities, priority_ok=True)
        if found:
            return found
    for match in re.finditer(
        r"\bseverity\b[^.\n]{0,30}?\b(P\d|critical|major|minor|high|medium|low)\b", text, re.I
    ):
        found = _normalise_severity(match.group(1), severities, priority_ok=True)
        if found:
            return found
    return None


def _normalise_severity(value: str, severities: Sequence[str], priority_ok: bool) -> Guess | None:
    compact = re.sub(r"[\s_\-]", "", clean(value)).lower()
    for option in severities:
        if re.sub(r"[\s_\-]", "", option).lower() == compact:
            return Guess(option)
    digit = re.match(r"^(?:sev(?:erity)?|level|p)?(\d)\b", compact if priority_ok else "")
    if digit:
        numbered = [option for option in severities if re.sub(r"\D", "", option) == digit.group(1)]
        if numbered:
            return Guess(numbered[0])
        return None
    word = re.match(r"[a-z]+", compact)
    if word and word.group(0) in _SEVERITY_WORDS and severities:
        index = min(_SEVERITY_WORDS[word.group(0)], len(severities) - 1)
        return Guess(severities[index], f'mapped from "{clean(value)}"')
    return None


def services(
    document: Document,
    title_text: str | None,
    summary: str,
    catalog: Mapping[str, str] | None = None,
) -> Guess | None:
    """Service slugs from a ``Services:`` line or section, else the catalog services (``slug →
    name``) the title or summary names, else the product the title names."""
    fact = document.fact(*_SERVICE_KEYS)
    names: list[str] = []
    if fact:
        names = re.split(r"(?<!\s)\s*(?:,|;|\band\b|&|/|\|)\s*", fact.value)
    else:
        for section in document.of_kind("services"):
            names += [
                part
                for item in list_items(section.lines)
                for part in re.split(r"(?<!\s)\s*[,;]\s*", item)
            ]
    slugs = _unique(
        (_in_catalog(name, catalog) or [""])[0]
        or slugify(re.sub(r"\([^()]*\)|\s[-–—:].*$", "", name))
        for name in names
    )
    if slugs:
        return Guess(slugs)
    for source, text in (("the title", title_text or ""), ("the summary", summary)):
        named = _in_catalog(text, catalog)
        if named:
            return Guess(named, f"catalog services named in {source}")
    slugs = _unique(
        (_in_catalog(name, catalog) or [_service_slug(name)])[0]
        for name in _services_in_text(document)
    )
    if slugs:
        return Guess(slugs, "named in the text")
    named = _in_catalog(" ".join(document.lines), catalog, by_name=False)
    if named:
        return Guess(named, "catalog services named in the text")
    sources = (("the title", title_text or ""), ("the summary", " ".join(sentences(summary)[:2])))
    for proper in (True, False):
        for source, text in sources:
            product = _product(text, proper)
            if product:
                return Guess([product], f"guessed from {source}")
    return None


def _in_catalog(text: str, catalog: Mapping[str, str] | None, by_name: bool = True) -> list[str]:
    """The catalog's services whose slug or name ``text`` holds (a plural too), in text order;
    with ``by_name=False``, only slugs written as such (``payments-api``)."""
    found: list[tuple[int, str]] = []
    lowered = text.lower()
    words = set(re.findall(r"[a-z0-9]+", lowered))  # a term is searched for only when its
    for slug, name in (catalog or {}).items():  # first word is there: linear in text + catalog
        terms = {slug, name} if by_name else {slug} if "-" in slug else set()
        places = [
            match.start()
            for term in terms
            if _first_word(term) & words
            and (match := (_term_pattern(term) if by_name else _slug_pattern(term)).search(lowered))
        ]
        if places:
            found.append((min(places), slug))
    return [slug for _, slug in sorted(found)]


def _term_pattern(term: str) -> re.Pattern[str]:
    """``webhooks`` or ``Event queue`` as a whole phrase, hyphens or spaces between its words."""
    words = [word for word in re.split(r"[\s_-]+", term.lower()) if word]
    if not words:
        return re.compile(r"(?!)")
    words[-1] = re.escape(words[-1].removesuffix("s")) + "s?"
    body = r"[\s_-]+".join([*map(re.escape, words[:-1]), words[-1]])
    return re.compile(rf"(?<![\w-]){body}(?![\w-])")


def _first_word(term: str) -> set[str]:
    """The forms of a term's first word that a text must hold for the term to be in it."""
    first = (re.findall(r"[a-z0-9]+", term.lower()) or [""])[0]
    return {first, first.removesuffix("s"), first + "s"} - {""}


def _slug_pattern(slug: str) -> re.Pattern[str]:
    """``slug`` written as it is, hyphens and all (one-word slugs are too common to count)."""
    return re.compile(rf"(?<![\w-]){re.escape(slug.lower())}(?![\w-])")


def _services_in_text(document: Document) -> list[str]:
    """Service names a sentence or table cell lists: "Services affected: a, b", "the affected
    services were a and b", "the incident affected the a and b services"."""
    text = clean(" ".join(document.lines))
    for pattern in _SERVICES_IN_TEXT:
        match = pattern.search(text)
        if match:
            return re.split(r"(?<!\s)\s*(?:,|;|\band\b|&)\s*", match.group("names").strip(" ,"))
    return []


def _service_slug(name: str) -> str:
    """A slug for one listed name; a slug written in brackets ("image CDN (images-cdn)") wins."""
    written = re.search(r"\(\s*`?([a-z0-9][a-z0-9-]*[a-z0-9])`?\s*\)", name)
    if written:
        return written.group(1)
    name = re.sub(r"\([^()]*\)", "", name)
    name = re.sub(
        r"^\s*(?:the|our|both|all)\s+|(?<!\s)\s+(?:service|services|system|systems)\s*$", "", name
    )
    return slugify(name) if len(name.split()) <= 4 else ""


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value and re.match(r"^[a-z0-9][a-z0-9-]*$", value):
            seen.setdefault(value)
    return list(seen)


def _product(text: str, proper: bool) -> str | None:
    """The product a phrase names: the words before "platform", "API"… (a capitalised name
    when ``proper``), or a CamelCase name."""
    words = re.findall(r"[A-Za-z0-9](?:[\w+-]|\.(?=\w))*", text)
    for index, word in enumerate(words):
        if word.lower() in _GENERIC and index:
            before: list[str] = []
            for previous in reversed(words[max(0, index - 2) : index]):
                if previous.lower() in _STOP or previous.lower() in _GENERIC:
                    break
                before.insert(0, previous)
            chosen = [word for word in before if word[0].isupper()] if proper else before[-1:]
            if chosen:
                return slugify(" ".join(chosen)) or None
    camel = [word for word in words if re.search(r"[a-z][A-Z]|^[A-Z]{2,}[a-z]", word)]
    if proper and camel:
        return slugify(camel[0]) or None
    return None


def people(document: Document, keys: Sequence[str]) -> list[dict[str, str]]:
    """``{name, role?, email?}`` for each person a ``Prepared by:``-style fact names."""
    fact = document.fact(*keys)
    if not fact:
        return []
    result: list[dict[str, str]] = []
    for part in _outside_brackets(fact.value):
        person = _person(part)
        if person:
            result.append(person)
    role = document.fact("role", "title role", "position")
    if role and len(result) == 1 and "role" not in result[0] and abs(role.line - fact.line) <= 3:
        result[0]["role"] = clean(role.value).strip("[] ")
    return result


_PEOPLE_SEPARATOR = re.compile(r"\s*(?:,|;|\band\b|&)\s*")


def _outside_brackets(text: str) -> list[str]:
    """``text`` split at commas, semicolons, "and" and "&" outside brackets:
    ``Priya Raman (SRE, on call), Tomás`` is two people."""
    parts: list[str] = []
    start = depth = 0
    depth_at: list[int] = []
    for char in text:
        depth = max(0, depth + (char == "(") - (char == ")"))
        depth_at.append(depth)
    for match in _PEOPLE_SEPARATOR.finditer(text):
        if depth_at[match.start()] == 0 and match.start() >= start:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


def _person(text: str) -> dict[str, str] | None:
    text = clean(text).strip("[] ")
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    email = re.search(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)
    role = re.search(r"\(([^()]+)\)", text)
    name = re.sub(r"<[^<>]*>|\([^()]*\)|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", "", text).strip(
        " -–,@[]"
    )
    if not name and email:
        name = email.group(0).split("@")[0]
    if not name or len(name) > 80:
        return None
    person = {"name": name}
    if role:
        person["role"] = role.group(1).strip()
    if email:
        person["email"] = email.group(0)
    return person


def written_on(document: Document, default_year: int | None) -> date | None:
    """The date of the document: a ``Written on:`` fact, or a ``Date:`` next to the authors."""
    fact = document.fact(*WRITTEN_KEYS)
    if fact:
        return parse_date(fact.value, default_year)
    author = document.fact(*AUTHOR_KEYS)
    if author and author.line >= 0:
        for candidate in document.facts:
            if candidate.key == "date" and 0 < abs(candidate.line - author.line) <= 3:
                return parse_date(candidate.value, default_year)
    return None


def users_affected(text: str) -> Guess | None:
    """A number of users/customers affected ("5 million users" → 5000000)."""
    match = _COUNT.search(text)
    if not match:
        return None
    number = float(match.group(1).replace(",", ""))
    multiplier = _NUMBER_WORDS.get((match.group(2) or "").lower(), 1)
    return Guess(int(number * multiplier))


def users_affected_percent(text: str) -> Guess | None:
    """A percentage of users affected; "all users" reads as 100 %, marked as a guess."""
    match = _PERCENT.search(text)
    if match and 0 <= float(match.group(1)) <= 100:
        value = float(match.group(1))
        return Guess(int(value) if value.is_integer() else value)
    everyone = _ALL_USERS.search(text)
    if everyone:
        return Guess(100, f'from "{everyone.group(0)}"')
    return None
