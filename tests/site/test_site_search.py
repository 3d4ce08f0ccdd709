"""The Pagefind search a build writes: what each incident contributes, facets, the search page."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from postmortems.core.model import Incident
from postmortems.site.search_index import (
    FACETS,
    WEIGHTS,
    FacetLabels,
    bundle_facets,
    bundle_records,
    incident_document,
    incident_record,
    incident_sections,
    write_bundle,
)
from sitebuild import RICH_ID, BuiltSite, build_site, copy_project, fixture_incidents

pytestmark = pytest.mark.slow

INCIDENTS = fixture_incidents()
RICH = INCIDENTS[RICH_ID]


@pytest.fixture(scope="module")
def records(site: BuiltSite) -> dict[str, dict]:
    return {record["url"]: record for record in bundle_records(site.site_dir / "pagefind")}


def test_an_incident_is_found_by_its_story_not_its_timeline_or_action_items(
    records: dict[str, dict],
) -> None:
    content = records[f"/incidents/{RICH_ID}/"]["content"]
    assert RICH["summary"].split(".")[0] in content
    assert RICH["root_cause"]["summary"] in content
    assert RICH["contributing_factors"][0]["title"] in content
    assert RICH["resolution"] in content
    assert "Configuration push with the new timeout template" not in content  # timeline
    assert "Document acquirer timeouts per region" not in content  # action item
    assert "Release engineering" not in content  # owner


def test_sections_are_weighted_from_title_down_to_lessons() -> None:
    assert list(WEIGHTS) == [
        "title",
        "summary",
        "root_cause",
        "trigger",
        "contributing_factors",
        "resolution",
        "lessons",
    ]
    assert list(WEIGHTS.values()) == sorted(WEIGHTS.values(), reverse=True)


def test_each_record_carries_the_facts_a_result_shows_and_the_table_its_facets(
    records: dict[str, dict], site: BuiltSite
) -> None:
    record = records[f"/incidents/{RICH_ID}/"]
    facets = bundle_facets(site.site_dir / "pagefind")
    assert facets[f"/incidents/{RICH_ID}/"] == {
        "service": RICH["services"],
        "category": [RICH["root_cause"]["category"]],
        "failure_mode": RICH["failure_modes"],
        "severity": [RICH["severity"]],
        "status": [RICH["status"]],
        "year": [str(RICH["started_at"].year)],
    }
    assert record["meta"]["title"] == RICH["title"]
    assert record["meta"]["date"] == RICH["started_at"].date().isoformat()
    assert record["meta"]["services"] == "Checkout API, Payments Gateway"
    assert "filters" not in record or not record["filters"]  # Pagefind's own filters: unused


def test_the_facet_table_lists_every_incident_newest_first(
    records: dict[str, dict], site: BuiltSite
) -> None:
    facets = bundle_facets(site.site_dir / "pagefind")
    newest_first = sorted(INCIDENTS, key=lambda key: INCIDENTS[key]["started_at"], reverse=True)
    assert list(facets) == [f"/incidents/{key}/" for key in newest_first]
    assert set(facets) == {
        url for url, record in records.items() if record["meta"]["kind"] == "incident"
    }


def test_every_incident_and_every_hand_written_page_is_indexed_and_no_listing(
    records: dict[str, dict],
) -> None:
    kinds = {url: record["meta"]["kind"] for url, record in records.items()}
    assert {url for url, kind in kinds.items() if kind == "incident"} == {
        f"/incidents/{key}/" for key in INCIDENTS
    }
    assert {url for url, kind in kinds.items() if kind == "guide"} == {"/", "/tags/"}


def test_markdown_marks_are_left_out_of_the_indexed_text() -> None:
    incident = _incident(
        summary="The **primary** ran `VACUUM FULL`; see [the runbook](https://x.example/r)."
    )
    assert incident_sections(incident)["summary"] == "The primary ran VACUUM FULL; see the runbook."


def test_failure_modes_become_a_facet_when_incidents_have_them() -> None:
    assert "failure_mode" in [facet.name for facet in FACETS]
    record = incident_record(
        _incident(failure_modes=["resource-exhaustion"]), FacetLabels({}), "incidents/x/"
    )
    assert record.facets is not None
    assert record.facets["failure_mode"] == ["resource-exhaustion"]


def test_incident_text_is_escaped_in_the_indexed_document() -> None:
    title = '<img src=x onerror=alert(1)> data-pagefind-filter="service"'
    document = incident_document(_incident(title=title), FacetLabels({}))
    assert "<img" not in document
    assert html.escape(title) in document


def test_search_page_offers_every_facet_with_readable_value_names(site: BuiltSite) -> None:
    page = site.page("search/")
    [data] = re.findall(r'data-pm-facets="([^"]*)"', page.html)
    facets = {facet["name"]: dict(facet["values"]) for facet in json.loads(html.unescape(data))}
    assert list(facets) == ["service", "category", "failure_mode", "severity", "status", "year"]
    assert facets["failure_mode"]["unguarded-rollout"] == "Change rolled out without guard rails"
    assert facets["service"]["checkout-api"] == "Checkout API"
    assert facets["severity"]["SEV2"] == "SEV2: major"
    assert list(facets["year"]) == sorted(facets["year"], reverse=True)
    assert "<code>mkdocs serve</code>" in page.html


def test_every_page_has_the_header_search_box_and_none_of_materials_search(
    site: BuiltSite,
) -> None:
    for url in ("", f"incidents/{RICH_ID}/", "services/"):
        text = site.html(url)
        assert "data-pm-search-box" in text, url
        assert 'data-md-component="search"' not in text, url
    assert not (site.site_dir / "search" / "search_index.json").exists()


def _incident(**fields: object) -> Incident:
    data = {
        "id": "2024-01-01-x",
        "title": "A title",
        "status": "final",
        "severity": "SEV2",
        "summary": "Summary.",
        "services": ["api"],
        "started_at": datetime(2024, 1, 1, tzinfo=UTC),
        "impact": {"summary": "Impact."},
        "root_cause": {"category": "software-bug", "summary": "A bug."},
        "resolution": "Fixed.",
        **fields,
    }
    return Incident(data=data, source="x.yaml")


def test_the_shipped_header_is_materials_own_but_for_the_search_condition() -> None:
    """Fails when Material changes its header: then refresh theme/partials/header.html."""
    import material
    from postmortems.site.search_site import THEME_DIR

    ours = (THEME_DIR / "partials" / "header.html").read_text(encoding="utf-8")
    theirs = (Path(material.__file__).parent / "templates" / "partials" / "header.html").read_text(
        encoding="utf-8"
    )
    condition = re.compile(
        r'\s*\{% if "material/search" in config.plugins %\}.*?\{% endif %\}\s*\{% endif %\}',
        re.DOTALL,
    )
    [search] = re.findall(
        r'\s*<label class="md-header__button md-icon" for="__search">.*?search\.html" %\}',
        ours,
        re.DOTALL,
    )
    unchanged = condition.sub(lambda _: search, theirs)
    comment = re.compile(r"\{#-.*?-#\}\s*", re.DOTALL)
    assert comment.sub("", ours) == comment.sub("", unchanged)


def test_the_bundle_is_written_whole_and_without_pagefinds_own_interfaces(
    site: BuiltSite,
) -> None:
    bundle = site.site_dir / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["page_count"] == len(INCIDENTS) + 2  # and two guides
    assert all(path.stat().st_size > 0 for path in bundle.rglob("*") if path.is_file())
    assert (
        not list(bundle.glob("pagefind-*ui*")) and not (bundle / "pagefind-highlight.js").exists()
    )


def test_search_false_writes_no_index_page_or_box(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("      cache: false\n", "      cache: false\n      search: false\n"), "utf-8"
    )
    built = build_site(project, project / "site")
    assert not (built.site_dir / "pagefind").exists()
    assert not (built.site_dir / "search").exists()
    assert "data-pm-search-box" not in built.html("")
    # The repository link still makes no API call from readers' browsers.
    assert 'data-md-component="source"' not in built.html("")
    assert 'class="md-source"' in built.html("")


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_rebuild_in_place_rewrites_only_what_changed_and_drops_what_is_gone(
    tmp_path: Path,
) -> None:
    labels = FacetLabels({})
    kept = incident_record(_incident(title="Replica lag"), labels, "incidents/kept/")
    gone = incident_record(_incident(title="Disk full"), labels, "incidents/gone/")
    added = incident_record(_incident(title="Expired certificate"), labels, "incidents/added/")
    write_bundle([kept, gone], tmp_path / "site")
    bundle = tmp_path / "site" / "pagefind"
    before = {path.name: path.stat().st_mtime_ns for path in bundle.rglob("*.pf_fragment")}
    (bundle / "leftover.txt").write_text("from an older build", encoding="utf-8")
    write_bundle([kept, added], tmp_path / "site")
    write_bundle([kept, added], tmp_path / "fresh")
    assert _files(bundle) == _files(tmp_path / "fresh" / "pagefind")
    after = {path.name: path.stat().st_mtime_ns for path in bundle.rglob("*.pf_fragment")}
    assert len(after) == 2 and len(before.keys() & after.keys()) == 1
    assert all(before[name] == after[name] for name in before.keys() & after.keys())
