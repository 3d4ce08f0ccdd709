"""The Pagefind search index: what each incident and guide contributes, and writing the bundle.

Pure core: no MkDocs. Each incident becomes a small HTML document holding only the text that
finds incidents (title, summary, root cause, trigger, contributing factors, resolution, lessons),
weighted in that order, plus the facts a result shows. Pagefind writes a chunked index, so a
query downloads a few small files, not the whole index.

The facets are not Pagefind filters: next to the bundle, ``FACET_TABLE`` lists every incident's
page id and facet values, newest first, and the search page narrows and counts results with it.
(Pagefind 1.5.2 counts filter values in time proportional to results x pages, seconds at 10,000
incidents; it writes filter files in a random order; and an empty query with a filter downloads
the whole word index.)
"""

from __future__ import annotations

import dataclasses
import gzip
import html
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.model import Incident
from ..core.vocabulary import vocabulary
from .pagefind_service import Page, index_pages

BUNDLE_DIR = "pagefind"
"""The bundle's folder at the site root (``pagefind/pagefind.js`` and its chunks)."""
FACET_TABLE = "postmortems-facets.json.gz"
"""Each incident's page id and facet values, newest first, gzipped: in the bundle's folder."""


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
    """The HTML Pagefind indexes for ``incident``: weighted text, then the facts a result shows.

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
    return _document(body, meta)


def guide_document(title: str, content_html: str) -> str:
    """The HTML Pagefind indexes for a hand-written page: its rendered content (trusted)."""
    return _document([content_html], {"title": title, "kind": "guide"})


def _document(body: Sequence[str], meta: Mapping[str, str]) -> str:
    tags = "".join(
        f'<span data-pagefind-meta="{key}">{html.escape(value)}</span>'
        for key, value in meta.items()
    )
    return (
        f"<!DOCTYPE html><html><head><title>{html.escape(meta['title'])}</title></head><body>"
        f"<main data-pagefind-body>{''.join(body)}"
        f"<div data-pagefind-ignore>{tags}</div></main></body></html>"
    )


@dataclass(frozen=True)
class Document:
    """One page for the index: its URL from the site root (``incidents/x/``) and its HTML; an
    incident's also its facet values and when it started (the facet table's order)."""

    url: str
    html: str
    facets: Mapping[str, Sequence[str]] | None = None
    started: float = 0.0


def incident_record(incident: Incident, labels: FacetLabels, url: str) -> Document:
    """``incident`` as the index holds it, at ``url``."""
    return Document(
        url,
        incident_document(incident, labels),
        {facet.name: list(facet.values(incident)) for facet in FACETS},
        incident.started_at.timestamp(),
    )


def write_bundle(
    documents: Iterable[Document],
    site_dir: Path,
    *,
    language: str = "en",
    keep_index_url: bool = False,
) -> int:
    """Index ``documents`` with Pagefind into ``site_dir/pagefind/``; returns how many pages.

    Pagefind numbers the pages in the order given, so the same documents give the same files.
    ``documents`` is read while Pagefind indexes the ones before. ``keep_index_url`` keeps
    ``index.html`` in URLs, for sites without directory URLs.
    """
    seen: list[Document] = []  # without their HTML (megabytes at 10,000 incidents)

    def pages() -> Iterator[Page]:
        for document in documents:
            seen.append(dataclasses.replace(document, html=""))
            path = document.url + "index.html" if document.url.endswith("/") else document.url
            yield Page(path, document.html)

    indexed = index_pages(
        pages(),
        {
            "force_language": language,
            "exclude_selectors": EXCLUDED_SELECTORS,
            "keep_index_url": keep_index_url,
        },
    )
    files = {
        name: content
        for name, content in indexed.files.items()
        if name not in UNUSED_UI and not name.startswith("playground/")
    }
    ids = {
        _fragment(content)["url"]: name.removeprefix("fragment/").removesuffix(".pf_fragment")
        for name, content in files.items()
        if name.startswith("fragment/")
    }
    files[FACET_TABLE] = facet_table(
        [
            (ids[url], document)
            for url, document in zip(indexed.urls, seen, strict=True)
            if document.facets is not None and url in ids
        ]
    )
    _write_files((site_dir / BUNDLE_DIR).resolve(), files)
    return len(seen)


_ENTRY = "pagefind-entry.json"
"""The file a reader's browser opens first: it names the index's current metadata file."""


def _write_files(output: Path, files: Mapping[str, bytes]) -> None:
    """Make ``output`` hold exactly ``files``. Files already there with the same bytes stay:
    Pagefind names its chunks by their content, so a rebuild writes only what changed. The entry
    file goes last and stale files go after it, so a reader finds one bundle or the other whole.
    """
    paths = {(output / name).resolve(): content for name, content in files.items()}
    if any(not path.is_relative_to(output) for path in paths):
        raise ValueError("pagefind returned a file outside its folder")
    entry = (output / _ENTRY).resolve()
    for folder in sorted({path.parent for path in paths}):
        folder.mkdir(parents=True, exist_ok=True)
    for path, content in sorted(paths.items(), key=lambda item: item[0] == entry):
        if not (
            path.is_file() and path.stat().st_size == len(content) and path.read_bytes() == content
        ):
            path.write_bytes(content)
    for path in sorted(output.rglob("*"), reverse=True):
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        elif path not in paths:
            path.unlink()


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


def facet_table(incidents: Sequence[tuple[str, Document]]) -> bytes:
    """``FACET_TABLE`` for ``incidents`` (each with its Pagefind page id), gzipped.

    ``{"facets": {name: [value, ...]}, "pages": [[id, [value index, ...] per facet], ...]}``,
    the pages newest first (the order of an empty query).
    """
    values = {
        facet.name: sorted(
            {value for _, document in incidents for value in (document.facets or {})[facet.name]}
        )
        for facet in FACETS
    }
    index = {name: {value: i for i, value in enumerate(names)} for name, names in values.items()}
    newest_first = sorted(incidents, key=lambda pair: -pair[1].started)
    pages = [
        [
            page,
            *([index[name][value] for value in (document.facets or {})[name]] for name in values),
        ]
        for page, document in newest_first
    ]
    text = json.dumps({"facets": values, "pages": pages}, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


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
    """The records (url, content, meta) of a written bundle's fragments."""
    return [_fragment(path.read_bytes()) for path in sorted(bundle.glob("fragment/*.pf_fragment"))]


def bundle_facets(bundle: Path) -> dict[str, dict[str, list[str]]]:
    """The facet table of a written bundle: each incident's facet values by its URL, newest
    first."""
    urls = {
        path.name.removesuffix(".pf_fragment"): _fragment(path.read_bytes())["url"]
        for path in bundle.glob("fragment/*.pf_fragment")
    }
    table = json.loads(gzip.decompress((bundle / FACET_TABLE).read_bytes()))
    names = table["facets"]
    return {
        urls[page]: {
            name: [names[name][i] for i in indices]
            for name, indices in zip(names, values, strict=True)
        }
        for page, *values in table["pages"]
    }


def _fragment(content: bytes) -> dict[str, Any]:
    """A Pagefind fragment file's record: the signature, then JSON, gzipped."""
    text = gzip.decompress(content).decode("utf-8")
    record: dict[str, Any] = json.loads(text.removeprefix(_FRAGMENT_SIGNATURE))
    return record
