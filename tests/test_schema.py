"""The JSON Schemas: well-formed, documented for editors, and agreed on by two validators."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from jsonschema import Draft202012Validator
from postmortems.core.project import PACKAGED_SCHEMAS

ROOT = Path(__file__).resolve().parent.parent
INCIDENT_SCHEMA = json.loads((PACKAGED_SCHEMAS / "incident.schema.json").read_text("utf-8"))
SERVICES_SCHEMA = json.loads((PACKAGED_SCHEMAS / "services.schema.json").read_text("utf-8"))
SCHEMAS = {"incident": INCIDENT_SCHEMA, "services": SERVICES_SCHEMA}

VOCABULARIES = (
    "severity",
    "status",
    "rootCauseCategory",
    "detectionMethod",
    "timelineKind",
    "actionStatus",
    "actionType",
    "priority",
    "visibility",
)
ROOT_CAUSE_TAXONOMY = [
    "config-change",
    "deployment",
    "software-bug",
    "capacity",
    "dependency",
    "data-store",
    "network",
    "hardware",
    "certificate-or-expiry",
    "security",
    "manual-operation",
    "process",
    "unknown",
]

VALID_INCIDENT: dict[str, Any] = {
    "id": "2024-07-30-checkout-firewall",
    "title": "Checkout failures in Europe after a firewall change",
    "status": "final",
    "severity": "SEV2",
    "summary": "A firewall change blocked payment callbacks.",
    "services": ["checkout-api", "payments"],
    "started_at": "2024-07-30T00:50:00+00:00",
    "detected_at": "2024-07-30T01:10:00Z",
    "mitigated_at": "2024-07-30T01:32:00.250000+00:00",
    "resolved_at": "2024-07-29T22:00:00-05:00",
    "impact": {
        "summary": "Checkout failed for most customers in Europe.",
        "users_affected": 12000,
        "users_affected_percent": 35.5,
        "regions": ["eu-west-1"],
        "customer_facing": True,
    },
    "detection": {"method": "monitoring"},
    "trigger": "Firewall change CHG-881.",
    "root_cause": {
        "category": "config-change",
        "summary": "A firewall rule blocked traffic from the payment provider.",
        "five_whys": ["Why did checkout fail? Callbacks were blocked."],
    },
    "contributing_factors": [{"title": "No canary for firewall changes", "category": "process"}],
    "resolution": "Rolled back the rule.",
    "timeline": [
        {"at": "2024-07-30T00:50:00Z", "event": "Errors start.", "kind": "impact-start"},
        {"event": "A customer tweets about failed payments."},
    ],
    "action_items": [
        {
            "title": "Canary firewall changes",
            "status": "open",
            "type": "prevent",
            "owner": "platform-team",
            "priority": "P1",
            "due": "2024-09-01",
            "ticket": "https://tracker.example.com/browse/OPS-1",
        }
    ],
    "lessons": {"went_well": ["Rollback was quick."], "got_lucky": ["Off-peak hours."]},
    "authors": [{"name": "Ada Lovelace", "role": "IC", "email": "ada@example.com"}],
    "reviewers": [{"name": "Grace Hopper"}],
    "written_on": "2024-08-02",
    "visibility": "public",
    "tags": ["payments", "firewall"],
    "related": ["2023-11-02-payments-timeout"],
    "links": [{"title": "Status page", "url": "http://status.example.com/1"}],
    "x-jira-project": {"key": "OPS", "anything": [1, 2]},
}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation that sets the dotted ``path`` (list indexes allowed) to ``value``."""

    def mutate(incident: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = incident
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value

    return mutate


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    """A mutation that removes the dotted ``path``."""

    def mutate(incident: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = incident
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[last]

    return mutate


INVALID_VARIANTS = {
    "timestamp_without_offset": _set("started_at", "2024-07-30T00:50:00"),
    "timestamp_without_seconds": _set("detected_at", "2024-07-30T01:10Z"),
    "timeline_time_without_offset": _set("timeline.0.at", "2024-07-30 00:50:00"),
    "unknown_severity": _set("severity", "SEV5"),
    "lowercase_severity": _set("severity", "sev2"),
    "unknown_status": _set("status", "published"),
    "unknown_top_level_key": _set("sumary", "typo"),
    "unknown_nested_key": _set("impact.users", 3),
    "unknown_key_in_action_item": _set("action_items.0.assignee", "bob"),
    "javascript_link": _set("links.0.url", "javascript:alert(1)"),
    "relative_link": _set("links.0.url", "/runbooks/firewall"),
    "ftp_ticket": _set("action_items.0.ticket", "ftp://tracker.example.com/1"),
    "uppercase_id": _set("id", "2024-07-30-Checkout"),
    "too_short_id": _set("id", "ab"),
    "id_with_slash": _set("id", "2024/checkout"),
    "multi_line_title": _set("title", "Checkout\nfailures"),
    "title_with_trailing_newline": _set("title", "Checkout failures\n"),
    "empty_title": _set("title", ""),
    "overlong_title": _set("title", "x" * 201),
    "multi_line_root_cause_summary": _set("root_cause.summary", "One\nTwo"),
    "empty_summary": _set("summary", ""),
    "no_services": _set("services", []),
    "duplicate_services": _set("services", ["payments", "payments"]),
    "service_not_a_slug": _set("services.0", "Checkout API"),
    "duplicate_tags": _set("tags", ["payments", "payments"]),
    "negative_users_affected": _set("impact.users_affected", -1),
    "fractional_users_affected": _set("impact.users_affected", 2.5),
    "percent_over_100": _set("impact.users_affected_percent", 100.5),
    "customer_facing_as_string": _set("impact.customer_facing", "yes"),
    "empty_region": _set("impact.regions", [""]),
    "unknown_root_cause_category": _set("root_cause.category", "cosmic-rays"),
    "unknown_factor_category": _set("contributing_factors.0.category", "bad-luck"),
    "unknown_detection_method": _set("detection.method", "pager"),
    "detection_without_method": _set("detection", {"description": "Someone noticed."}),
    "unknown_timeline_kind": _set("timeline.0.kind", "panic"),
    "timeline_entry_without_event": _drop("timeline.0.event"),
    "unknown_action_status": _set("action_items.0.status", "closed"),
    "unknown_action_type": _set("action_items.0.type", "fix"),
    "unknown_priority": _set("action_items.0.priority", "P5"),
    "action_item_without_status": _drop("action_items.0.status"),
    "malformed_due_date": _set("action_items.0.due", "2024-9-1"),
    "impossible_due_date": _set("action_items.0.due", "2024-02-30"),
    "unknown_visibility": _set("visibility", "secret"),
    "person_without_name": _set("reviewers.0", {"role": "SRE"}),
    "invalid_email": _set("authors.0.email", "ada-at-example"),
    "link_without_title": _drop("links.0.title"),
    "related_not_an_id": _set("related.0", "Not An Id"),
    "lessons_as_text": _set("lessons.went_well", "Rollback was quick."),
    "missing_root_cause": _drop("root_cause"),
    "missing_impact_summary": _drop("impact.summary"),
    "missing_resolution": _drop("resolution"),
}


def python_validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def rust_validator(schema: dict[str, Any]) -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


def python_errors(schema: dict[str, Any], instance: Any) -> list[str]:
    return [error.message for error in python_validator(schema).iter_errors(instance)]


def rust_errors(schema: dict[str, Any], instance: Any) -> list[str]:
    return [error.message for error in rust_validator(schema).iter_errors(instance)]


def walk(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema of ``node`` with its JSON pointer."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key not in ("examples", "default", "const"):
                yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}/{index}")


def documented_nodes(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property and array item schema an editor shows on hover."""
    for path, node in walk(schema):
        for name, subschema in node.get("properties", {}).items():
            yield f"{path}/properties/{name}", subschema
        if isinstance(node.get("items"), dict):
            yield f"{path}/items", node["items"]
        if isinstance(node.get("additionalProperties"), dict):
            yield f"{path}/additionalProperties", node["additionalProperties"]


def as_json_compatible(value: Any) -> Any:
    """YAML values as the loader hands them to the schema: dates and times as ISO strings."""
    if isinstance(value, dict):
        return {key: as_json_compatible(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json_compatible(item) for item in value]
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    return value


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_conforms_to_the_draft_2020_12_metaschema(name: str) -> None:
    schema = SCHEMAS[name]
    Draft202012Validator.check_schema(schema)
    assert jsonschema_rs.meta.is_valid(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://mkdocs-postmortems.dev/schema/{name}.schema.json"


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_file_is_two_space_json_with_trailing_newline(name: str) -> None:
    text = (PACKAGED_SCHEMAS / f"{name}.schema.json").read_text("utf-8")
    assert text == json.dumps(SCHEMAS[name], indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_property_and_item_has_title_description_and_examples(name: str) -> None:
    undocumented = [
        f"{path} lacks {key}"
        for path, node in documented_nodes(SCHEMAS[name])
        for key in ("title", "description", "examples")
        if not node.get(key)
    ]
    assert undocumented == []


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_definition_has_title_and_description(name: str) -> None:
    definitions = SCHEMAS[name]["$defs"]
    assert [
        n for n, d in definitions.items() if not (d.get("title") and d.get("description"))
    ] == []


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_object_refuses_unknown_keys_but_allows_extensions(name: str) -> None:
    objects = [(path, node) for path, node in walk(SCHEMAS[name]) if node.get("type") == "object"]
    # The service catalog itself is an open mapping of slugs; every other object is closed.
    closed = [(path, node) for path, node in objects if path != "#" or name == "incident"]
    assert closed
    for path, node in closed:
        assert node.get("additionalProperties") is False, path
        assert node.get("patternProperties") == {"^x-": {}}, path


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_example_is_valid_for_its_own_schema(name: str) -> None:
    schema = SCHEMAS[name]
    invalid = []
    for path, node in walk(schema):
        standalone = {**node, "$defs": schema["$defs"]}
        standalone.pop("$id", None)
        for example in node.get("examples", []):
            if python_errors(standalone, example) or rust_errors(standalone, example):
                invalid.append(f"{path}: {example!r}")
    assert invalid == []


def test_vocabularies_are_one_of_documented_constants() -> None:
    definitions = INCIDENT_SCHEMA["$defs"]
    for name in VOCABULARIES:
        terms = definitions[name]["oneOf"]
        assert terms, name
        for term in terms:
            assert set(term) == {"const", "title", "description"}, (name, term)
            assert term["title"].strip() and term["description"].strip(), (name, term)
        constants = [term["const"] for term in terms]
        assert len(constants) == len(set(constants)), name


def test_vocabularies_hold_the_contract_values_in_order() -> None:
    def constants(name: str) -> list[str]:
        return [term["const"] for term in INCIDENT_SCHEMA["$defs"][name]["oneOf"]]

    assert constants("severity") == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert constants("status") == ["draft", "in-review", "final"]
    assert constants("rootCauseCategory") == ROOT_CAUSE_TAXONOMY
    assert constants("priority") == ["P0", "P1", "P2", "P3", "P4"]
    assert constants("visibility") == ["internal", "public"]
    assert constants("actionStatus") == ["open", "in-progress", "done", "wont-do"]


def test_shared_definitions_are_identical_in_both_schemas() -> None:
    for name in ("slug", "httpUrl", "markdown"):
        assert SERVICES_SCHEMA["$defs"][name] == INCIDENT_SCHEMA["$defs"][name], name


def test_valid_incident_is_accepted_by_both_validators() -> None:
    assert python_errors(INCIDENT_SCHEMA, VALID_INCIDENT) == []
    assert rust_errors(INCIDENT_SCHEMA, VALID_INCIDENT) == []


def test_minimal_incident_with_only_required_fields_is_accepted() -> None:
    required = INCIDENT_SCHEMA["required"]
    minimal = {key: VALID_INCIDENT[key] for key in required}
    minimal["impact"] = {"summary": "Checkout failed."}
    minimal["root_cause"] = {"category": "unknown", "summary": "Still investigating."}
    assert python_errors(INCIDENT_SCHEMA, minimal) == []
    assert rust_errors(INCIDENT_SCHEMA, minimal) == []


@pytest.mark.parametrize("mutation", INVALID_VARIANTS.values(), ids=INVALID_VARIANTS.keys())
def test_invalid_incident_is_rejected_by_both_validators(
    mutation: Callable[[dict[str, Any]], None],
) -> None:
    incident = copy.deepcopy(VALID_INCIDENT)
    mutation(incident)
    assert python_errors(INCIDENT_SCHEMA, incident)
    assert rust_errors(INCIDENT_SCHEMA, incident)


def test_service_catalog_accepts_slugs_mapped_to_services() -> None:
    catalog = {
        "checkout-api": {
            "name": "Checkout API",
            "owner": "payments-team",
            "tier": 0,
            "description": "Takes *orders*.",
            "repository": "https://github.com/example/checkout-api",
            "x-pagerduty": "P123",
        },
        "payments": {"name": "Payments"},
    }
    assert python_errors(SERVICES_SCHEMA, catalog) == []
    assert rust_errors(SERVICES_SCHEMA, catalog) == []


@pytest.mark.parametrize(
    "catalog",
    [
        {"Checkout API": {"name": "Checkout API"}},
        {"checkout-api": {"owner": "payments-team"}},
        {"checkout-api": {"name": "Checkout API", "tier": 5}},
        {"checkout-api": {"name": "Checkout API", "tier": "tier-1"}},
        {"checkout-api": {"name": "Checkout API", "team": "payments"}},
        {"checkout-api": {"name": "Checkout API", "repository": "javascript:alert(1)"}},
        {"checkout-api": "Checkout API"},
    ],
    ids=[
        "key_not_a_slug",
        "service_without_name",
        "tier_above_4",
        "tier_as_string",
        "unknown_key",
        "javascript_repository",
        "service_not_an_object",
    ],
)
def test_invalid_service_catalog_is_rejected_by_both_validators(catalog: dict[str, Any]) -> None:
    assert python_errors(SERVICES_SCHEMA, catalog)
    assert rust_errors(SERVICES_SCHEMA, catalog)


def test_unquoted_yaml_timestamps_validate_once_converted_to_iso_strings() -> None:
    text = "started_at: 2024-07-30T00:50:00Z\ndue: 2024-09-01\nnaive: 2024-07-30 00:50:00\n"
    loaded = as_json_compatible(yaml.safe_load(text))
    timestamp = {**INCIDENT_SCHEMA["$defs"]["timestamp"], "$defs": {}}
    day = {**INCIDENT_SCHEMA["$defs"]["date"], "$defs": {}}
    assert python_errors(timestamp, loaded["started_at"]) == []
    assert rust_errors(timestamp, loaded["started_at"]) == []
    assert python_errors(day, loaded["due"]) == []
    assert rust_errors(day, loaded["due"]) == []
    assert python_errors(timestamp, loaded["naive"])
    assert rust_errors(timestamp, loaded["naive"])


def incident_files() -> list[Path]:
    folder = ROOT / "incidents"
    paths = [*folder.rglob("*.yaml"), *folder.rglob("*.yml")]
    return sorted(path for path in paths if not path.name.startswith("_"))


@pytest.mark.parametrize("path", incident_files(), ids=lambda path: path.name)
def test_incident_file_in_the_repository_is_valid(path: Path) -> None:
    incident = as_json_compatible(yaml.safe_load(path.read_text("utf-8")))
    assert python_errors(INCIDENT_SCHEMA, incident) == []
    assert rust_errors(INCIDENT_SCHEMA, incident) == []


def test_service_catalog_in_the_repository_is_valid() -> None:
    text = (ROOT / "incidents" / "_services.yaml").read_text("utf-8")
    catalog = as_json_compatible(yaml.safe_load(text))
    assert python_errors(SERVICES_SCHEMA, catalog) == []
    assert rust_errors(SERVICES_SCHEMA, catalog) == []
