"""A full ``mkdocs build --strict`` of the fixture project: what each kind of page shows."""

from __future__ import annotations

import html
import json
import re

import pytest
from htmlpage import Page
from postmortems.core.project import PACKAGED_SCHEMAS
from postmortems.core.vocabulary import read_schema, vocabulary
from postmortems.site.search_index import bundle_records
from sitebuild import RICH_ID, BuiltSite, fixture_incidents

pytestmark = pytest.mark.slow

RICH = f"incidents/{RICH_ID}/"
INCIDENTS = fixture_incidents()
EDIT = "https://github.com/fixture/postmortems/edit/main/"


@pytest.fixture(scope="module")
def rich(site: BuiltSite) -> Page:
    return site.page(RICH)


def facts(page: Page, heading: str) -> dict[str, str]:
    """A two-column key-value table under ``heading`` as a mapping."""
    return {row[0]: row[1] for row in page.table(heading).body}


def definitions(page: Page, css_class: str) -> dict[str, str]:
    """The terms and values of the definition list in the element of class ``css_class``."""
    block = re.search(rf'<(aside|dl) class="{css_class}"[^>]*>(.*?)</\1>', page.html, re.DOTALL)
    assert block, f"no {css_class} on {page.url}"
    pairs = re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", block.group(2), re.DOTALL)
    return {plain(term): plain(value) for term, value in pairs}


def plain(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped and entities decoded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def incident_links(page: Page) -> list[str]:
    """The incident ids the page's article links to, in order, without repeats."""
    found = [
        target.removeprefix("incidents/").rstrip("/")
        for target in page.article_targets()
        if re.fullmatch(r"incidents/[a-z0-9-]+/", target)
    ]
    return list(dict.fromkeys(found))


def test_incident_page_has_the_title_as_h1_and_window_title(rich: Page) -> None:
    title = INCIDENTS[RICH_ID]["title"]
    assert rich.texts("h1") == [title]
    assert rich.title == f"{title} - Fixture postmortems"


def test_incident_page_shows_severity_and_status_badges(rich: Page) -> None:
    assert re.search(r'<span class="[^"]*pm-severity pm-sev2"[^>]*>SEV2: major</span>', rich.html)
    assert re.search(r'<span class="[^"]*pm-status pm-in-review"[^>]*>In review</span>', rich.html)


def test_incident_page_shows_times_with_their_offset_and_derived_durations(rich: Page) -> None:
    table = definitions(rich, "pm-facts")
    assert table["Started"] == "2024-03-12 09:10 UTC-05:00"
    assert table["Detected"] == "2024-03-12 09:18 UTC-05:00"
    assert table["Mitigated"] == "2024-03-12 09:52 UTC-05:00"
    assert table["Resolved"] == "2024-03-12 10:15 UTC-05:00"
    assert table["Duration"] == "1 h 5 min"
    assert table["Time to detect"] == "8 min"
    assert table["Time to mitigate"] == "42 min"


def test_incident_page_links_services_by_name_and_the_root_cause_category(rich: Page) -> None:
    links = {rich.resolve(link.href): link.text for link in rich.links if link.in_article}
    assert links["services/checkout-api/"] == "Checkout API"
    assert links["services/payments-gateway/"] == "Payments Gateway"
    assert links["root-causes/config-change/"] == "Configuration change"
    table = definitions(rich, "pm-facts")
    assert table["Services"] == "Checkout API, Payments Gateway"
    assert table["Root cause"] == "Configuration change"


def test_incident_page_shows_summary_and_formatted_impact_numbers(rich: Page) -> None:
    assert [element.text for element in rich.section("Summary")] == [
        "Card payments at checkout timed out for shoppers in North America.",
        "About one order in eight failed until the gateway timeout was restored.",
    ]
    impact = definitions(rich, "pm-impact")
    assert impact == {
        "Users affected": "125,000",
        "Share of users affected": "12.5 %",
        "Regions": "us-east-1, ca-central-1",
        "Customer facing": "yes",
    }
    assert "Roughly four thousand orders were abandoned during the window." in rich.texts("p")
    assert "Two merchants complained on the partner forum." in rich.texts("p")


def test_detection_method_and_description_are_separate_paragraphs(rich: Page) -> None:
    assert [element.text for element in rich.section("Detection")] == [
        "Customer report",
        "The merchant support desk relayed the first complaint eight minutes in.",
    ]
    assert [element.text for element in rich.section("Trigger")] == [
        "A configuration push lowered the gateway read timeout from thirty seconds to three."
    ]


def test_root_cause_shows_summary_description_and_five_whys_in_order(rich: Page) -> None:
    root_cause = INCIDENTS[RICH_ID]["root_cause"]
    texts = [element.text for element in rich.section("Root cause")]
    assert texts[:2] == [root_cause["summary"], root_cause["description"]]
    assert [e.text for e in rich.section("Root cause") if e.tag == "li"] == root_cause["five_whys"]
    assert re.search(r"<h3 [^>]*>Five whys.*?</h3>\s*<ol[ >]", rich.html, re.DOTALL)


def test_contributing_factors_show_descriptions_and_link_their_categories(rich: Page) -> None:
    items = [
        element.text for element in rich.section("Contributing factors") if element.tag == "li"
    ]
    assert items == [
        "Latency canary skipped for configuration pushes · Process "
        "The canary only runs for binary deploys.",
        "Retry storm from the shop frontend · Capacity",
        "No per-acquirer timeout documentation",
    ]
    targets = rich.article_targets()
    assert "root-causes/process/" in targets
    assert "root-causes/capacity/" in targets


def test_resolution_is_shown(rich: Page) -> None:
    assert [element.text for element in rich.section("Resolution")] == [
        INCIDENTS[RICH_ID]["resolution"]
    ]


def test_timeline_keeps_file_order_including_entries_without_a_time(rich: Page) -> None:
    items = [element.text for element in rich.section("Timeline") if element.tag == "li"]
    events = [entry["event"] for entry in INCIDENTS[RICH_ID]["timeline"]]
    assert len(items) == len(events)
    for item, event in zip(items, events, strict=True):
        assert item.endswith(event)
    assert items[0].startswith("2024-03-12 09:05 UTC-05:00 · Action")
    assert items[2].startswith("time not recorded · Communication")
    assert items[3].startswith("time not recorded Someone")


def test_open_action_item_due_before_the_build_date_is_marked_overdue(rich: Page) -> None:
    rows = rich.table("Action items").body
    assert [row[:2] for row in rows] == [
        ["Open overdue", "Run the latency canary for configuration pushesPrevent · P1"],
        ["In progress", "Document acquirer timeouts per regionProcess · P3"],
        ["Done", "Alert on authorisation failure rate above two percentDetect · P2"],
        ["Won't do", "Rewrite the gateway in another languageInvestigate"],
    ]
    assert rows[0][2:] == ["Release engineering", "2024-04-01", "REL-101"]
    assert 'href="https://tracker.fixture.example/browse/REL-101"' in rich.html
    assert rows[3][2:] == ["—", "—", "—"]
    assert rich.html.count('class="pm-badge pm-overdue"') == 1


def test_lessons_are_listed_under_their_headings(rich: Page) -> None:
    lessons = INCIDENTS[RICH_ID]["lessons"]
    section = rich.section("Lessons")
    texts = [element.text for element in section]
    for heading, key in (
        ("What went well", "went_well"),
        ("What went wrong", "went_wrong"),
        ("Where we got lucky", "got_lucky"),
    ):
        assert texts.index(lessons[key][0]) > texts.index(heading)


def test_authors_reviewers_and_written_on_are_separate_paragraphs(rich: Page) -> None:
    assert [element.text for element in rich.section("About this postmortem")] == [
        "Authors: Ada Okafor (incident commander) · ada.okafor@fixture.example; Bruno Lindqvist",
        "Reviewers: Chen Wei (payments lead)",
        "Written on: 2024-03-14",
    ]


def test_tags_related_incidents_and_links_are_shown(rich: Page) -> None:
    assert definitions(rich, "pm-facts")["Tags"] == "payments timeouts"
    related = [element.text for element in rich.section("Related incidents")]
    assert related == ["Checkout connection pool exhausted on Black Friday (2023-11-24)"]
    assert "incidents/2023-11-24-checkout-black-friday-pool-exhaustion/" in rich.article_targets()
    link = next(link for link in rich.links if link.text == "Gateway timeout runbook")
    assert link.href == "https://wiki.fixture.example/runbooks/gateway-timeouts"


def test_extension_fields_at_every_depth_are_listed_under_more(rich: Page) -> None:
    assert facts(rich, "More") == {
        "x-cost-centre": "CC-4410",
        "x-postmortem-meeting": '{"attendees": 9, "held_on": "2024-03-13"}',
        "impact.x-impact-ticket": "IMPACT-2211",
        "detection.x-pager-rule": "checkout-latency-p99",
        "root_cause.x-analysis-doc": "ANALYSIS-77",
        "contributing_factors[0].x-owner-team": "Release engineering",
        "timeline[4].x-source-channel": "pager",
        "action_items[0].x-epic": "REL-100",
        "lessons.x-retro-date": "2024-03-15",
        "reviewers[0].x-approved": "true",
        "links[0].x-kind": "runbook",
    }


def test_incident_edit_link_points_at_the_incident_yaml(rich: Page) -> None:
    edits = [link.href for link in rich.links if link.href.startswith(EDIT)]
    assert edits == [f"{EDIT}incidents/2024/{RICH_ID}.yaml"]


def test_hand_written_page_edits_its_markdown_and_index_pages_have_no_edit_link(
    site: BuiltSite,
) -> None:
    home = [link.href for link in site.page("").links if link.href.startswith(EDIT)]
    assert home == [f"{EDIT}docs/index.md"]
    for url in ("incidents/", "services/", "root-causes/capacity/", "timeline/2024/"):
        assert not [link for link in site.page(url).links if link.href.startswith(EDIT)], url


def test_incidents_index_lists_every_incident_newest_first(site: BuiltSite) -> None:
    page = site.page("incidents/")
    assert page.texts("h1") == ["Incidents"]
    assert incident_links(page) == list(INCIDENTS)
    rows = page.table("Incidents").body
    assert rows[0] == [
        "2024-08-19",
        "Search cluster went read-only when its disks filled up",
        "SEV2",
        "search-api, checkout-api",
        "Capacity",
        "2 h 30 min",
    ]
    assert all(len(row) == 6 for row in rows)


def test_services_index_shows_owner_tier_count_and_median_duration(site: BuiltSite) -> None:
    rows = site.page("services/").table("Services").body
    assert rows == [
        ["Checkout API", "Checkout team", "1", "3", "2 h", "2024-08-19"],
        ["Ledger", "Finance engineering", "3", "0", "—", "—"],
        ["Payments Gateway", "Payments team", "1", "2", "1 h 5 min", "2024-03-28"],
        ["Search API", "Discovery team", "2", "2", "3 h", "2024-08-19"],
    ]


def test_service_page_shows_catalog_details_count_median_and_incidents(site: BuiltSite) -> None:
    page = site.page("services/checkout-api/")
    assert page.texts("h1") == ["Checkout API"]
    assert "Takes orders and payments from the web shop." in page.texts("p")
    assert facts(page, "Checkout API") == {
        "Service": "checkout-api",
        "Owner": "Checkout team",
        "Tier": "1",
        "Repository": "https://git.fixture.example/checkout/checkout-api",
        "Incidents": "3",
        "Median duration": "2 h",
    }
    assert incident_links(page) == [
        "2024-08-19-search-cluster-disk-full",
        RICH_ID,
        "2023-11-24-checkout-black-friday-pool-exhaustion",
    ]


def test_service_without_incidents_says_so(site: BuiltSite) -> None:
    page = site.page("services/ledger/")
    assert facts(page, "Ledger")["Incidents"] == "0"
    assert "No incidents recorded for this service." in page.texts("p")


def test_root_causes_index_shows_the_schema_taxonomy_with_counts(site: BuiltSite) -> None:
    terms = vocabulary(read_schema(PACKAGED_SCHEMAS / "incident.schema.json"), "rootCauseCategory")
    rows = site.page("root-causes/").table("Root causes").body
    assert [row[0] for row in rows] == [term.title for term in terms]
    assert [row[3] for row in rows] == [" ".join(term.description.split()) for term in terms]
    counts = {row[0]: (row[1], row[2]) for row in rows}
    assert counts["Capacity"] == ("2", "1")
    assert counts["Process"] == ("0", "2")
    assert counts["Configuration change"] == ("1", "0")


def test_root_cause_page_lists_its_incidents_and_where_it_contributed(site: BuiltSite) -> None:
    capacity = site.page("root-causes/capacity/")
    assert capacity.texts("h1") == ["Capacity"]
    assert capacity.tables[0].heading == "Incidents with this root cause"
    assert [row[1] for row in capacity.tables[0].body] == [
        "Search cluster went read-only when its disks filled up",
        "Checkout connection pool exhausted on Black Friday",
    ]
    contributing = capacity.table("Incidents where it was a contributing factor").body
    assert [row[1] for row in contributing] == [INCIDENTS[RICH_ID]["title"] + " In review"]
    process = site.page("root-causes/process/")
    assert "None yet." in process.texts("p")
    assert incident_links(process) == [RICH_ID, "2023-11-24-checkout-black-friday-pool-exhaustion"]


def test_root_cause_page_shows_the_schema_description(site: BuiltSite) -> None:
    schema = read_schema(PACKAGED_SCHEMAS / "incident.schema.json")
    term = next(t for t in vocabulary(schema, "rootCauseCategory") if t.value == "data-store")
    page = site.page("root-causes/data-store/")
    assert page.texts("h1") == [term.title]
    assert " ".join(term.description.split()) in page.article_text


def test_timeline_shows_each_year_as_a_strip_of_months_linking_to_their_incidents(
    site: BuiltSite,
) -> None:
    page = site.page("timeline/")
    assert page.texts("h2") == ["2024 · 3 incidents", "2023 · 2 incidents"]
    assert [text for text in page.texts("p") if text.startswith("SEV")] == [
        "SEV2: 2, SEV4: 1",
        "SEV1: 1, SEV3: 1",
    ]
    months = re.findall(r'href="[./a-z]*2024/#(2024-\d\d)" aria-label="([^"]+)"', page.html)
    assert months == [
        ("2024-03", "March 2024: 2 incidents"),
        ("2024-08", "August 2024: 1 incident"),
    ]
    assert page.html.count('title="January 2024: no incident"') == 1
    assert {"timeline/2024/", "timeline/2023/"} <= set(page.article_targets())


def test_year_page_groups_incidents_by_month_newest_first(site: BuiltSite) -> None:
    page = site.page("timeline/2024/")
    assert page.texts("h2") == ["August 2024", "March 2024"]
    assert 'id="2024-08"' in page.html and 'id="2024-03"' in page.html
    assert [row[1] for row in page.table("August 2024").body] == [
        "Search cluster went read-only when its disks filled up"
    ]
    assert [row[1] for row in page.table("March 2024").body] == [
        "Payment webhooks refused after a certificate expired Draft",
        INCIDENTS[RICH_ID]["title"] + " In review",
    ]


def test_tags_reach_the_theme_tags_index(site: BuiltSite) -> None:
    page = site.page("tags/")
    tags = {tag for incident in INCIDENTS.values() for tag in incident.get("tags", [])}
    assert tags <= {text.strip() for text in page.texts("h2")}
    tagged = [key for key, incident in INCIDENTS.items() if incident.get("tags")]
    assert set(incident_links(page)) == set(tagged)


@pytest.mark.parametrize("url", ["", "incidents/", "services/checkout-api/", RICH])
def test_incident_pages_are_not_in_the_navigation_but_index_pages_are(
    site: BuiltSite, url: str
) -> None:
    targets = site.page(url).nav_targets()
    assert {"incidents/", "services/", "root-causes/", "timeline/", "tags/"} <= set(targets)
    assert not [target for target in targets if re.fullmatch(r"incidents/.+/", target)]


@pytest.mark.parametrize("incident_id", list(INCIDENTS))
def test_every_incident_has_a_page_linked_from_its_service_category_and_year_pages(
    site: BuiltSite, incident_id: str
) -> None:
    incident = INCIDENTS[incident_id]
    assert site.page(f"incidents/{incident_id}/").texts("h1") == [incident["title"]]
    indexes = [f"services/{service}/" for service in incident["services"]]
    indexes += [
        f"root-causes/{incident['root_cause']['category']}/",
        f"timeline/{incident['started_at'].year}/",
        "incidents/",
    ]
    for url in indexes:
        assert incident_id in incident_links(site.page(url)), url


def test_search_index_holds_every_incident_page_with_its_title(site: BuiltSite) -> None:
    records = bundle_records(site.site_dir / "pagefind")
    titles = {record["url"]: record["meta"]["title"] for record in records}
    assert {
        f"/incidents/{key}/": incident["title"] for key, incident in INCIDENTS.items()
    }.items() <= titles.items()


def test_exports_hold_every_incident(site: BuiltSite) -> None:
    exported = json.loads((site.site_dir / "incidents.json").read_text("utf-8"))
    assert [record["id"] for record in exported["incidents"]] == list(INCIDENTS)
