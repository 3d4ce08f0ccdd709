"""The generated site as plain Markdown files, for site generators without this plugin.

``postmortems render OUT`` writes these files: every generated page with its front matter (the
incident text already rendered and sanitised, as the plugin puts it on the page), a front page
``index.md`` listing the incidents, the exports and the stylesheet. Zensical, or any generator
that reads Markdown with front matter and passes raw HTML through, builds a browsable site from
them; what needs the plugin at build time (the search index, mkdocs-macros on hand-written
pages) is not part of it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jinja2

from ..core.collection import Collection
from ..core.vocabulary import vocabulary
from ..insights import exports
from .pages import all_similar, site_pages
from .render import render

STYLESHEET = "assets/postmortems.css"
PACKAGED_STYLESHEET = Path(__file__).parent / STYLESHEET
FRONT_PAGE = "index.md"


def standalone_files(
    collection: Collection,
    env: jinja2.Environment,
    *,
    today: date,
    similar_top: int,
    site_url: str | None,
    site_name: str,
    with_exports: bool = True,
) -> dict[str, str]:
    """Every file of the generated site, by its path under the docs folder."""
    similar, recurrences, told = all_similar(collection, similar_top)
    pages = site_pages(
        collection, env, today=today, similar=similar, recurrences=recurrences, told=told
    )
    files = {page.src_uri: page.content for page in pages}  # every page: they are written
    titles = {
        name: {term.value: term.title for term in vocabulary(collection.schema, name)}
        for name in ("severity", "status")
    }
    files[FRONT_PAGE] = render(
        env,
        "index.md.j2",
        page_src=FRONT_PAGE,
        site_name=site_name,
        incidents=collection.incidents,
        severities=titles["severity"],
        statuses=titles["status"],
        with_exports=with_exports,
    )
    files[STYLESHEET] = PACKAGED_STYLESHEET.read_text(encoding="utf-8")
    if with_exports:
        made = exports.site_exports(
            collection.incidents, similar, today=today, site_url=site_url, site_name=site_name
        )
        files |= {name: "".join(parts) for name, parts in made.items()}
    return files
