"""Options of the ``postmortems`` MkDocs plugin (documented in docs/configuration.md)."""

from __future__ import annotations

import os
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class _Folder(c.Dir):
    """A folder relative to ``mkdocs.yml``; also written ``!relative $config_dir/...``."""

    def run_validation(self, value: object) -> str:
        return super().run_validation(_path_text(value))


class _File(c.File):
    """A file relative to ``mkdocs.yml``; also written ``!relative $config_dir/...``."""

    def run_validation(self, value: object) -> str:
        return super().run_validation(_path_text(value))


def _path_text(value: Any) -> Any:
    """MkDocs' ``!relative`` placeholders are path-like; the path options want text."""
    return os.fspath(value) if isinstance(value, os.PathLike) else value


class _Term(Config):
    """One value added to a vocabulary: what incident files write, and the words shown for it."""

    value = c.Type(str)
    title = c.Optional(c.Type(str))
    description = c.Type(str, default="")


class PostmortemsConfig(Config):
    """``plugins: - postmortems: {...}`` in ``mkdocs.yml``; paths are relative to that file."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it (e.g. ``enabled: !ENV [POSTMORTEMS, true]``)."""
    incidents_dir = _Folder(exists=False, default="incidents")
    """Folder holding ``**/<id>.yaml`` incident files."""
    schema = c.Optional(_File(exists=False))
    """A site's own incident JSON Schema; default: the one shipped in the package."""
    services_catalog = c.Optional(_File(exists=False))
    """Service catalog file; default ``<incidents_dir>/_services.yaml`` when it exists."""
    audience = c.Choice(("internal", "public"), default="internal")
    """``public`` builds a site holding only incidents marked ``visibility: public``."""
    templates_dir = c.Optional(_Folder(exists=False))
    """A folder of page templates (``incident.md.j2`` ...) that override the packaged ones."""
    similar_top = c.Type(int, default=5)
    """How many similar incidents each incident page lists."""
    exports = c.Type(bool, default=True)
    """Write ``incidents.json``, ``incidents.csv`` and ``feed.xml`` at the site root."""
    fail_on_warnings = c.Type(bool, default=False)
    """Log validation warnings as MkDocs warnings, so ``mkdocs build --strict`` fails on them."""
    search = c.Type(bool, default=True)
    """Pagefind search: header box, ``search/`` page with facets, ``pagefind/`` index."""
    image_hosts = c.ListOfItems(c.Type(str), default=[])
    """Hosts that images in Markdown fields may load from; images from elsewhere are links."""
    cache = c.Type(bool, default=True)
    """Reuse check results of unchanged files between builds (kept outside the repository)."""
    vocabularies = c.DictOfItems(c.ListOfItems(c.SubConfig(_Term)), default={})
    """Values added to the schema's vocabularies without copying the schema:
    ``{rootCauseCategory: [{value, title, description}], severity: [...]}``."""
