"""Nothing in an incident file is left off its page: every key and value a person wrote shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from htmlpage import normalise
from postmortems.core.project import PACKAGED_SCHEMAS
from postmortems.core.vocabulary import VOCABULARIES, read_schema, vocabulary
from sitebuild import RICH_ID, BuiltSite, fixture_incidents

pytestmark = pytest.mark.slow

INCIDENTS = fixture_incidents()
TITLES = {
    term.value: term.title
    for name in VOCABULARIES
    for term in vocabulary(read_schema(PACKAGED_SCHEMAS / "incident.schema.json"), name)
}


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every scalar in ``value`` with its field path; the names of ``x-`` keys count too."""
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            if key.startswith("x-"):
                yield f"{child} (key)", key
            yield from leaves(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def renderings(value: Any) -> set[str]:
    """The ways a page may show ``value``: as written, or as the site formats it."""
    if isinstance(value, bool):
        return {"yes" if value else "no", str(value).lower()}
    if isinstance(value, datetime):
        offset = value.strftime("%z")
        zone = "UTC" if offset == "+0000" else f"UTC{offset[:3]}:{offset[3:]}"
        return {f"{value:%Y-%m-%d %H:%M} {zone}"}
    if isinstance(value, date):
        return {value.isoformat()}
    if isinstance(value, int | float):
        return {str(value), f"{value:,}"}
    text = normalise(str(value))
    return {text, TITLES.get(text, text)}


def test_the_rich_fixture_uses_every_top_level_field() -> None:
    schema = read_schema(PACKAGED_SCHEMAS / "incident.schema.json")
    assert set(schema["properties"]) <= set(INCIDENTS[RICH_ID])


@pytest.mark.parametrize("incident_id", list(INCIDENTS))
def test_every_value_of_the_incident_file_appears_on_its_page(
    site: BuiltSite, incident_id: str
) -> None:
    page = site.page(f"incidents/{incident_id}/")
    targets = [page.resolve(link.href) for link in page.links if link.in_article]
    missing = [
        path
        for path, value in leaves(INCIDENTS[incident_id])
        if not any(shown in page.article_text for shown in renderings(value))
        and not any(str(value) in target for target in targets)
    ]
    assert missing == []
