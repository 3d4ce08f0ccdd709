"""A public site built from the same files holds public incidents only, leaking nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from postmortems.cli import main
from postmortems.site.search_index import (
    FACET_TABLE,
    bundle_facets,
    bundle_records,
    bundle_texts,
)
from sitebuild import build_site, make_project

pytestmark = pytest.mark.slow


def _incident(
    incident_id: str, *, visibility: str, phrase: str, service: str, **extra: object
) -> dict:
    return {
        "id": incident_id,
        "title": f"{phrase} title",
        "status": "final",
        "severity": "SEV2",
        "summary": f"The {phrase} summary text.",
        "services": [service],
        "started_at": "2025-03-01T10:00:00+01:00",
        "resolved_at": "2025-03-01T11:30:00+01:00",
        "impact": {"summary": f"{phrase} impact."},
        "root_cause": {"category": "software-bug", "summary": f"{phrase} root cause"},
        "resolution": f"{phrase} resolution.",
        "action_items": [
            {"title": f"{phrase} action", "status": "open", "owner": f"{phrase}-owner"}
        ],
        "tags": [f"{phrase}-tag"],
        "visibility": visibility,
        "x-internal-note": f"{phrase} extension value",
        **extra,
    }


INTERNAL = [
    _incident(
        "2025-03-01-zebra-internal-outage",
        visibility="internal",
        phrase="zebracorn",
        service="vault-secret",
    ),
    _incident(
        "2025-03-02-quokka-internal-leak",
        visibility="internal",
        phrase="quokkaflux",
        service="ledger-core",
    ),
]
PUBLIC = [
    _incident(
        "2025-03-03-public-checkout-outage",
        visibility="public",
        phrase="publicphrase",
        service="checkout",
        related=["2025-03-01-zebra-internal-outage"],
    ),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("public-project"), config=None)
    (root / "docs" / "index.md").write_text("# Incidents\n\nHome.\n", encoding="utf-8")
    year = root / "incidents" / "2025"
    year.mkdir()
    for document in INTERNAL + PUBLIC:
        (year / f"{document['id']}.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    catalog = {
        "vault-secret": {"name": "Vault secret store", "owner": "zebracorn-team"},
        "ledger-core": {"name": "Ledger core", "owner": "quokkaflux-team"},
        "checkout": {"name": "Checkout", "owner": "payments"},
    }
    (root / "incidents" / "_services.yaml").write_text(yaml.safe_dump(catalog), encoding="utf-8")
    for audience in ("internal", "public"):
        (root / f"mkdocs.{audience}.yml").write_text(
            yaml.safe_dump(
                {
                    "site_name": "Test",
                    "site_url": "https://example.com/",
                    "site_dir": f"site-{audience}",
                    "theme": {"name": "material", "font": False},
                    "plugins": ["tags", {"postmortems": {"audience": audience}}],
                    "markdown_extensions": ["admonition", "tables"],
                }
            ),
            encoding="utf-8",
        )
    return root


@pytest.fixture(scope="module")
def sites(project: Path) -> dict[str, Path]:
    built = {}
    for audience in ("internal", "public"):
        config = f"mkdocs.{audience}.yml"
        site_dir = project / f"site-{audience}"
        built[audience] = build_site(project, site_dir, config=config, build_date=None).site_dir
    return built


def _output_text(site: Path) -> dict[Path, str]:
    """Every text a reader can fetch, the search index's compressed chunks unpacked."""
    texts = {
        path: path.read_text(encoding="utf-8", errors="replace")
        for path in site.rglob("*")
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".csv", ".txt", ".svg"}
    }
    return texts | bundle_texts(site / "pagefind")


INTERNAL_NEEDLES = [
    needle
    for document in INTERNAL
    for needle in (document["id"], document["title"], document["services"][0])
] + ["zebracorn", "quokkaflux", "Vault secret store", "Ledger core", "extension value"]


def test_public_site_scans_clean_of_every_internal_id_title_and_phrase(
    sites: dict[str, Path],
) -> None:
    leaks = {
        str(path.relative_to(sites["public"])): needle
        for path, text in _output_text(sites["public"]).items()
        for needle in INTERNAL_NEEDLES
        if needle in text
    }
    assert leaks == {}


def test_public_site_scan_covers_search_index_sitemap_feed_and_exports(
    sites: dict[str, Path],
) -> None:
    names = {path.name for path in _output_text(sites["public"])}
    assert {path.suffix for path in (sites["public"] / "pagefind").rglob("*.pf_*")} == {
        ".pf_fragment",
        ".pf_index",
        ".pf_meta",
    }
    assert {
        FACET_TABLE,
        "sitemap.xml",
        "feed.xml",
        "incidents.json",
        "incidents.csv",
    } <= names


def test_public_site_shows_exactly_the_public_incidents(sites: dict[str, Path]) -> None:
    pages = {path.name for path in (sites["public"] / "incidents").iterdir() if path.is_dir()}
    assert pages == {document["id"] for document in PUBLIC}
    page = (sites["public"] / "incidents" / PUBLIC[0]["id"] / "index.html").read_text(
        encoding="utf-8"
    )
    assert "publicphrase summary text" in page
    assert "x-internal-note" not in page


def test_internal_site_shows_every_incident_with_its_extension_fields(
    sites: dict[str, Path],
) -> None:
    pages = {path.name for path in (sites["internal"] / "incidents").iterdir() if path.is_dir()}
    assert pages == {document["id"] for document in INTERNAL + PUBLIC}
    page = (sites["internal"] / "incidents" / INTERNAL[0]["id"] / "index.html").read_text(
        encoding="utf-8"
    )
    assert "zebracorn extension value" in page


def test_validate_warns_when_a_public_incident_relates_to_an_internal_one(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    monkeypatch.setenv("POSTMORTEMS_NO_CACHE", "1")
    code = main(["validate", "--format", "text", "incidents"])
    output = capsys.readouterr().out
    assert code == 0
    assert "related[0]: warning: public incident relates to internal incident" in output
    assert "1 warning" in output.splitlines()[-1]


def test_public_search_index_holds_the_public_incident_and_no_internal_one(
    sites: dict[str, Path],
) -> None:
    public = {record["url"] for record in bundle_records(sites["public"] / "pagefind")}
    internal = {record["url"] for record in bundle_records(sites["internal"] / "pagefind")}
    incident_pages = {url for url in public if url.startswith("/incidents/")}
    assert incident_pages == {f"/incidents/{document['id']}/" for document in PUBLIC}
    assert {f"/incidents/{document['id']}/" for document in INTERNAL} <= internal
    assert set(bundle_facets(sites["public"] / "pagefind")) == incident_pages
