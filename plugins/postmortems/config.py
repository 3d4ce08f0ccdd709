"""Options of the ``postmortems`` MkDocs plugin (documented in docs/configuration.md)."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class PostmortemsConfig(Config):
    """``plugins: - postmortems: {...}`` in ``mkdocs.yml``; paths are relative to that file."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it (e.g. ``enabled: !ENV [POSTMORTEMS, true]``)."""
    incidents_dir = c.Type(str, default="incidents")
    """Folder holding ``**/<id>.yaml`` incident files."""
    schema = c.Type(str, default="schema/incident.schema.json")
    """The incident JSON Schema; also the source of severities and categories with their words."""
    services_catalog = c.Optional(c.Type(str))
    """Service catalog file; default ``<incidents_dir>/_services.yaml`` when it exists."""
    audience = c.Choice(("internal", "public"), default="internal")
    """``public`` builds a site holding only incidents marked ``visibility: public``."""
    templates_dir = c.Optional(c.Type(str))
    """A folder of page templates (``incident.md.j2`` ...) that override the packaged ones."""
    similar_top = c.Type(int, default=5)
    """How many similar incidents each incident page lists."""
    exports = c.Type(bool, default=True)
    """Write ``incidents.json``, ``incidents.csv`` and ``feed.xml`` at the site root."""
    search = c.Type(bool, default=True)
    """Pagefind search: header box, ``search/`` page with facets, ``pagefind/`` index."""
    cache = c.Type(bool, default=True)
    """Reuse check results of unchanged files between builds (kept outside the repository)."""
