"""Exports: incidents.json, incidents.csv and the Atom feed."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from postmortems.insights.exports import CSV_COLUMNS, atom_feed, incidents_csv, incidents_json

from .helpers import TODAY, make_incident

ATOM = "{http://www.w3.org/2005/Atom}"


def _json(incidents, **options):
    options = {"similar": {}, "today": TODAY, "site_url": None} | options
    return json.loads("".join(incidents_json(incidents, **options)))


def test_json_keeps_offsets_dates_and_extension_keys(incidents):
    incidents[1].data["x-team"] = {"name": "Edge"}

    records = {r["id"]: r for r in _json(incidents)["incidents"]}

    cert = records["2024-07-02-cert-expiry"]
    assert cert["started_at"] == "2024-07-02T09:00:00-05:00"
    assert cert["x-team"] == {"name": "Edge"}
    assert records["2024-07-30-db-outage"]["action_items"][0]["due"] == "2024-08-15"
    assert records["2024-07-30-db-outage"]["started_at"] == "2024-07-30T00:50:00Z"


def test_json_adds_derived_values_with_null_when_unknown(incidents):
    records = {r["id"]: r for r in _json(incidents)["incidents"]}

    outage = records["2024-07-30-db-outage"]
    assert outage["duration_seconds"] == 36000
    assert outage["time_to_detect_seconds"] == 600
    assert outage["time_to_mitigate_seconds"] == 3600
    assert outage["time_to_resolve_seconds"] == 36000
    assert (outage["year"], outage["month"]) == (2024, 7)
    assert (outage["open_action_items"], outage["overdue_action_items"]) == (2, 1)
    mystery = records["2024-04-01-mystery"]
    assert mystery["time_to_detect_seconds"] is None
    assert mystery["duration_seconds"] == 7200  # mitigated, never resolved


def test_json_urls_are_relative_or_absolute_under_site_url_and_carry_similar_ids(incidents):
    relative = _json(incidents[:1])["incidents"][0]
    absolute = _json(
        incidents[:1],
        site_url="https://pm.example/kb",
        similar={"2024-07-30-db-outage": ["2024-06-10-deploy"]},
    )["incidents"][0]

    assert relative["url"] == "incidents/2024-07-30-db-outage/"
    assert relative["similar"] == []
    assert absolute["url"] == "https://pm.example/kb/incidents/2024-07-30-db-outage/"
    assert absolute["similar"] == ["2024-06-10-deploy"]


def test_json_generated_is_the_source_date_epoch_instant(incidents, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1725199200")  # 2024-09-01T14:00:00Z

    assert _json(incidents)["generated"] == "2024-09-01T14:00:00Z"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert _json(incidents)["generated"] == "2024-09-01T00:00:00Z"


def test_csv_round_trips_one_row_per_incident(incidents):
    rows = list(csv.reader(io.StringIO(incidents_csv(incidents, site_url=None, today=TODAY))))

    assert rows[0] == list(CSV_COLUMNS)
    assert len(rows) == 1 + len(incidents)
    outage = dict(zip(rows[0], rows[1], strict=True))
    assert outage["services"] == "orders-db;checkout-api"
    assert outage["started_at"] == "2024-07-30T00:50:00Z"
    assert outage["time_to_resolve_seconds"] == "36000"
    assert (outage["action_items"], outage["open_action_items"]) == ("3", "2")
    assert outage["overdue_action_items"] == "1"
    mystery = dict(zip(rows[0], rows[4], strict=True))
    assert mystery["detected_at"] == ""


def test_csv_cells_that_look_like_formulas_are_defused():
    incident = make_incident(
        "2024-01-01-formula",
        datetime(2024, 1, 1, tzinfo=UTC),
        title='=HYPERLINK("http://evil.example","click"), "quoted"\nsecond line',
    )

    rows = list(csv.reader(io.StringIO(incidents_csv([incident], site_url=None, today=TODAY))))

    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","click"), "quoted"\nsecond line'
    for prefix in "+-@":
        incident.data["title"] = prefix + "1"
        text = incidents_csv([incident], site_url=None, today=TODAY)
        assert list(csv.reader(io.StringIO(text)))[1][1] == "'" + prefix + "1"


def test_feed_is_atom_with_entries_newest_first(incidents):
    feed = ET.fromstring(
        atom_feed(incidents[::-1], site_url=None, site_name="Parcelly postmortems", today=TODAY)
    )

    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert ids[0] == "tag:parcelly-postmortems,2024-07-30:2024-07-30-db-outage"
    started = [datetime.fromisoformat(e.find(f"{ATOM}published").text) for e in entries]
    assert started == sorted(started, reverse=True)
    assert feed.find(f"{ATOM}updated").text == "2024-07-30T10:50:00Z"


def test_feed_entry_updated_is_resolved_else_started_and_summary_is_text(incidents):
    feed = ET.fromstring(
        atom_feed(incidents, site_url="https://pm.example/", site_name="PM", today=TODAY)
    )

    entries = {e.find(f"{ATOM}id").text: e for e in feed.findall(f"{ATOM}entry")}
    outage = entries["https://pm.example/incidents/2024-07-30-db-outage/"]
    assert outage.find(f"{ATOM}updated").text == "2024-07-30T10:50:00Z"
    assert outage.find(f"{ATOM}summary").get("type") == "text"
    mystery = entries["https://pm.example/incidents/2024-04-01-mystery/"]
    assert mystery.find(f"{ATOM}updated").text == "2024-04-01T08:00:00Z"


def test_feed_escapes_markup_and_drops_characters_xml_cannot_hold():
    incident = make_incident(
        "2024-01-01-x",
        datetime(2024, 1, 1, tzinfo=UTC),
        title="<script>alert(1)</script> & \x07bell",
        summary="**bold** <b>html</b>",
    )

    text = atom_feed([incident], site_url=None, site_name="PM", today=TODAY)

    assert "<script>" not in text
    entry = ET.fromstring(text).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text.startswith("<script>alert(1)</script> & ")
    assert entry.find(f"{ATOM}summary").text == "**bold** <b>html</b>"


def test_empty_feed_is_still_valid_and_dated(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    feed = ET.fromstring(atom_feed([], site_url=None, site_name="PM", today=TODAY))

    assert feed.find(f"{ATOM}updated").text == "2024-09-01T00:00:00Z"
    assert feed.findall(f"{ATOM}entry") == []


def test_json_is_laid_out_as_a_json_library_lays_it_out_and_reuses_kept_records(incidents):
    """Kept records (a rebuild after one edit makes one) give the same file, byte for byte."""
    incidents[0].data["summary"] = 'Line one\nline "two" \\ ünïcode 🔥'
    kept: dict[str, str] = {}
    made: list[object] = []

    def memo(inputs, make):
        key = repr(inputs)
        if key not in kept:
            made.append(inputs)
            kept[key] = make()
        return kept[key]

    options = {"similar": {incidents[0].id: ["x"]}, "today": TODAY, "site_url": None}
    first = "".join(incidents_json(incidents, memo=memo, **options))
    again = "".join(incidents_json(incidents, memo=memo, **options))
    assert first == again == "".join(incidents_json(incidents, **options))
    assert first == json.dumps(json.loads(first), indent=2, ensure_ascii=False) + "\n"
    assert len(made) == len(incidents)
    empty = "".join(incidents_json([], **options))
    assert empty == json.dumps(json.loads(empty), indent=2) + "\n"
