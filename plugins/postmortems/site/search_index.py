"""The Pagefind search index: what each incident and guide contributes, and writing the bundle.

Pure core: no MkDocs. Each incident becomes a small HTML document holding only the text that
finds incidents (title, summary, root cause, trigger, contributing factors, resolution, lessons),
weighted in that order, plus the facets a reader narrows results by and the facts a result shows.
Pagefind writes a chunked index, so a query downloads a few small files, not the whole index.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pagefind_bin

from ..core.model import Incident
from ..core.vocabulary import vocabulary

BUNDLE_DIR = "pagefind"
"""The bundle's folder at the site root (``pagefind/pagefind.js`` and its chunks)."""


@dataclass(frozen=True)
class Facet:
    """One way to narrow results: its URL parameter (also the Pagefind filter) and its values."""

    name: str
    label: str
    values: Callable[[Incident], Iterable[str]]
    vocabulary: str | None = None
    """The schema ``$defs`` vocabulary giving its values' titles and order, if any."""


FACETS = (
    Facet("service", "Service", lambda incident: incident.services),
    Facet("category", "Root cause", lambda incident: [incident.category], "rootCauseCategory"),
    Facet(
        "failure_mode",
        "Failure mode",
        lambda incident: incident.data.get("failure_modes", []),
        "failureMode",
    ),
    Facet("severity", "Severity", lambda incident: [incident.severity], "severity"),
    Facet("status", "Status", lambda incident: [incident.status], "status"),
    Facet("year", "Year", lambda incident: [str(incident.started_at.year)]),
)

# Searchable sections with their Pagefind weights: a title word counts most, a lesson least.
WEIGHTS = {
    "title": 10.0,
    "summary": 6.0,
    "root_cause": 5.0,
    "trigger": 4.0,
    "contributing_factors": 3.0,
    "resolution": 2.0,
    "lessons": 1.0,
}

_FRAGMENT_SIGNATURE = "pagefind_dcd"

EXCLUDED_SELECTORS = [".headerlink", "[data-search-exclude]"]
"""Parts of a guide page that are not text to find (permalink marks)."""

_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_EMPHASIS = re.compile(r"[*`\\]+|(?<!\w)_+|_+(?!\w)")
_LINE_MARKS = re.compile(r"^\s*(?:#{1,6}|>+)\s", re.MULTILINE)


def plain_text(markdown_text: object) -> str:
    """Markdown as the words a reader sees: link texts kept, emphasis and code marks dropped."""
    text = _EMPHASIS.sub("", _LINK.sub(r"\1", str(markdown_text)))
    return " ".join(_LINE_MARKS.sub(" ", text).split())


def incident_sections(incident: Incident) -> dict[str, str]:
    """The searchable text of ``incident`` by section (empty sections left out)."""
    data = incident.data
    root = data["root_cause"]
    lessons = data.get("lessons", {})
    sections = {
        "title": incident.title,
        "summary": data["summary"],
        "root_cause": " ".join(
            [root["summary"], root.get("description", ""), *root.get("five_whys", [])]
        ),
        "trigger": data.get("trigger", ""),
        "contributing_factors": " ".join(
            f"{factor['title']}. {factor.get('description', '')}"
            for factor in data.get("contributing_factors", [])
        ),
        "resolution": data["resolution"],
        "lessons": " ".join(
            str(lesson)
            for key in ("went_well", "went_wrong", "got_lucky")
            for lesson in lessons.get(key, [])
        ),
    }
    return {key: text for key, value in sections.items() if (text := plain_text(value))}


@dataclass(frozen=True)
class FacetLabels:
    """Each facet's values with the words a reader sees, in the order they are listed."""

    facets: dict[str, dict[str, str]]

    def label(self, facet: str, value: str) -> str:
        return self.facets.get(facet, {}).get(value, value)


def facet_labels(
    incidents: Sequence[Incident],
    schema: Mapping[str, Any],
    catalog: Mapping[str, Mapping[str, Any]],
) -> FacetLabels:
    """Titles of the facet values present in ``incidents`` (service names from the catalog)."""
    facets: dict[str, dict[str, str]] = {}
    for facet in FACETS:
        present = {value for incident in incidents for value in facet.values(incident)}
        if facet.name == "service":
            titles = {slug: str(catalog.get(slug, {}).get("name", slug)) for slug in present}
            facets[facet.name] = dict(sorted(titles.items(), key=lambda item: item[1].lower()))
        elif facet.vocabulary is not None:
            terms = {term.value: term.title for term in vocabulary(dict(schema), facet.vocabulary)}
            ordered = [value for value in terms if value in present]
            ordered += sorted(present - set(terms))
            facets[facet.name] = {value: terms.get(value, value) for value in ordered}
        else:
            facets[facet.name] = {value: value for value in sorted(present, reverse=True)}
    return FacetLabels(facets)


def incident_document(incident: Incident, labels: FacetLabels) -> str:
    """The HTML Pagefind indexes for ``incident``: weighted text, then facets and facts.

    Every piece of incident text is escaped: Pagefind stores it as text, and the search UI shows
    it as text.
    """
    body = [
        f'<{"h1" if key == "title" else "p"} data-pagefind-weight="{WEIGHTS[key]}">'
        f"{html.escape(text)}</{'h1' if key == 'title' else 'p'}>"
        for key, text in incident_sections(incident).items()
    ]
    meta = {
        "title": incident.title,
        "date": incident.started_at.date().isoformat(),
        "severity": incident.severity,
        "severity_label": labels.label("severity", incident.severity),
        "services": ", ".join(labels.label("service", slug) for slug in incident.services),
        "kind": "incident",
    }
    filters = [("kind", "incident")] + [
        (facet.name, value) for facet in FACETS for value in facet.values(incident)
    ]
    return _document(body, meta, filters, sort={"date": meta["date"]})


def guide_document(title: str, content_html: str) -> str:
    """The HTML Pagefind indexes for a hand-written page: its rendered content (trusted)."""
    return _document([content_html], {"title": title, "kind": "guide"}, [("kind", "guide")])


def _document(
    body: Sequence[str],
    meta: Mapping[str, str],
    filters: Sequence[tuple[str, str]],
    sort: Mapping[str, str] | None = None,
) -> str:
    tags = [
        *(
            f'<span data-pagefind-meta="{key}">{html.escape(value)}</span>'
            for key, value in meta.items()
        ),
        *(
            f'<span data-pagefind-filter="{key}">{html.escape(value)}</span>'
            for key, value in filters
        ),
        *(
            f'<span data-pagefind-sort="{key}">{html.escape(value)}</span>'
            for key, value in (sort or {}).items()
        ),
    ]
    return (
        f"<!DOCTYPE html><html><head><title>{html.escape(meta['title'])}</title></head><body>"
        f"<main data-pagefind-body>{''.join(body)}"
        f"<div data-pagefind-ignore>{''.join(tags)}</div></main></body></html>"
    )


@dataclass(frozen=True)
class Document:
    """One page for the index: its URL from the site root (``incidents/x/``) and its HTML."""

    url: str
    html: str


def write_bundle(
    documents: Iterable[Document],
    site_dir: Path,
    *,
    language: str = "en",
    keep_index_url: bool = False,
) -> int:
    """Index ``documents`` with Pagefind into ``site_dir/pagefind/``; returns how many pages.

    The documents are staged as files and indexed by one run of the Pagefind binary (from the
    ``pagefind-bin`` package), which exits once every file is written. (Pagefind's Python API
    stops its service right after asking it to write, which can leave files cut short, and waits
    0.1 s per response: minutes at 10,000 incidents.) ``keep_index_url`` keeps ``index.html``
    in URLs, for sites without directory URLs.
    """
    output = (site_dir / BUNDLE_DIR).resolve()
    with tempfile.TemporaryDirectory(prefix="postmortems-search-") as folder:
        staging = Path(folder) / "site"
        count = 0
        for document in documents:
            name = document.url + "index.html" if document.url.endswith("/") else document.url
            path = staging / (name or "index.html")
            if not path.resolve().is_relative_to(staging.resolve()):
                raise ValueError(f"search document outside the site: {document.url}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(document.html, encoding="utf-8")
            count += 1
        config = {
            "site": str(staging),
            "output_path": str(output),
            "force_language": language,
            "exclude_selectors": EXCLUDED_SELECTORS,
            "keep_index_url": keep_index_url,
            "silent": True,
        }
        (Path(folder) / "pagefind.json").write_text(json.dumps(config), encoding="utf-8")
        shutil.rmtree(output, ignore_errors=True)
        ran = subprocess.run(
            [str(pagefind_bin.get_executable())],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        if ran.returncode != 0:
            raise RuntimeError(f"pagefind exited with {ran.returncode}: {ran.stdout}{ran.stderr}")
    for name in UNUSED_UI:
        (output / name).unlink(missing_ok=True)
    return count


UNUSED_UI = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
)
"""Pagefind's own search interfaces, written with every bundle; the site brings its own."""


def bundle_texts(bundle: Path) -> dict[Path, str]:
    """Every file of a written bundle as text, its gzip chunks unpacked: what a reader can fetch.

    For checks (a public bundle holds nothing internal) and for tools that inspect an index.
    """
    texts = {}
    for path in sorted(bundle.rglob("*")):
        if not path.is_file() or path.suffix == ".pagefind":
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        texts[path] = data.decode("utf-8", errors="replace")
    return texts


def bundle_records(bundle: Path) -> list[dict[str, Any]]:
    """The records (url, content, meta, filters) of a written bundle's fragments."""
    return [
        json.loads(text.removeprefix(_FRAGMENT_SIGNATURE))
        for path, text in bundle_texts(bundle).items()
        if path.suffix == ".pf_fragment"
    ]
