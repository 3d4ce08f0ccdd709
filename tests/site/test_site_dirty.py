"""Dirty rebuilds (``make serve`` runs ``mkdocs serve --dirty``): only the pages whose inputs
changed are rebuilt, and the site is the same as a clean build's."""

from __future__ import annotations

import copy
import gc
import gzip
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import jinja2
import material
import pytest
from mkdocs.commands import build as build_module
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.structure.pages import Page
from postmortems.core import collection as collection_module
from postmortems.insights.exports import EXPORT_NAMES
from postmortems.site import background as background_module
from postmortems.site import deferred as deferred_module
from postmortems.site import pages as pages_module
from postmortems.site import plugin as plugin_module
from postmortems.site import render as render_module
from postmortems.site.incremental import PageSources
from postmortems.site.search_site import SiteSearch
from sitebuild import RICH_ID, SOURCE_DATE_EPOCH, build_site, copy_project

pytestmark = pytest.mark.slow

OTHER_ID = "2023-06-02-search-index-rebuild-stalled"
SEARCH_TAGGED_ID = "2024-08-19-search-cluster-disk-full"
"""The fixture's one incident tagged ``search``."""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture project, built as of ``BUILD_DATE``, with a cache folder of its own."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return copy_project(tmp_path / "project")


class Preview:
    """Dirty builds of one project into one folder, as ``build --dirty`` and ``serve --dirty``
    run them: a new configuration each time (MkDocs keeps the plugin instance, which has
    ``on_startup``). As ``build``: ``serve`` writes the search index and exports in the
    background (``stop`` waits for them, ``quit`` as Ctrl-C does not)."""

    def __init__(self, project: Path, command: Literal["build", "serve"] = "build") -> None:
        self.project = project
        self.site_dir = project.parent / "preview"
        self._config().plugins.on_startup(command=command, dirty=True)

    def _config(self) -> MkDocsConfig:
        return load_config(str(self.project / "mkdocs.yml"), site_dir=str(self.site_dir))

    def build(self) -> dict[str, int]:
        """Rebuild; the modification time of every HTML page afterwards."""
        build(self._config(), dirty=True)
        return {
            path.relative_to(self.site_dir).as_posix(): path.stat().st_mtime_ns
            for path in self.site_dir.rglob("*.html")
        }

    def wait(self) -> None:
        """Until the background writing is done."""
        self._config().plugins["postmortems"].writer.join()

    def stop(self) -> None:
        """Once the background writing is done, as a preview left running would have it."""
        self.wait()
        self._config().plugins.on_shutdown()

    def quit(self) -> None:
        """As Ctrl-C stops ``mkdocs serve``."""
        self._config().plugins.on_shutdown()

    def page(self, url: str) -> str:
        return (self.site_dir / url / "index.html").read_text(encoding="utf-8")


@pytest.fixture
def preview(project: Path) -> Iterator[Preview]:
    running = Preview(project)
    yield running
    running.stop()


def html_files(site_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(site_dir).as_posix(): p.read_bytes() for p in site_dir.rglob("*.html")}


def assert_as_built_clean(project: Path, site_dir: Path) -> None:
    """The HTML pages in ``site_dir`` are those a clean build of ``project`` makes, byte for
    byte (the same pages first, for a readable failure)."""
    clean = html_files(build_site(project, project.parent / "clean").site_dir)
    built = html_files(site_dir)
    assert built.keys() == clean.keys()
    assert built == clean


def rewritten(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {name for name, mtime in after.items() if before.get(name) != mtime}


def edit(project: Path, incident_id: str, old: str, new: str) -> None:
    path = next(project.glob(f"incidents/**/{incident_id}.yaml"))
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rebuilt_preview(project: Path, change: Callable[[], object]) -> Preview:
    """A ``serve`` preview of ``project`` built, changed by ``change`` and rebuilt, then stopped
    (its background writing done)."""
    preview = Preview(project, command="serve")
    try:
        preview.build()
        change()
        preview.build()
    finally:
        preview.stop()
    return preview


def test_an_edited_story_rebuilds_its_page_and_the_pages_that_list_incidents(
    project: Path, preview: Preview
) -> None:
    first = preview.build()
    before = preview.build()
    # Only pages MkDocs always renders (templates, pages generated from memory) are written again.
    assert rewritten(first, before) <= {"404.html", "search/index.html"}
    edit(project, RICH_ID, "\nsummary: ", "\nsummary: Edited story. ")
    after = preview.build()
    changed = rewritten(before, after)
    assert f"incidents/{RICH_ID}/index.html" in changed
    assert f"incidents/{OTHER_ID}/index.html" not in changed
    assert "index.html" in changed  # the home page lists incidents through macros
    assert len(changed) < len(after) / 2
    assert "Edited story." in preview.page(f"incidents/{RICH_ID}")
    assert_as_built_clean(project, preview.site_dir)


def test_an_edited_title_shows_in_the_tags_index_though_tagged_pages_are_skipped(
    project: Path, preview: Preview
) -> None:
    before = preview.build()
    edit(project, RICH_ID, "\ntitle: ", "\ntitle: Retitled ")
    after = preview.build()
    assert f"incidents/{OTHER_ID}/index.html" not in rewritten(before, after)
    assert "Retitled" in preview.page("tags")
    assert_as_built_clean(project, preview.site_dir)


def test_each_rebuild_gives_generated_pages_new_pages_as_mkdocs_makes_them(
    project: Path, preview: Preview, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild copies the ``Page`` of a generated page outside the nav from the last one's
    (``incremental.BlankPages``): each is as ``Page.__init__`` makes it, whatever the last build
    did to its own, and it moves with its edit link. Each page source's ``File`` is copied too
    (``incremental.SourceFiles``): a new object, with the paths and URL MkDocs gives it."""
    seen: list[dict[str, Page]] = []
    sources: list[dict[str, File]] = []
    navigation = build_module.get_navigation

    def recorded(files: Any, config: MkDocsConfig) -> Any:
        generated = {
            f.src_uri: f
            for f in files.documentation_pages()
            if f.generated_by and f.abs_src_path is not None  # (a page source: in the cache)
        }
        for src_uri, file in generated.items():
            assert file.abs_src_path is not None
            made_file = File.generated(
                config, src_uri, abs_src_path=file.abs_src_path, inclusion=file.inclusion
            )
            made_paths = (made_file.src_uri, made_file.dest_uri, made_file.url)
            assert (file.src_uri, file.dest_uri, file.url) == made_paths, src_uri
            assert file.abs_dest_path == made_file.abs_dest_path, src_uri
        sources.append(generated)
        pages = {
            f.src_uri: f.page
            for f in files.documentation_pages()
            if f.generated_by and f.page is not None  # (MkDocs makes the others' next)
        }
        assert {f"incidents/{RICH_ID}/index.md", "services/checkout-api/index.md"} <= set(pages)
        for src_uri, page in pages.items():
            assert page is not None and page.file.page is page, src_uri
            made = Page(None, copy.copy(page.file), config)
            assert {**vars(page), "file": None} == {**vars(made), "file": None}, src_uri
            page.meta["left"] = "by a plugin"  # in place: the next build's pages never show it
        seen.append(pages)
        return navigation(files, config)

    monkeypatch.setattr(build_module, "get_navigation", recorded)
    preview.build()
    edit(project, OTHER_ID, "\nsummary: ", "\nsummary: Edited story. ")
    preview.build()
    assert seen[0].keys() == seen[1].keys()
    assert seen[0][f"incidents/{RICH_ID}/index.md"] is not seen[1][f"incidents/{RICH_ID}/index.md"]
    assert sources[0].keys() == sources[1].keys()
    assert f"incidents/{RICH_ID}/index.md" in sources[1]
    assert not any(sources[1][src_uri] is file for src_uri, file in sources[0].items())
    moved = next(project.glob(f"incidents/**/{RICH_ID}.yaml"))
    moved.rename(moved.parent.parent / moved.name)
    preview.build()
    page = seen[2][f"incidents/{RICH_ID}/index.md"]
    assert page is not None and page.edit_url is not None
    assert page.edit_url.endswith(f"/incidents/{RICH_ID}.yaml")


def test_a_generated_page_the_nav_lists_keeps_the_nav_title_in_a_rebuild(
    project: Path, preview: Preview
) -> None:
    """A site may list any generated page in its ``nav``: MkDocs names it by the nav's title,
    in a rebuild as in a clean build."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    listed = "      - By date: timeline/index.md\n"
    assert listed in text
    config.write_text(
        text.replace(listed, listed + "      - Year twenty-four: ./timeline/2024/index.md\n"),
        encoding="utf-8",
    )
    preview.build()
    edit(project, RICH_ID, "\nsummary: ", "\nsummary: Edited story. ")
    preview.build()
    assert "Year twenty-four" in preview.page(f"incidents/{RICH_ID}")
    assert_as_built_clean(project, preview.site_dir)


def test_a_preview_keeps_listing_rows_yet_shows_edited_titles_and_action_items_everywhere(
    project: Path,
) -> None:
    """Under ``serve`` each listing's rows are kept between rebuilds (``site.fragments``):
    an edited title and action item still show on every listing, as a clean build shows them."""
    preview = Preview(project, command="serve")
    try:
        preview.build()
        edit(project, RICH_ID, "\ntitle: ", "\ntitle: Retitled ")
        edit(project, RICH_ID, "Document acquirer timeouts", "Publish acquirer timeouts")
        edit(project, OTHER_ID, "\ntitle: ", "\ntitle: Renamed ")  # found by quality checks
        preview.build()
    finally:
        preview.stop()
    assert "Renamed" in preview.page("quality")
    listings = (
        "incidents",
        "services/checkout-api",
        "root-causes/config-change",
        "action-items/in-progress",
    )
    for listing in listings:
        assert "Retitled" in preview.page(listing), listing
    assert "Publish acquirer timeouts" in preview.page("action-items/in-progress")
    assert "Document acquirer timeouts" not in preview.page("action-items/in-progress")
    assert_as_built_clean(project, preview.site_dir)


def test_a_preview_makes_only_the_pages_an_edit_changed_and_stats_no_page_source_left_alone(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page whose key (everything it shows) is the last build's is not made again: an
    untouched incident's page is neither rendered nor read, and its source not even stated:
    the last build, which finished, built the page from it as it is."""
    rendered: list[str] = []
    render = render_module.render

    def counted_render(env: Any, template: str, **context: Any) -> str:
        rendered.append(context["page_src"])
        return render(env, template, **context)

    asked: Counter[str] = Counter()
    is_modified = File.is_modified

    def counted_is_modified(file: File) -> bool:
        asked[file.src_uri] += 1
        return is_modified(file)

    preview = Preview(project, command="serve")
    try:
        preview.build()
        monkeypatch.setattr(render_module, "render", counted_render)
        monkeypatch.setattr(File, "is_modified", counted_is_modified)
        edit(project, RICH_ID, "\ntitle: ", "\ntitle: Retitled ")
        preview.build()
    finally:
        preview.stop()
    assert f"incidents/{RICH_ID}/index.md" in rendered
    assert f"incidents/{OTHER_ID}/index.md" not in rendered
    assert "incidents/index.md" in rendered  # lists the new title
    assert asked[f"incidents/{OTHER_ID}/index.md"] == 0
    assert asked[f"incidents/{RICH_ID}/index.md"] == 0  # rewritten: newer than its page
    assert "Retitled" in preview.page(f"incidents/{RICH_ID}")


def test_the_statistics_page_is_made_again_only_when_what_it_counts_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statistics count severities, categories, services, months and durations: a new
    title leaves the page as it was, a new severity makes it again."""
    made: list[int] = []
    stats_page = pages_module.stats_page

    def counted_stats_page(*args: Any) -> str:
        made.append(1)
        return stats_page(*args)

    preview = Preview(project, command="serve")
    try:
        preview.build()
        monkeypatch.setattr(pages_module, "stats_page", counted_stats_page)
        edit(project, RICH_ID, "\ntitle: ", "\ntitle: Retitled ")
        preview.build()
        assert made == []
        edit(project, RICH_ID, "\nseverity: SEV2", "\nseverity: SEV1")
        preview.build()
        assert made == [1]
    finally:
        preview.stop()
    assert_as_built_clean(project, preview.site_dir)


def test_the_follow_up_pages_are_made_again_only_when_what_they_list_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The action-items overview counts items by status and owner, each status's page lists
    its items with their incidents' titles, the quality page lists findings: a title edit
    makes again only the pages that list the incident."""
    made: list[str] = []

    def recorded(name: str) -> Callable[..., str]:
        page = getattr(pages_module, name)

        def recording(*args: Any) -> str:
            status = next((arg.value for arg in args if hasattr(arg, "value")), None)
            made.append(name if status is None else f"{name}:{status}")
            return page(*args)

        return recording

    preview = Preview(project, command="serve")
    try:
        preview.build()
        for name in ("action_items_page", "action_status_page", "quality_page"):
            monkeypatch.setattr(pages_module, name, recorded(name))
        edit(project, RICH_ID, "\ntitle: ", "\ntitle: Retitled ")  # an item of each status
        preview.build()
        statuses = [f"action_status_page:{s}" for s in ("done", "in-progress", "open", "wont-do")]
        assert sorted(made) == statuses
        made.clear()
        edit(project, OTHER_ID, "\ntitle: ", "\ntitle: Retitled ")  # no items, quality findings
        preview.build()
        assert made == ["quality_page"]
        made.clear()
        edit(project, RICH_ID, "owner: Payments team", "owner: Checkout team")  # counted by owner
        preview.build()
        assert sorted(made) == ["action_items_page", *statuses]
    finally:
        preview.stop()
    assert_as_built_clean(project, preview.site_dir)


def before_exports(monkeypatch: pytest.MonkeyPatch, hook: Callable[[bool], None]) -> None:
    """Call ``hook`` before each writing of the exports, with whether it is in the background."""
    write = plugin_module._write_exports

    def hooked(destinations: dict[str, str], contents: dict[str, Iterable[str]]) -> None:
        hook(threading.current_thread() is not threading.main_thread())
        write(destinations, contents)

    monkeypatch.setattr(plugin_module, "_write_exports", hooked)


def test_a_preview_writes_its_exports_once_the_pages_are_written_as_a_clean_build_would(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each export is made from every incident (seconds at 10,000): a preview's rebuild shows
    the edited page first and writes the exports in the background, the same as a clean build."""
    in_background: list[bool] = []
    before_exports(monkeypatch, in_background.append)
    preview = rebuilt_preview(
        project, lambda: edit(project, RICH_ID, "\ntitle: ", "\ntitle: Retitled ")
    )
    assert in_background == [False, True]  # the first build finds no exports to show meanwhile
    clean = build_site(project, project.parent / "clean").site_dir
    for name in EXPORT_NAMES:
        assert (preview.site_dir / name).read_bytes() == (clean / name).read_bytes(), name
    assert "Retitled" in (preview.site_dir / "incidents.json").read_text(encoding="utf-8")


def test_a_preview_rebuild_writes_the_sitemap_and_tags_export_after_its_pages_as_built_clean(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each lists every page (a sitemap entry, every page's tags): a preview's rebuild leaves
    them to its background writing, which writes what a clean build would. (Two pages the
    rebuild skips have the same tags: Material's tags plugin reads them once.)"""
    sitemap_threads: list[bool] = []
    build_template = build_module._build_theme_template

    def recorded(name: str, *args: Any) -> None:
        if name == "sitemap.xml":
            sitemap_threads.append(threading.current_thread() is threading.main_thread())
        build_template(name, *args)

    monkeypatch.setattr(build_module, "_build_theme_template", recorded)
    monkeypatch.setattr(deferred_module, "_build_theme_template", recorded)
    edit(project, OTHER_ID, "\ntitle: ", "\ntags: [search]\ntitle: ")
    preview = rebuilt_preview(
        project, lambda: edit(project, RICH_ID, "  - timeouts\n", "  - latency\n")
    )
    assert sitemap_threads == [True, False]  # the first build's in it, the rebuild's after it
    assert_as_built_clean(project, preview.site_dir)  # the tags index among the pages
    clean = project.parent / "clean"
    for name in ("sitemap.xml", "tags.json"):
        assert (preview.site_dir / name).read_bytes() == (clean / name).read_bytes(), name
    assert (
        gzip.decompress((preview.site_dir / "sitemap.xml.gz").read_bytes())
        == (clean / "sitemap.xml").read_bytes()
    )
    assert '"latency"' in (preview.site_dir / "tags.json").read_text(encoding="utf-8")


STAMPING_MACROS = """
import os


def define_env(env):
    pass


def on_post_build(env):
    with open(os.path.join(env.conf["site_dir"], "sitemap.xml"), "a", encoding="utf-8") as f:
        f.write("<!-- stamped -->\\n")
"""


def test_a_site_that_acts_after_its_build_gets_the_sitemap_written_before(project: Path) -> None:
    """A site's own post-build step (an mkdocs-macros ``on_post_build``, a hook) may read or
    change the sitemap, which a clean build has written by then: a preview's rebuild then
    writes it itself, before."""
    (project / "main.py").write_text(STAMPING_MACROS, encoding="utf-8")
    preview = rebuilt_preview(
        project, lambda: edit(project, RICH_ID, "\ntitle: ", "\ntitle: Retitled ")
    )
    clean = build_site(project, project.parent / "clean").site_dir
    stamped = (preview.site_dir / "sitemap.xml").read_text(encoding="utf-8")
    assert stamped.count("<!-- stamped -->") == 1
    assert stamped == (clean / "sitemap.xml").read_text(encoding="utf-8")


def test_an_edited_hand_written_page_keeps_every_hand_written_page_s_tags(project: Path) -> None:
    """Only a hand-written page changed: the others are rebuilt with it, so the tags index and
    export still list a tagged one, as a clean build does."""
    docs = project / "docs"
    (docs / "guide.md").write_text("---\ntags: [search]\n---\n# Guide\n\nText.\n", encoding="utf-8")
    (docs / "other.md").write_text("# Other\n\nText.\n", encoding="utf-8")
    _, tags = rebuilt_tags_export(
        project, lambda: (docs / "other.md").write_text("# Other\n\nChanged.\n", encoding="utf-8")
    )
    assert '"guide/"' in tags


def rebuilt_tags_export(project: Path, change: Callable[[], object]) -> tuple[Preview, str]:
    """A preview built, changed and rebuilt, with its tags export: as a clean build's, as the
    whole site is."""
    preview = rebuilt_preview(project, change)
    assert_as_built_clean(project, preview.site_dir)
    tags = (preview.site_dir / "tags.json").read_text(encoding="utf-8")
    assert tags == (project.parent / "clean" / "tags.json").read_text(encoding="utf-8")
    return preview, tags


def test_a_site_whose_tags_nest_and_hide_lists_them_as_clean_after_a_retitle(
    project: Path,
) -> None:
    """Material's tags plugin can nest tags (``black-friday`` under ``black``) and hide some: the
    tags a rebuild tells it for the pages it skips are those it would have read itself."""
    config = project / "mkdocs.yml"
    settings = (
        "  - tags:\n"
        "      tags_hierarchy: true\n"
        "      tags_hierarchy_separator: '-'\n"
        "      shadow_tags: [payments]\n"
        "      shadow: true\n"
    )
    text = config.read_text(encoding="utf-8").replace("  - tags\n", settings, 1)
    config.write_text(text, encoding="utf-8")
    preview, tags = rebuilt_tags_export(
        project, lambda: edit(project, SEARCH_TAGGED_ID, "\ntitle: ", "\ntitle: Retitled ")
    )
    assert '"black-friday"' in tags and '"payments"' in tags
    listed = preview.page("tags")
    assert "Retitled" in listed and 'id="tag:black"' in listed and "md-tag-shadow" in listed


def listing_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each tags listing Material's listing template renders, by its headline, from now on."""
    rendered: list[str] = []
    render = jinja2.Template.render

    def counted(self: jinja2.Template, *args: Any, **kwargs: Any) -> str:
        if (self.name or "").endswith("tags/default/listing.html"):
            rendered.append(kwargs["listing"].content)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", counted)
    return rendered


def retitle_in_preview(project: Path, rendered: list[str]) -> tuple[Preview, list[str]]:
    """A ``serve`` preview retitling the ``search``-tagged incident; the listings the rebuild
    rendered, and its site, as a clean build's."""

    def retitle() -> None:
        assert len(rendered) > 3  # the first build rendered every tag's listing
        rendered.clear()
        edit(project, SEARCH_TAGGED_ID, "\ntitle: ", "\ntitle: Retitled ")

    preview = rebuilt_preview(project, retitle)
    assert "Retitled" in preview.page("tags")
    again = list(rendered)
    assert_as_built_clean(project, preview.site_dir)
    return preview, again


def test_a_preview_renders_again_only_the_tags_listings_a_save_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 10,000 incidents rendering every tag's listing took ~0.2 s of each save: a preview
    renders the listings of the retitled incident's tags, the rest are as the last build's."""
    rendered = listing_renders(monkeypatch)
    _, again = retitle_in_preview(project, rendered)
    assert len(again) == 1 and 'id="tag:search"' in again[0]


def test_a_site_s_own_listing_template_renders_every_tags_listing_in_each_preview_build(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site's ``listing.html`` may show anything of a page: none of its listings is kept."""
    overrides = project / "overrides" / "fragments" / "tags" / "default"
    overrides.mkdir(parents=True)
    material_listing = (
        Path(material.__file__).parent / "templates" / overrides.relative_to(project / "overrides")
    )
    shown = (material_listing / "listing.html").read_text(encoding="utf-8")
    (overrides / "listing.html").write_text(shown.replace("<ul>", '<ul class="own">'))
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace(
        "theme:\n", "theme:\n  custom_dir: overrides\n"
    )
    config.write_text(text, encoding="utf-8")
    rendered = listing_renders(monkeypatch)
    preview, again = retitle_in_preview(project, rendered)
    assert len(again) > 3
    assert '<ul class="own">' in preview.page("tags")


def test_a_site_with_hooks_builds_dirty_as_clean(project: Path) -> None:
    """MkDocs' ``hooks:`` are modules among the plugins, with no settings of their own."""
    (project / "hooks.py").write_text(
        "def on_page_markdown(markdown, **kwargs):\n    return markdown\n"
    )
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nhooks:\n  - hooks.py\n")
    preview = rebuilt_preview(
        project, lambda: edit(project, RICH_ID, "\ntitle: ", "\ntitle: Retitled ")
    )
    assert_as_built_clean(project, preview.site_dir)


def test_a_preview_shows_a_save_without_waiting_for_the_last_background_writing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 10,000 incidents the search index and exports take seconds after each rebuild: a
    save during them is built and shown at once; its own writing follows theirs, and a
    rebuild's writing that a later one supersedes before it starts is skipped."""
    entered, released = threading.Event(), threading.Event()
    in_background: list[bool] = []

    def slow(background: bool) -> None:
        if background:
            in_background.append(True)
            entered.set()
            released.wait(timeout=20)

    before_exports(monkeypatch, slow)
    preview = Preview(project, command="serve")
    try:
        preview.build()
        for title in ("Retitled", "Renamed", "Named again"):
            edit(project, RICH_ID, "\ntitle: ", f"\ntitle: {title} ")
            preview.build()
            entered.wait(timeout=20)  # the first save's exports are being written, slowly
        shown = "Named again" in preview.page(f"incidents/{RICH_ID}")
        waiting = len(in_background)
    finally:
        released.set()
        preview.stop()
    assert shown and waiting == 1
    assert len(in_background) == 2  # the second save's writing was superseded by the third's
    exported = (preview.site_dir / "incidents.json").read_text(encoding="utf-8")
    assert "Named again" in exported


def test_stopping_a_preview_skips_the_background_writing_left(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C on a preview at 10,000 incidents does not wait for seconds of writing into a site
    about to be removed: only the step under way ends."""
    entered, released = threading.Event(), threading.Event()

    def slow_search(*_: object) -> None:
        entered.set()
        released.wait(timeout=20)

    monkeypatch.setattr(SiteSearch, "write", slow_search)
    in_background: list[bool] = []
    before_exports(monkeypatch, in_background.append)
    preview = Preview(project, command="serve")
    try:
        preview.build()  # writes its exports itself, then its search index in the background
        entered.wait(timeout=20)
        edit(project, RICH_ID, "\ntitle: ", "\ntitle: Retitled ")
        preview.build()  # its search index and exports wait for the first build's writing
    finally:
        threading.Timer(0.2, released.set).start()
        preview.quit()
    assert in_background == [False]


def test_a_preview_whose_background_exports_fail_writes_them_itself_next_time(
    project: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A failed background write is logged and leaves no stale exports behind: the next
    rebuild finds none, so it writes them before its pages (and would fail if it could not)."""

    def failing(in_background: bool) -> None:
        if in_background:
            raise PluginError("postmortems: cannot write incidents.json: No space left on device")

    before_exports(monkeypatch, failing)
    preview = Preview(project, command="serve")
    try:
        preview.build()
        edit(project, RICH_ID, "\ntitle: ", "\ntitle: Retitled ")
        preview.build()
        preview.wait()
        assert "No space left on device" in caplog.text
        assert not any((preview.site_dir / name).exists() for name in EXPORT_NAMES)
        edit(project, RICH_ID, "\ntitle: Retitled ", "\ntitle: Renamed ")
        preview.build()
        exported = (preview.site_dir / "incidents.json").read_text(encoding="utf-8")
    finally:
        preview.stop()
    assert "Renamed" in exported


def test_a_preview_rebuilds_after_its_page_sources_were_deleted(project: Path) -> None:
    """A cache cleaner may empty the folder of generated page sources while ``serve`` runs."""
    preview = Preview(project, command="serve")
    try:
        preview.build()
        sources = preview._config().plugins["postmortems"].page_sources
        shutil.rmtree(sources.folder)
        edit(project, RICH_ID, "\ntitle: ", "\ntitle: Retitled ")
        preview.build()
    finally:
        preview.stop()
    assert "Retitled" in preview.page(f"incidents/{RICH_ID}")
    assert_as_built_clean(project, preview.site_dir)


def test_a_rebuild_after_a_failed_one_builds_the_pages_that_one_left_unbuilt(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that stops half way has written the sources of the pages it changed, not all
    their pages: the next one cannot take an unchanged source for a built page."""
    preview = Preview(project, command="serve")
    build_page = build_module._build_page

    def failing_build_page(page: Page, *args: Any, **kwargs: Any) -> None:
        if page.file.src_uri == f"incidents/{OTHER_ID}/index.md":
            raise PluginError("stopped half way")
        build_page(page, *args, **kwargs)

    try:
        preview.build()
        edit(project, OTHER_ID, "\ntitle: ", "\ntitle: Retitled ")
        with monkeypatch.context() as patched:
            patched.setattr(build_module, "_build_page", failing_build_page)
            with pytest.raises(Abort):
                preview.build()
        assert not preview._config().plugins["postmortems"].writer.paused  # the build ended
        preview.build()
    finally:
        preview.stop()
    assert "Retitled" in preview.page(f"incidents/{OTHER_ID}")
    assert_as_built_clean(project, preview.site_dir)


@pytest.mark.parametrize("idle", [False, True], ids=["saves in a row", "saves after a pause"])
def test_a_preview_freezes_no_more_objects_save_after_save(
    project: Path, monkeypatch: pytest.MonkeyPatch, idle: bool
) -> None:
    """Each build leaves the objects alive once the incidents are loaded out of garbage
    collection (``gc.freeze``), and a preview keeps them frozen between rebuilds; the garbage
    of earlier builds frozen meanwhile (mkdocs-macros holds the last build's pages at a freeze;
    a rebuild freezes what it made at its end, see ``freeze_paused_build``) must not pile up:
    each full collection brings the count back. Saves in a row leave no time for the collection
    between builds (the garbage of up to ``FULL_COLLECTION_EVERY`` rebuilds waits); after a
    pause it has run. Each build's background writing is done before the next save, so that
    what it holds for a moment does not count."""
    frozen: list[int] = []
    freeze = plugin_module.freeze_survivors

    def counted() -> None:
        freeze()
        frozen.append(gc.get_freeze_count())

    monkeypatch.setattr(plugin_module, "freeze_survivors", counted)
    if not idle:
        monkeypatch.setattr(plugin_module, "collect_garbage", lambda: None)
    every = collection_module.FULL_COLLECTION_EVERY
    for thread in threading.enumerate():  # earlier tests' previews stopped as Ctrl-C does
        if thread.name == background_module.THREAD_NAME:
            thread.join()
    preview = Preview(project, command="serve")
    try:
        for save in range(3 * every):
            edit(project, RICH_ID, "\ntitle: ", f"\ntitle: Save {save} ")
            preview.build()
            assert gc.get_freeze_count() > frozen[-1] * 0.9  # kept frozen for the next rebuild
            preview.wait()
    finally:
        preview.stop()
    assert gc.get_freeze_count() == 0
    first, *later = frozen[every::every]  # right after each full collection but the process's first
    assert later and max(later) <= first * 1.02, frozen
    assert max(frozen) <= first * 1.5, frozen


def test_a_preview_collects_garbage_between_builds_not_when_a_save_is_rebuilt(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full collection scans every live object (a second or two at 10,000 incidents): the
    preview runs it in the background once a build is done, and the rebuild of the next save
    then freezes what lives without collecting first."""
    collected: list[bool] = []  # for each full collection, whether the building thread ran it
    collect = gc.collect

    def recording(*args: Any) -> int:
        collected.append(threading.current_thread() is threading.main_thread())
        return collect(*args)

    preview = Preview(project, command="serve")
    try:
        preview.build()
        preview.wait()
        monkeypatch.setattr(gc, "collect", recording)
        for save in range(2 * collection_module.FULL_COLLECTION_EVERY):
            edit(project, RICH_ID, "\ntitle: ", f"\ntitle: Save {save} ")
            preview.build()
            assert True not in collected, "the rebuild collected"
            preview.wait()
            assert collected == [False] * (save + 1), "no collection after the build"
    finally:
        preview.stop()
    assert_as_built_clean(project, preview.site_dir)


def test_a_preview_rebuilds_without_the_cyclic_collector_and_turns_it_back_on(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A preview's rebuild pauses the cyclic garbage collector (it would rescan the objects the
    rebuild makes several times: seconds at 10,000 incidents); its first build, which renders
    every page, does not, nor does a rebuild that makes many pages again (their garbage would
    pile up). The collector is on again after each build, a failed one included."""
    ranking: list[bool] = []  # whether it collects while ranking, then while converting pages
    converting: list[bool] = []
    site_pages = plugin_module.site_pages
    populate_page = build_module._populate_page

    def recording(*args: Any, **kwargs: Any) -> Any:
        ranking.append(gc.isenabled())
        return site_pages(*args, **kwargs)

    def converting_page(page: Page, *args: Any, **kwargs: Any) -> None:
        if page.file.src_uri == f"incidents/{OTHER_ID}/index.md":
            converting.append(gc.isenabled())
        populate_page(page, *args, **kwargs)

    def failing_build_page(*args: Any, **kwargs: Any) -> None:
        raise PluginError("stopped half way")

    monkeypatch.setattr(plugin_module, "site_pages", recording)
    monkeypatch.setattr(build_module, "_populate_page", converting_page)
    preview = Preview(project, command="serve")
    try:
        for title, pages_paused in (("First", None), ("Retitled", 500), ("Again", 0)):
            if pages_paused is not None:
                monkeypatch.setattr(plugin_module, "PAUSED_COLLECTOR_PAGES", pages_paused)
            edit(project, OTHER_ID, "\ntitle: ", f"\ntitle: {title} ")
            preview.build()
            assert gc.isenabled()
        edit(project, OTHER_ID, "\ntitle: ", "\ntitle: Failing ")
        with monkeypatch.context() as patched:
            patched.setattr(build_module, "_build_page", failing_build_page)
            with pytest.raises(Abort):
                preview.build()
        assert gc.isenabled()
    finally:
        preview.stop()
    assert ranking == [True, False, False, False]
    assert converting == [True, False, True, True]
    assert gc.isenabled()


def test_a_preview_rebuild_freezes_what_it_made_before_the_collector_is_back(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the collector paused through a rebuild, its first pass afterwards would scan every
    object the rebuild made (0.2 s at 10,000 incidents, within the save): they are frozen at
    the rebuild's end instead, and its garbage collected between builds."""
    frozen: list[int] = []  # objects frozen at each build's start
    freeze = plugin_module.freeze_survivors

    def counted() -> None:
        freeze()
        frozen.append(gc.get_freeze_count())

    monkeypatch.setattr(plugin_module, "freeze_survivors", counted)
    preview = Preview(project, command="serve")
    try:
        preview.build()
        edit(project, OTHER_ID, "\ntitle: ", "\ntitle: Retitled ")
        preview.build()
        frozen_after = gc.get_freeze_count()
    finally:
        preview.stop()
    assert frozen_after > frozen[1]  # what the rebuild made, frozen at its end
    assert gc.isenabled()


def test_an_invalid_save_rebuilds_no_page_and_its_fix_only_the_pages_it_changed(
    project: Path,
) -> None:
    """The preview's server shows the problems on every page (``preview.showing_problems``):
    the pages themselves keep the last valid incidents, so none is written again."""
    preview = Preview(project, command="serve")
    try:
        before = preview.build()
        again = preview.build()  # what every build writes (the 404 and search pages)
        edit(project, RICH_ID, "\nseverity: SEV2", "\nseverity: SEV9")
        invalid = preview.build()
        problems = preview._config().plugins["postmortems"].problems
        edit(project, RICH_ID, "\nseverity: SEV9", "\nseverity: SEV1")
        fixed = preview.build()
    finally:
        preview.stop()
    assert problems is not None and "SEV9" in problems
    assert rewritten(again, invalid) == rewritten(before, again)
    assert f"incidents/{RICH_ID}/index.html" not in rewritten(again, invalid)
    assert f"incidents/{RICH_ID}/index.html" in rewritten(invalid, fixed)
    assert f"incidents/{OTHER_ID}/index.html" not in rewritten(invalid, fixed)
    assert_as_built_clean(project, preview.site_dir)


def test_a_deleted_incident_leaves_no_page_behind(project: Path, preview: Preview) -> None:
    before = preview.build()
    assert f"incidents/{OTHER_ID}/index.html" in before
    next(project.glob(f"incidents/**/{OTHER_ID}.yaml")).unlink()
    preview.build()
    assert_as_built_clean(project, preview.site_dir)


def test_a_clean_build_in_between_leaves_no_stale_page_for_the_next_dirty_build(
    project: Path,
) -> None:
    """Each build its own process, as ``mkdocs build [--dirty]`` run one after the other, with
    the cache on (its page sources outlive a process)."""
    config_file = project / "mkdocs.yml"
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace("cache: false", "cache: true"), encoding="utf-8")
    mkdocs = Path(sys.executable).with_name("mkdocs")
    site_dir = project.parent / "preview"

    def run(*options: str) -> None:
        subprocess.run([mkdocs, "build", "-q", *options, "-d", site_dir], cwd=project, check=True)

    run("--dirty")
    edit(project, RICH_ID, "\ntitle: ", "\ntitle: Edited ")
    run()
    edit(project, RICH_ID, "\ntitle: Edited ", "\ntitle: ")
    run("--dirty")
    assert_as_built_clean(project, site_dir)


def test_a_page_source_that_cannot_be_written_fails_the_build_with_its_path(
    project: Path,
) -> None:
    """(A full disk, a file where its folder goes): a clear error, not a traceback."""
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project.parent / "preview"))
    folder = project.parent / "sources"
    folder.mkdir()
    (folder / "incidents").write_text("in the way", encoding="utf-8")
    sources = PageSources(folder, b"site", fresh=True)
    with pytest.raises(PluginError, match=r"^postmortems: cannot write .*incidents/a/index\.md: "):
        sources.file(config, "incidents/a/index.md", "# A\n", b"key", InclusionLevel.NOT_IN_NAV)
