"""Material's tags index in a preview: each tag's listing kept from one rebuild to the next.

At every build Material's tags plugin renders each tag's listing (a link to every page naming
the tag) with its ``listing.html``: at 10,000 incidents about 0.2 s of a preview's rebuild,
though a title save changes the listings of the edited incident's tags alone. Material's own
template shows only a listing's heading, its pages' URLs and titles and its nested listings,
relative to the page it is on: with it, a preview takes a listing whose shown values are as
they were in the last build from that build's text. A site's own ``listing.html`` (it may show
anything of a page) is always rendered.
"""

from __future__ import annotations

import functools
import hashlib
import os
import posixpath
from collections.abc import Callable, Hashable
from typing import Any

from mkdocs.utils.templates import url_filter

from ..core.cache import Carried


def templates_folder(package_file: str) -> str:
    """Material's templates folder (its real path, with a trailing separator) from its
    package's ``__init__.py``, which may be reached through links (a linked environment)."""
    return os.path.join(os.path.realpath(os.path.dirname(package_file)), "templates", "")


_MATERIAL_TEMPLATES: str | None
try:
    import material

    _MATERIAL_TEMPLATES = templates_folder(material.__file__ or "")
except ImportError:  # no Material: no tags plugin to render listings
    _MATERIAL_TEMPLATES = None

LISTING_TEMPLATE = "listing.html"
"""The name of the template the tags plugin renders a listing with (under its layout)."""
KNOWN_LISTINGS = frozenset({"93d20bc3c64a84de35203564a2e4e98c85679917e2bdd04dbff14655fde053d4"})
"""The SHA-256 of each of Material's listing templates known to show no more than ``shown``
(9.8's): another version's is rendered every time until it is checked and added here."""
_CONTEXT = frozenset({"config", "page", "base_url", "listing"})
"""What the tags plugin renders a listing with (Material 9.8): anything else is rendered."""


class KeptListings:
    """A preview's tag listings by what they show; ``start`` each build with its environment."""

    def __init__(self) -> None:
        self._kept: Carried[tuple[Hashable, ...], str] = Carried()

    def start(self, env: Any) -> None:
        """This build's listings, rendered in ``env`` (the theme's, before the tags plugin's
        ``on_env``), are taken from the last build's where they show the same."""
        self._kept.start(None)
        get_template = env.get_template

        def template(name: Any, *args: Any, **kwargs: Any) -> Any:
            found = get_template(name, *args, **kwargs)
            if isinstance(name, str) and _is_materials_listing(name, found):
                return _KeptTemplate(found, self._kept.get)
            return found

        env.get_template = template


def _is_materials_listing(name: str, template: Any) -> bool:
    """Whether ``template`` is a known listing template of Material's (no site's override),
    printing values as they are (no autoescape, no ``finalize``) with MkDocs' ``url`` filter."""
    filename = getattr(template, "filename", None)
    environment = getattr(template, "environment", None)
    if posixpath.basename(name) != LISTING_TEMPLATE or not isinstance(filename, str):
        return False
    try:
        status = os.stat(filename)
    except OSError:
        return False
    return (
        _known_listing(filename, status.st_mtime_ns, status.st_size)
        and environment is not None
        and environment.autoescape is False
        and environment.finalize is None
        and environment.filters.get("url") is url_filter
    )


@functools.lru_cache(maxsize=16)
def _known_listing(filename: str, modified_ns: int, size: int) -> bool:
    """Whether the template file ``filename`` (as of its modification time and size: Material
    may be upgraded while a preview runs) is one of ``KNOWN_LISTINGS`` in Material."""
    path = os.path.realpath(filename)
    if _MATERIAL_TEMPLATES is None or not path.startswith(_MATERIAL_TEMPLATES):
        return False
    try:
        with open(path, "rb") as template:
            return hashlib.sha256(template.read()).hexdigest() in KNOWN_LISTINGS
    except OSError:
        return False


class _KeptTemplate:
    """A listing template whose renders are kept by what they show (anything else: as is)."""

    def __init__(
        self, template: Any, kept: Callable[[tuple[Hashable, ...], Callable[[], str]], str]
    ):
        self._template = template
        self._kept = kept

    def render(self, *args: Any, **context: Any) -> str:
        if args or context.keys() != _CONTEXT:
            return str(self._template.render(*args, **context))
        page, listing = context["page"], context["listing"]
        key = (self._template.name, str(page.url), str(context["base_url"]), *shown(listing))
        return self._kept(key, lambda: self._template.render(**context))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._template, name)


def shown(listing: Any) -> list[Hashable]:
    """What Material's listing template shows of a listing tree, as it prints it: for it and
    each nested tree (in the template's order, with its depth), the heading and each page's URL
    and title."""
    found: list[Hashable] = []
    stack = [(0, listing)]
    while stack:
        depth, tree = stack.pop()
        pages = tuple((str(mapping.item.url), str(mapping.item.title)) for mapping in tree.mappings)
        found.append((depth, str(tree.content), pages))
        stack += [(depth + 1, child) for child in reversed(list(tree))]
    return found
