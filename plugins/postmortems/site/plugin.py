"""The MkDocs plugin: a thin adapter that publishes the core's pages and exports."""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePath
from typing import Any, Literal
from urllib.parse import quote

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import YAML_RE, get_data

from .. import similarity
from ..core.cache import TextStore, default_cache_dir, fingerprint
from ..core.collection import (
    Collection,
    collect_garbage,
    freeze_paused_build,
    freeze_survivors,
    garbage_collection_paused,
    load_collection,
    thaw,
)
from ..core.files import read_folder
from ..core.problems import ProjectError
from ..core.project import ProjectPaths, resolve_paths
from ..core.terminal import inert
from ..core.timestamps import build_date
from ..insights import actions, exports, quality, stats
from . import page_state
from .background import Background
from .config import PostmortemsConfig
from .deferred import defer_sitemap, defer_tags_export, others_quiet_after_build, sitemap_writer
from .forked_pages import made_in_two_processes
from .fragments import Fragments
from .incremental import (
    BlankPages,
    PageSources,
    SourceFiles,
    known_to_tags_plugin,
    nav_paths,
    rebuild,
    site_fingerprint,
    tags_plugin,
)
from .macros import register_macros
from .markdown import FieldRenderer, put_html_back, set_html_aside
from .page_cache import PageCache
from .pages import StoredPages, all_similar, site_pages, template_environment
from .pages import forget as forget_index_rows
from .parked import Parked
from .preview import showing_problems
from .render import COMPILED_TEMPLATES, syntax_problems, templates_fingerprint
from .search_site import SiteSearch
from .standalone import PACKAGED_STYLESHEET, STYLESHEET
from .tags_listings import KeptListings
from .toc import add_lead_headings
from .watching import Watcher

log = get_plugin_logger(__name__)

THEME_DIR = Path(__file__).parent / "theme"
"""Material partials the plugin ships: the footer's export links, the repository link."""

PAUSED_COLLECTOR_PAGES = 500
"""Most generated pages a preview's rebuild makes with the cyclic garbage collector paused (each
page converted leaves up to ~0.2 MB of cycles until they are collected after the build)."""

PLACEHOLDER = "<!-- postmortems: the page body is put in place after every other plugin -->\n"
"""The body MkDocs reads for a generated page, so no plugin (mkdocs-macros) sees incident text."""


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):
    """Turns ``incidents/**/*.yaml`` into incident pages, index pages and exports."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.is_serve = False
        self.dirty = False
        self.built: tuple[bytes, bytes] | None = None
        """After a dirty build: its site fingerprint and its generated pages' fingerprint."""
        self.scratch: Path | None = None
        self.page_sources: PageSources | None = None
        """The last dirty build's generated page sources (see ``incremental``)."""
        self.blank_pages = BlankPages()
        """A dirty build's ``Page`` objects for generated pages outside the nav."""
        self.source_files = SourceFiles()
        """A dirty build's ``File`` objects for generated pages' sources."""
        self.outside_nav: list[File] = []
        """This dirty build's generated pages outside the nav, for ``_on_files_pages``."""
        self.sources_building: PageSources | None = None
        """This build's page sources, if it made any: complete once the build finishes."""
        self.writer = Background()
        """Under ``serve``, writes each build's search index, exports and (in a rebuild) what it
        rendered once its pages are written."""
        self.after_pages: list[Callable[[], None]] = []
        """What ``writer`` is to do once this build's pages are written."""
        self.preview_rebuild = False
        """Whether this build is a preview's rebuild: it leaves the sitemap and the tags export
        to ``writer`` (see ``deferred``)."""
        self.nav: Navigation | None = None
        """A preview's rebuild's nav, for the sitemap."""
        self.paths: ProjectPaths | None = None
        self.collection: Collection | None = None
        self.set_aside: dict[str, list[str]] = {}
        """Final HTML set aside while MkDocs converts its page (see ``set_html_aside``)."""
        self.unread: dict[str, Any] = {}
        """Front matter of the generated pages a dirty build skips (MkDocs does not read them)."""
        self.front_matters: dict[str, dict[str, Any]] = {}
        """The YAML of the last build's generated pages' front matter, and its meta."""
        self.search: SiteSearch | None = None
        self.store = TextStore(None)
        self.page_cache: PageCache | None = None
        self.parked: Parked | None = None
        """Generated pages' Markdown, then HTML, between the events that need them."""
        self.problems: str | None = None
        """Under ``serve``, what is wrong with the files while the last valid incidents show."""
        self.shown_problems: str | None = None
        """``problems`` as of the last build that finished: the preview's server shows them on
        every page it answers with (``on_serve``), the pages of that build."""
        self.fragments: Fragments | None = None
        """Under ``serve``, listings' rows kept from one rebuild to the next (and in the page
        store, for the next preview)."""
        self.watcher = Watcher()
        """Under ``serve``, what tells of saves to the incidents, schema, catalog, templates."""
        self.kept_listings = KeptListings()
        """Under ``serve``, Material's tags listings kept from one rebuild to the next."""
        self.collector_paused = contextlib.ExitStack()
        """A preview's rebuild runs with the cyclic garbage collector paused (see
        ``on_config``); closed when it ends."""

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.is_serve = command == "serve"
        self.dirty = dirty
        self.built = None
        self.page_sources = None
        self.blank_pages = BlankPages()
        self.source_files = SourceFiles()
        self.collection = None  # a new session: no last valid collection to fall back on
        self.shown_problems = None
        self.fragments = Fragments() if self.is_serve else None
        self.kept_listings = KeptListings()

    def on_shutdown(self) -> None:
        """A later build in the same process (tests) is not a preview. The background writing
        stops after its current step: the preview's site is about to go."""
        self.writer.stop()
        thaw()  # a build stopped by KeyboardInterrupt never reached on_build_error
        self.collector_paused.close()
        self.is_serve = self.dirty = False
        self.fragments = None
        self.kept_listings = KeptListings()
        self.watcher.stop()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self.preview_rebuild = self.is_serve and self.dirty and self.built is not None
        self.nav = None
        if self.preview_rebuild:
            # A preview's rebuild, with the last one's objects frozen (``freeze_survivors``):
            # the collector would still rescan the millions it makes (pages, files, listings)
            # several times, a second or two at 10,000 incidents. Its garbage (cycles of pages
            # and files) is collected between builds (see ``on_post_build``).
            self.collector_paused.enter_context(garbage_collection_paused())
        self.problems = None
        self.sources_building = None
        self.after_pages = []
        if not self.dirty:
            # Plain `mkdocs serve` empties the site folder next: not under the background writer.
            self.writer.join()
        self.writer.build_started()
        self.watcher.refresh()
        if not self.config.enabled:
            return None
        root = Path(config.config_file_path or ".").resolve().parent
        self.paths = resolve_paths(
            root,
            self.config,
            site_url=config.site_url or None,
            repo_url=config.repo_url or None,
            directory_urls=config.use_directory_urls,
        )
        self.collection = self._load_collection()
        self.today = build_date()
        self.similar, self.recurrences, self.told = all_similar(
            self.collection, self.config.similar_top
        )
        if not self.is_serve:
            similarity.forget()  # no later build in this process reuses it: memory for pages
        overrides = self._site_templates(root)
        self.scope = fingerprint(str(root)).hex()
        # A preview's rebuild holds what it renders until its pages are written (see
        # ``on_post_build``): no write lock is held meanwhile.
        self.store = TextStore(self._store_path(), deferred=self.preview_rebuild)
        if "attr_list" not in config.markdown_extensions:
            # Incident pages keep their bulky sections out of the search index with it.
            config.markdown_extensions.append("attr_list")
        fields = FieldRenderer(
            list(config.markdown_extensions),
            dict(config.mdx_configs),
            self.store,
            image_hosts=self.config.image_hosts,
        )
        signature = fingerprint(
            templates_fingerprint(overrides), fields.signature, config.use_directory_urls
        )
        if self.fragments is not None:
            self.fragments.start(signature, self.store)
        self.env = template_environment(
            overrides,
            directory_urls=config.use_directory_urls,
            fields=fields,
            fragments=self.fragments,
        )
        self.stored_pages = StoredPages(self.store, signature)
        register_macros(
            config, self.collection, self.env, today=self.today, recurrences=self.recurrences
        )
        # Our partials (the footer's export links, the repository link without the GitHub API
        # call): after the site's own custom_dir, before the theme's.
        config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        if STYLESHEET not in config.extra_css:
            config.extra_css.insert(0, STYLESHEET)  # the site's own stylesheets come after it
        guides = self.search.guides if self.search is not None and self.dirty else None
        self.search = SiteSearch(config, self.collection, guides) if self.config.search else None
        freeze_survivors()  # until the build ends (``_close_caches``) or the preview does
        return config

    def _site_templates(self, root: Path) -> dict[str, str]:
        """The site's own page templates (``templates_dir``), read once and checked."""
        if not self.config.templates_dir:
            return {}
        folder = root / self.config.templates_dir
        if not folder.is_dir():
            raise PluginError(inert(f"postmortems: templates_dir is not a folder: {folder}"))
        try:
            templates = read_folder(folder, root)
        except ProjectError as error:
            raise PluginError(inert(f"postmortems: templates_dir: {error}")) from error
        problems = syntax_problems(templates)
        if problems:
            where = self.config.templates_dir.rstrip("/")
            listed = "\n".join(f"{where}/{problem}" for problem in problems)
            raise PluginError(
                inert(f"postmortems: templates_dir: a template does not parse:\n{listed}")
            )
        return templates

    def _store_path(self) -> Path | None:
        """Where rendered texts are kept between builds (outside the project: no pull request
        plants them), if they are."""
        folder = default_cache_dir() if self.config.cache else None
        return None if folder is None else folder / f"rendered-{self.scope}.sqlite"

    def _load_collection(self) -> Collection:
        """The incidents to publish; invalid files fail the build.

        Under ``serve`` they fail only the first build: later, the last valid collection is
        published with the problems on every page, so the server keeps answering.
        """
        assert self.paths is not None
        try:
            collection = load_collection(
                self.paths, use_cache=self.config.cache, reload=self.is_serve
            )
        except ProjectError as error:
            failure = inert(f"postmortems: {error}")
        else:
            report = log.warning if self.config.fail_on_warnings else log.info
            for warning in collection.warnings:
                report(inert(str(warning)))
            if not collection.errors:
                return collection.for_audience(self.config.audience)
            problems = inert("\n".join(str(problem) for problem in collection.errors))
            count = len(collection.errors)
            failure = f"{count} problem{'s' if count != 1 else ''} in incident files:\n{problems}"
        if not self.is_serve or self.collection is None:
            raise PluginError(failure)
        shown = failure.removeprefix("postmortems: ")  # the plugin's logger names it already
        log.error(f"{shown}\nThe preview shows the last valid incidents until this is fixed.")
        self.problems = failure
        return self.collection

    @event_priority(-50)
    def _on_files_generate(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.collection is None or self.paths is None:
            return None
        docs_dir = Path(config.docs_dir)
        self.parked = Parked()
        self.outside_nav = []
        self.unread = {}
        sources = self._page_sources(config, files)
        everything = hashlib.blake2b(digest_size=16)  # what the generated pages show
        read: dict[str, dict[str, Any]] | None = {} if self.is_serve else None
        pages = site_pages(
            self.collection,
            self.env,
            today=self.today,
            similar=self.similar,
            recurrences=self.recurrences,
            told=self.told,
            stored=self.stored_pages,
        )
        if sources is None:  # every page is made (a dirty build makes few): in two processes
            pages = made_in_two_processes(pages, self.store, len(self.collection.incidents))
        # Each incident file's path from the docs folder (its edit link), from one relative path.
        incidents_prefix = Path(os.path.relpath(self.paths.incidents_dir, docs_dir)).as_posix()
        incidents_prefix = (incidents_prefix + "/").removeprefix("./")
        made = 0  # pages MkDocs is to convert
        with contextlib.closing(pages):  # a failed build ends the second process at once
            for page in pages:
                if page.src_uri in files.src_uris:  # (src_uri is already a POSIX path)
                    log.info(f"docs/{page.src_uri} exists; it replaces the generated page")
                    continue
                # MkDocs reads the front matter; the body waits for on_page_markdown. A dirty
                # build makes neither for a page as it was in the last one (``kept``).
                kept = None if sources is None else sources.head(page.src_uri, page.key)
                if kept is None:
                    front_matter, body, meta = self._front_matter(page.content, read)
                else:
                    front_matter = kept.removesuffix(PLACEHOLDER)
                    body, meta = None, self._front_matter(front_matter, read)[2]
                head = front_matter + PLACEHOLDER
                inclusion = InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV
                if sources is None:
                    file = File.generated(config, page.src_uri, content=head, inclusion=inclusion)
                else:
                    everything.update(page.key)  # only a dirty build compares it with the last one
                    file = sources.file(config, page.src_uri, head, page.key, inclusion)
                if sources is None or file.is_modified():
                    self.parked.put(
                        page.src_uri, page.content[len(front_matter) :] if body is None else body
                    )
                    made += 1
                else:
                    self.unread[page.src_uri] = meta
                if page.source is not None:
                    # The theme puts it in href unescaped.
                    file.edit_uri = quote(incidents_prefix + page.source, safe="/")
                else:
                    file.edit_uri = None
                if sources is not None and not page.in_nav:
                    self.outside_nav.append(file)
                files.append(file)
        self.front_matters = read or {}
        if made > PAUSED_COLLECTOR_PAGES:
            # Every page made again (a setting, template, title of the schema or the date
            # changed): the garbage of converting them would pile up with the collector paused.
            self.collector_paused.close()
        if sources is not None:
            sources.remove_stale(config)
            self._rebuild_hand_written(files, sources.site, everything.digest())
        files.append(File.generated(config, STYLESHEET, abs_src_path=str(PACKAGED_STYLESHEET)))
        if self.config.exports:
            self._add_exports(config, files)
        if self.search is not None:
            self.search.add_files(files, config)
        self.page_cache = PageCache(self.store, config, files)
        if not self.is_serve:
            # Pages and exports are made: no later build in this process reuses these.
            self.similar, self.told = {}, {}
            actions.forget()
            stats.forget()
            quality.forget()
            forget_index_rows()
        return files

    @event_priority(-1000)  # after every other plugin changed the files
    def _on_files_pages(self, files: Files, *, config: MkDocsConfig) -> None:
        """A dirty build's generated pages outside the nav get their ``Page`` (see
        ``BlankPages``), as MkDocs would make it next; not one the ``nav`` setting lists (MkDocs
        names its page after the nav's title)."""
        if not self.outside_nav:
            return
        listed = {PurePath(path).as_posix() for path in nav_paths(config.nav)}  # as MkDocs
        self.blank_pages.start(config)
        for file in self.outside_nav:
            if files.src_uris.get(file.src_uri) is file and file.src_uri not in listed:
                self.blank_pages.add(file, config)
        self.outside_nav = []

    on_files = CombinedEvent(_on_files_generate, _on_files_pages)

    def _add_exports(self, config: MkDocsConfig, files: Files) -> None:
        """The exports, as files MkDocs leaves be: written now straight into the site folder,
        or, in a preview's rebuild that finds the last build's exports there, in the background
        once the pages are written (each is made from every incident: seconds at 10,000). A
        failed write fails the build, or, in the background, is logged."""
        assert self.collection is not None
        destinations = {
            name: File.generated(config, name, content="").abs_dest_path
            for name in exports.EXPORT_NAMES
        }
        made = functools.partial(
            exports.site_exports,
            self.collection.incidents,
            self.similar,
            today=self.today,
            site_url=config.site_url or None,
            site_name=config.site_name,
        )
        in_background = (
            self.is_serve and self.dirty and all(map(os.path.isfile, destinations.values()))
        )
        if in_background:
            self.after_pages.append(
                functools.partial(
                    _write_exports_reading,
                    destinations,
                    made,
                    self._store_path(),
                    self.stored_pages.signature,
                    self.writer.paced,
                )
            )
        else:
            self.writer.join()  # it may be writing the last build's
            _write_exports(destinations, made(memo=self.stored_pages.content))
        for name, destination in destinations.items():
            files.append(File.generated(config, name, abs_src_path=destination))

    def _front_matter(
        self, content: str, read: dict[str, dict[str, Any]] | None
    ) -> tuple[str, str, dict[str, Any]]:
        """A generated page's front matter, body and meta; the YAML of front matter the last
        build read (under ``serve``, most pages) is not read again. What is read is kept in
        ``read`` for the next build, if there is one (a preview's)."""
        found = YAML_RE.match(content)
        if found is not None and (known := self.front_matters.get(found.group(1))) is not None:
            body, meta = content[found.end() :].lstrip("\n"), dict(known)
        else:
            body, meta = get_data(content)
            known = meta if found is not None and body is not content else None
        if read is not None and found is not None and known is not None:
            read[found.group(1)] = known
        return content[: len(content) - len(body)], body, meta

    def _page_sources(self, config: MkDocsConfig, files: Files) -> PageSources | None:
        """For a dirty build: the generated pages' source files (see ``incremental``), one
        folder per project and site folder. The first dirty build of a process rewrites them
        all: another build may have rewritten the site folder since they were written."""
        if not self.dirty:
            return None
        cache = default_cache_dir() if self.config.cache else None
        if cache is None:
            self.scratch = self.scratch or Path(tempfile.mkdtemp(prefix="postmortems-pages-"))
            cache = self.scratch
        folder = cache / f"pages-{fingerprint(self.scope, config.site_dir).hex()}"
        site = site_fingerprint(config, files)
        last = self.page_sources
        known = last.known if last is not None and last.complete and last.folder == folder else None
        self.source_files.start(config)
        self.page_sources = PageSources(
            folder, site, fresh=self.built is None, known=known, files=self.source_files
        )
        self.sources_building = self.page_sources
        return self.page_sources

    def _rebuild_hand_written(self, files: Files, site: bytes, content: bytes) -> None:
        """In a dirty build, hand-written pages (their macros may list incidents) are rebuilt
        when anything generated changed, or one of them did: together, Material's tags plugin
        knows each one's tags (its index and export list them; a page shows its tags' links)."""
        hand_written = [f for f in files.documentation_pages() if not f.generated_by]
        if self.built != (site, content) or any(f.is_modified() for f in hand_written):
            rebuild(f for f in hand_written if f.abs_src_path)
        self.built = (site, content)

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> None:
        if self.preview_rebuild:
            self.nav = nav

    @event_priority(110)  # before Material's tags plugin (100) lists the tags
    def on_env(self, env: Any, /, *, config: MkDocsConfig, files: Files) -> None:
        """In a dirty build, the generated pages MkDocs skips still count for the tags index.
        The theme's templates are compiled once per process (each ``serve`` rebuild makes a new
        environment). A preview keeps the tags index's listings that show what they showed
        (see ``tags_listings``). A preview's rebuild writes the sitemap and the tags export once
        its pages are written."""
        if self.config.enabled and env.bytecode_cache is None:
            env.bytecode_cache = COMPILED_TEMPLATES
        if self.is_serve and self.config.enabled and tags_plugin(config) is not None:
            self.kept_listings.start(env)
        skipped = ((files.src_uris.get(uri), meta) for uri, meta in self.unread.items())
        known_to_tags_plugin(
            config, files, ((file.page, meta) for file, meta in skipped if file and file.page)
        )
        self.unread = {}
        if (
            self.preview_rebuild
            and self.config.enabled
            and self.nav is not None
            and others_quiet_after_build(config, self)
        ):
            if defer_sitemap(config):
                self.after_pages.append(sitemap_writer(env, files, config, self.nav))
            tags_export = defer_tags_export(config)
            if tags_export is not None:
                self.after_pages.append(tags_export)

    @event_priority(-100)
    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """The generated body, after mkdocs-macros (priority 0) has rendered the placeholder;
        nothing to convert when the page cache already has its HTML; its final HTML (fields,
        listings) set aside during conversion."""
        if not page.file.generated_by or self.parked is None:
            return None
        body = self.parked.take(page.file.src_uri)
        if body is None:
            return None
        if self.page_cache is not None:
            body = self.page_cache.markdown(page, body)
        body, self.set_aside[page.file.src_uri] = set_html_aside(body)
        return body

    def _on_page_content_convert(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """The HTML from the page cache, or into it; the table of contents completed."""
        if page.file.generated_by:
            html = put_html_back(html, self.set_aside.pop(page.file.src_uri, ()))
            if self.page_cache is not None:
                html = self.page_cache.content(page, html, files)
            page.markdown = ""  # converted: only the HTML is needed (None would lose the title)
            add_lead_headings(page.toc, html)
        if self.search is not None:
            self.search.add_page(page, html)
        return html

    @event_priority(-1000)  # after every other plugin has seen the HTML
    def _on_page_content_park(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Generated pages' HTML and table of contents wait on disk until their template runs
        (see ``page_state``)."""
        if page.file.generated_by and self.parked is not None:
            page_state.park(page, html, self.parked)
            return ""
        return None

    on_page_content = CombinedEvent(_on_page_content_convert, _on_page_content_park)

    @event_priority(1000)  # before any other plugin looks at the page
    def on_page_context(
        self, context: Any, /, *, page: Page, config: MkDocsConfig, nav: Any
    ) -> None:
        if page.file.generated_by and self.parked is not None:
            page_state.unpark(page, self.parked)

    @event_priority(-100)  # after other plugins have seen the page
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> None:
        if page.file.generated_by:
            page_state.release(page)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.preview_rebuild and not gc.isenabled():
            freeze_paused_build()  # the collector was paused for the rebuild (``on_config``)
        self.collector_paused.close()
        self.shown_problems = self.problems
        # What this build rendered is written in the background, unless an earlier build's
        # still waits there (saves in a row would pile them up in memory).
        deferred = self.store.deferred and not self.writer.keeping
        keep_rendered = self._close_caches()
        if not deferred:
            keep_rendered()
        if self.sources_building is not None:
            self.sources_building.complete = True
        jobs, self.after_pages = self.after_pages, []
        if self.search is not None:
            if not self.is_serve:
                self.search.write(config)
            else:
                jobs.insert(0, functools.partial(self.search.write, config, self.writer.paced))
        if self.is_serve and self.config.enabled:
            # This build's garbage (pages, files: cycles), freed while the preview waits for
            # a save rather than at the start of the next rebuild (``freeze_survivors``).
            jobs.append(self.writer.between_builds(collect_garbage))
        if jobs or deferred:
            # The preview answers at once; what it rendered goes into the store, and its search
            # and exports catch up, in the background, once the last build's writing is done
            # (this build does not wait for it). Its exports and search index make those of
            # earlier builds not yet written needless; what they rendered is still kept (first,
            # since the exports read it).
            self.writer.start(jobs, kept=keep_rendered if deferred else None)
        self.writer.build_ended()

    def on_build_error(self, *, error: Exception) -> None:
        self.collector_paused.close()
        self.writer.build_ended()
        self._close_caches()()

    def _close_caches(self) -> Callable[[], None]:
        """Close this build's caches; the call returned writes what it rendered into the store."""
        if not self.is_serve:
            thaw()  # a preview keeps them frozen for its next rebuild (see ``freeze_survivors``)
        if self.parked is not None:
            self.parked.close()
            self.parked = None
        if self.page_cache is not None:
            self.page_cache.close()
            self.page_cache = None
        return self.store.close_later()

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any) -> None:
        if not self.config.enabled or self.paths is None:
            return
        served = server.get_app()
        if served is not None:
            server.set_app(showing_problems(served, lambda: self.shown_problems))
        others = [self.paths.schema_path]
        catalog = self.paths.catalog_path
        if (
            catalog is not None
            and catalog.is_file()
            and self.paths.incidents_dir not in catalog.parents
        ):
            others.append(catalog)  # outside the incidents folder, nothing else would
        if self.config.templates_dir:
            others.append(self.paths.root / self.config.templates_dir)
        self.watcher.watch(server, self.paths.incidents_dir, others)


def _write_exports(destinations: dict[str, str], contents: dict[str, Iterable[str]]) -> None:
    """Write each export to its destination piece by piece (at 10,000 incidents
    ``incidents.json`` alone is ~100 MB, never held whole), through a ``.partial`` file, so
    that a build stopped half way leaves none cut off."""
    for name, destination in destinations.items():
        path = Path(destination)
        partial = path.with_name(path.name + ".partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with partial.open("w", encoding="utf-8", newline="") as stream:
                stream.writelines(contents.pop(name))
            partial.replace(path)
        except OSError as error:
            raise PluginError(f"postmortems: cannot write {path}: {error.strerror}") from error
        finally:
            partial.unlink(missing_ok=True)


def _write_exports_reading(
    destinations: dict[str, str],
    made: Callable[..., dict[str, Iterable[str]]],
    store_path: Path | None,
    signature: bytes,
    pace: Callable[[Iterable[str]], Iterable[str]],
) -> None:
    """``_write_exports`` in the background: each ``incidents.json`` record the store at
    ``store_path`` holds is read from it (by a connection of this thread, which never waits
    for the next build's writing); the others, the edited incidents', are made. Each piece
    is taken through ``pace`` (which pauses while a build runs). When it fails,
    the exports go: the next build writes them itself (and fails if it cannot), instead of
    every later one leaving the stale ones in place."""
    reader = TextStore(store_path, reader=True)
    try:
        contents = made(memo=StoredPages(reader, signature).content)
        _write_exports(destinations, {name: pace(pieces) for name, pieces in contents.items()})
    except BaseException:
        for destination in destinations.values():
            with contextlib.suppress(OSError):
                os.unlink(destination)
        raise
    finally:
        reader.close()
