"""Dirty rebuilds (``mkdocs serve --dirty``, ``build --dirty``): only changed pages are rebuilt.

MkDocs skips a page in a dirty build when its source file is older than its built HTML, and
never skips a page generated from in-memory content. So for dirty builds each generated page
is written as a small source file (its front matter, a placeholder and a digest of what the page
shows) that is rewritten only when that digest changes; its mtime then tells MkDocs the truth.

What a generated page shows also depends on the whole site (configuration, theme): a change
there changes every digest, so every page is rebuilt. Hand-written pages may list incidents
(mkdocs-macros, Material's tags index): they are rebuilt whenever an incident changed, and
Material's tags plugin is told the tags of the pages skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils import get_build_date

from ..core.cache import Carried, fingerprint
from ..core.terminal import inert

try:
    from material.plugins.tags.structure.mapping import Mapping as _Mapping
except ImportError:  # another layout of the tags plugin: each page's tags are read
    _Mapping = None

_VOLATILE = frozenset({"plugins", "theme", "config_file_path", "site_dir", "dev_addr", "watch"})
_TAGS_PLUGIN = "material/tags"


def site_fingerprint(config: MkDocsConfig, files: Files) -> bytes:
    """What every page's HTML depends on besides its own Markdown: settings, plugins' settings,
    the theme's templates (by modification time) and the hand-written pages (the nav lists
    them)."""
    settings = [(key, config[key]) for key in sorted(config.keys()) if key not in _VOLATILE]
    plugins = [(name, _plugin_settings(plugin)) for name, plugin in config.plugins.items()]
    theme_files = [
        (path.as_posix(), path.stat().st_mtime_ns)
        for folder in config.theme.dirs
        for path in sorted(Path(folder).rglob("*.html"))
    ]
    hand_written = sorted(f.src_uri for f in files if not f.generated_by)
    return fingerprint(settings, plugins, dict(config.theme), theme_files, hand_written)


def _plugin_settings(plugin: object) -> object:
    """A plugin's settings; for a hook (``hooks:``, a module), its file as of when written."""
    settings = getattr(plugin, "config", None)
    if settings is not None:
        return dict(settings)
    path = getattr(plugin, "__file__", None)
    return (path, os.stat(path).st_mtime_ns) if path else type(plugin).__qualname__


def tags_plugin(config: MkDocsConfig) -> Any:
    """Material's tags plugin, when the site uses it and it is on."""
    plugin = config.plugins.get(_TAGS_PLUGIN)
    return plugin if plugin is not None and plugin.config.get("enabled", True) else None


def known_to_tags_plugin(
    config: MkDocsConfig, files: Files, pages: Iterable[tuple[Page, dict[str, Any]]]
) -> None:
    """Tell Material's tags plugin the tags of ``pages`` (generated pages a dirty build skips,
    with their front matter), so the tags index still lists them and other pages link to it.
    Its pages are then in the order of ``files``, as a clean build has them (its export lists
    them in it). The plugin reads each tag once: pages naming it share what it made of it
    (10,000 pages in a preview's rebuild, a few dozen tags)."""
    plugin = tags_plugin(config)
    if plugin is None:
        return
    mappings = plugin.mappings
    name = plugin.config.get("tags_name_property", "tags")
    tags_of = _TagReader(mappings)
    told = False
    for page, meta in pages:
        page.meta = meta
        page.markdown = ""  # read: its title now comes from its front matter
        if not plugin.filter(page.file):
            continue
        read = tags_of(meta.get(name))
        if read is not None:
            if read:
                mappings.data[page.url] = _Mapping(page, tags=read)
                told = True
        elif mappings.add(page, "") is not None:
            told = True
    if not told:
        return
    order = {file.page.url: n for n, file in enumerate(files) if file.page is not None}
    last = len(files)
    by_url = mappings.data
    mappings.data = dict(sorted(by_url.items(), key=lambda item: order.get(item[0], last)))


class _TagReader:
    """The tags Material's tags plugin makes of a page's list of tag names, each name read by
    the plugin once; ``None`` for what only the plugin itself reads (not a list of names, a
    name it refuses, another layout of the plugin): ``mappings.add`` then does."""

    def __init__(self, mappings: Any) -> None:
        self._tags: dict[str, Any] = {}
        known = _Mapping is not None
        self._validate: Callable[[list[str]], Any] | None = (
            getattr(getattr(mappings, "format", None), "validate", None) if known else None
        )
        self._configure: Callable[[Any], Any] | None = getattr(mappings, "_configure", None)

    def __call__(self, names: object) -> list[Any] | None:
        if not names:
            return []  # no tags: no mapping
        if not isinstance(names, list):
            return None
        tags = [self._tag(name) for name in names]
        return None if any(tag is None for tag in tags) else tags

    def _tag(self, name: object) -> Any:
        """The plugin's tag for ``name``, or ``None`` when it would not take it."""
        if not isinstance(name, str):
            return None
        if name not in self._tags:
            self._tags[name] = self._read(name)
        return self._tags[name]

    def _read(self, name: str) -> Any:
        if self._validate is None or self._configure is None:
            return None
        try:
            (tag,) = self._validate([name])
        except Exception:  # refused: the plugin says why when it reads the page itself
            return None
        return self._configure(tag)


class PageSources:
    """Generated pages as source files in ``folder``, rewritten only when their digest changes."""

    def __init__(
        self,
        folder: Path,
        site: bytes,
        *,
        fresh: bool = False,
        known: dict[str, str] | None = None,
        files: SourceFiles | None = None,
    ) -> None:
        """``fresh``: rewrite every file (each page is rebuilt) whatever it holds. ``known``:
        the ``known`` of the last build of this process into ``folder`` (every file in it, as
        written), if that build finished: files are then neither read to compare, nor listed to
        find stale ones, nor stated to compare their times with their pages' (at 10,000
        incidents each takes seconds). ``files``: the last build's ``File`` objects to copy."""
        self.folder = folder
        self._folder = str(folder)
        self.files = files or SourceFiles()
        self.site = site
        self.fresh = fresh
        self.listed = known is not None and not fresh
        self.known: dict[str, str] = known if self.listed and known is not None else {}
        """Every file of the folder by ``src_uri``, with its text, once ``remove_stale`` ran."""
        self.complete = False
        """Set when the build finished: every page was then built from its file as ``known``
        has it (a build that failed may have left ``known`` partial, or pages unbuilt)."""
        self._seen: set[str] = set()
        self._last_line = (b"", "")
        """The last page's key and digest line (``head``, then ``file``, ask for the same)."""

    def head(self, src_uri: str, key: bytes) -> str | None:
        """What the page's file gave MkDocs to read, if the last build of this process wrote it
        for a page with ``key`` (then its Markdown need not be made again)."""
        text = self.known.get(src_uri) if self.listed else None
        if text is None:
            return None
        line = self._digest_line(key)
        return text[: -len(line)] if text.endswith(line) else None

    def file(
        self, config: MkDocsConfig, src_uri: str, head: str, key: bytes, inclusion: InclusionLevel
    ) -> File:
        """The page's file: ``head`` (what MkDocs should read) and a digest of ``key`` (of
        everything the page shows)."""
        text = head + self._digest_line(key)
        path = os.path.join(self._folder, src_uri)  # (pathlib's join costs ten times as much)
        self._seen.add(src_uri)
        if self.listed:
            unchanged = self.known.get(src_uri) == text
        else:
            try:
                unchanged = not self.fresh and Path(path).read_text(encoding="utf-8") == text
            except (OSError, UnicodeDecodeError):
                unchanged = False
        if not unchanged:
            self.known.pop(src_uri, None)  # a write that fails half way leaves it unknown
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                Path(path).write_text(text, encoding="utf-8")
            except OSError as error:
                raise PluginError(
                    inert(f"postmortems: cannot write {path}: {error.strerror or error}")
                ) from error
        self.known[src_uri] = text
        source = self.files.file(config, src_uri, path, inclusion)
        if self.listed or not unchanged:
            # Rewritten, its page is older; else the last build, which finished, built its page
            # from it as it is (a cache cleaner may have deleted it since: MkDocs reads only the
            # files of pages it rebuilds, and a changed page's is written again).
            source.modified = not unchanged
        return source

    def _digest_line(self, key: bytes) -> str:
        last_key, line = self._last_line
        if key != last_key or not key:
            line = f"<!-- {fingerprint(self.site, key).hex()} -->\n"
            self._last_line = (key, line)
        return line

    def remove_stale(self, config: MkDocsConfig) -> None:
        """Pages no longer generated (an incident deleted or renamed): their built HTML and
        their source go, as a clean build would not have them."""
        if self.listed:
            stale = sorted(set(self.known) - self._seen)
        else:
            found = (path.relative_to(self.folder).as_posix() for path in self.folder.rglob("*.md"))
            stale = sorted(set(found) - self._seen)
        for src_uri in stale:
            rebuild([File.generated(config, src_uri, content="")])
            (self.folder / src_uri).unlink(missing_ok=True)
            self.known.pop(src_uri, None)


class SourceFiles:
    """The ``File`` of each generated page's source file, copied from the one made for the same
    page and settings in the last build: ``File.generated`` and the paths and URL MkDocs then
    works out for it cost about 25 µs (10,000 pages in each rebuild of a preview)."""

    def __init__(self) -> None:
        self._made: Carried[tuple[object, ...], dict[str, Any]] = Carried()

    def start(self, config: MkDocsConfig) -> None:
        """A new build: what the last one made is kept for this one if its settings were the
        same (all that ``File.generated`` reads of them; ``on_files`` sets the plugin's name)."""
        maker = config.plugins._current_plugin
        self._made.start((config.site_dir, config.use_directory_urls, maker))

    def file(
        self, config: MkDocsConfig, src_uri: str, path: str, inclusion: InclusionLevel
    ) -> _PageSource:
        """The ``File`` of the page ``src_uri`` whose source is at ``path``."""
        state = self._made.get(
            (src_uri, path, inclusion), lambda: _source_state(config, src_uri, path, inclusion)
        )
        source = _PageSource.__new__(_PageSource)
        source.__dict__.update(state)  # plain values only
        return source


def _source_state(
    config: MkDocsConfig, src_uri: str, path: str, inclusion: InclusionLevel
) -> dict[str, Any]:
    """A new ``File``'s state, with the paths and URL it works out when asked."""
    made = _PageSource.generated(config, src_uri, abs_src_path=path, inclusion=inclusion)
    for worked_out in (made.dest_uri, made.url, made.abs_dest_path):
        assert isinstance(worked_out, str)
    return dict(vars(made))


class _PageSource(File):
    """A generated page's source file. A dirty build asks three times whether its page is
    older (the plugin, then MkDocs before reading it and before building it), three file
    stats each: at 10,000 pages, two seconds of a preview's rebuild. Nothing changes either file
    in between, so the first answer stands; ``PageSources`` gives it when it knows."""

    modified: bool | None = None

    def is_modified(self) -> bool:
        if self.modified is None:
            self.modified = super().is_modified()
        return self.modified


class BlankPages:
    """MkDocs' ``Page`` for each generated page outside the nav of a preview's rebuild, as
    ``Page.__init__`` makes it (unread), copied from the one it made for the same file and
    settings in the last rebuild: at 10,000 incidents, ``Page.__init__`` (two ``urljoin``) took
    0.6 s of each rebuild. MkDocs makes a ``Page`` only for a file that has none."""

    def __init__(self) -> None:
        self._made: Carried[tuple[object, ...], _UnreadState] = Carried()
        self._date = ""
        self._settings: tuple[object, ...] = ()

    def start(self, config: MkDocsConfig) -> None:
        """A new build: what the last one made is kept for this one."""
        self._made.start(None)
        self._date = get_build_date()
        # Everything Page.__init__ reads of the settings.
        self._settings = (
            config.site_url,
            config.repo_url,
            config.edit_uri,
            config.edit_uri_template,
        )

    def add(self, file: File, config: MkDocsConfig) -> None:
        """Give ``file`` its ``Page`` (set ``file.edit_uri`` first: its edit link depends on it)."""
        if not self._settings[1] and file.edit_uri is not None:  # no repo_url
            Page(None, file, config)  # MkDocs may warn of its edit link: every build, then
            return
        # Everything Page.__init__ reads, but the date (the same for a whole build).
        key = (file.src_uri, file.url, file.edit_uri, self._settings)
        made = self._made.get(key, lambda: _UnreadState(Page(None, file, config)))
        page = Page.__new__(Page)
        page.__dict__.update(made.copy())
        page.file, page.update_date, file.page = file, self._date, page


class _UnreadState:
    """What ``Page.__init__`` gave a page but its file (that page itself is never used: each
    build's pages get copies, whose lists and dictionaries MkDocs and plugins may change)."""

    def __init__(self, page: Page) -> None:
        self._state = {name: value for name, value in vars(page).items() if name != "file"}
        self._mutable = [
            name for name, value in self._state.items() if isinstance(value, list | dict)
        ]

    def copy(self) -> dict[str, Any]:
        state = self._state.copy()
        for name in self._mutable:
            state[name] = state[name].copy()
        return state


def nav_paths(nav: object) -> Iterator[str]:
    """Every path the ``nav`` setting names (and its URLs: none is a page's)."""
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, dict):
        for item in nav.values():
            yield from nav_paths(item)
    elif isinstance(nav, list):
        for item in nav:
            yield from nav_paths(item)


def rebuild(files: Iterable[File]) -> None:
    """Make a dirty build rebuild ``files``: their built HTML goes (MkDocs writes it anew)."""
    for file in files:
        if file.abs_dest_path and os.path.isfile(file.abs_dest_path):
            os.unlink(file.abs_dest_path)
