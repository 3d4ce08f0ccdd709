"""Pagefind search in the MkDocs site: the header box, the ``search/`` page and the index.

The plugin calls one method per MkDocs event. Material's own search plugin is not needed (its
lunr index is one file every reader downloads whole); the theme override shipped here puts
Material's search box in the header without it, and ``assets/postmortems-search.js`` drives the box.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from ..core.collection import Collection
from ..core.urls import file_url, incident_page
from .search_index import (
    BUNDLE_DIR,
    FACET_TABLE,
    FACETS,
    Document,
    FacetLabels,
    facet_labels,
    guide_document,
    incident_record,
    write_bundle,
)

log = get_plugin_logger(__name__)

PACKAGE = Path(__file__).parent
THEME_DIR = PACKAGE / "search_theme"
"""Material's header with the search box, which ``assets/postmortems-search.js`` drives."""
SCRIPT = "assets/postmortems-search.js"
SEARCH_PAGE = "search/index.md"


def search_page(labels: FacetLabels) -> str:
    """The Markdown of ``search/``: a mount point for the script, with the facets it offers."""
    facets = [
        {"name": facet.name, "label": facet.label, "values": list(values.items())}
        for facet in FACETS
        if (values := labels.facets.get(facet.name))
    ]
    data = html.escape(json.dumps(facets, ensure_ascii=False), quote=True)
    return (
        "---\ntitle: Search\nrender_macros: false\nhide:\n  - navigation\n  - toc\n---\n\n"
        "# Search incidents\n\n"
        f'<div class="pm-search-page" data-pm-facets="{data}"'
        f' data-pm-bundle="../{BUNDLE_DIR}/pagefind.js"'
        f' data-pm-facet-table="../{BUNDLE_DIR}/{FACET_TABLE}">\n'
        "<p>Search needs JavaScript, and the site served over HTTP: run <code>mkdocs serve</code>"
        ' and open <a href="http://127.0.0.1:8000/">http://127.0.0.1:8000/</a>.</p>\n'
        "</div>\n"
    )


class SiteSearch:
    """What one build's search needs: the facet labels, the guides seen, the index written."""

    def __init__(
        self,
        config: MkDocsConfig,
        collection: Collection,
        guides: dict[str, Document] | None = None,
    ) -> None:
        """``guides``: the hand-written pages a previous dirty build indexed (it skips some)."""
        self.collection = collection
        self.directory_urls = config.use_directory_urls
        self.language = str(config.theme.get("language") or "en")
        self.labels = facet_labels(
            collection.incidents, collection.schema, collection.catalog or {}
        )
        self.guides: dict[str, Document] = dict(guides or {})
        position = 1 if config.theme.custom_dir else 0
        config.theme.dirs.insert(position, str(THEME_DIR))
        if SCRIPT not in config.extra_javascript:
            config.extra_javascript.append(SCRIPT)
        if "material/search" in config.plugins:
            log.info(
                "Material's search plugin is not needed with the postmortems search: remove "
                "`- search` from plugins to skip building its unused index"
            )

    def add_files(self, files: Files, config: MkDocsConfig) -> None:
        """The search page (unless ``docs/search/index.md`` replaces it) and the script."""
        if files.get_file_from_path(SEARCH_PAGE) is None:
            files.append(
                File.generated(
                    config,
                    SEARCH_PAGE,
                    content=search_page(self.labels),
                    inclusion=InclusionLevel.NOT_IN_NAV,
                )
            )
        files.append(File.generated(config, SCRIPT, abs_src_path=str(PACKAGE / SCRIPT)))

    def add_page(self, page: Page, content_html: str) -> None:
        """Remember a hand-written page for the index (generated pages are indexed from data)."""
        if page.file.generated_by is not None:
            return
        search = page.meta.get("search")
        if isinstance(search, dict) and search.get("exclude"):
            return
        self.guides[page.url] = Document(
            page.url, guide_document(str(page.title or page.url), content_html)
        )

    def documents(self) -> Iterator[Document]:
        """Every page the index holds: each incident of the site, then the guides."""
        for incident in self.collection.incidents:
            url = file_url(incident_page(incident.id), directory_urls=self.directory_urls)
            yield incident_record(incident, self.labels, url)
        yield from self.guides.values()

    def write(
        self,
        config: MkDocsConfig,
        pace: Callable[[Iterable[Document]], Iterable[Document]] = iter,
    ) -> None:
        """Write the Pagefind bundle into the built site, taking the documents through ``pace``
        (which may pause between them)."""
        try:
            count = write_bundle(
                pace(self.documents()),
                Path(config.site_dir),
                language=self.language,
                keep_index_url=not self.directory_urls,
            )
        except Exception as error:  # Pagefind reports its failures as plain exceptions
            raise PluginError(f"postmortems: writing the search index failed: {error}") from error
        log.debug(f"search index: {count} pages")
