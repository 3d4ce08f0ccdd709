"""What a preview's rebuild leaves to its background writing: the sitemap and Material's tags
export. Each lists every page (at 10,000 incidents, about 0.15 s each of every save), and
nobody reads either while previewing; both are written as a build writes them, once its pages
are.

Neither is left when another plugin takes part in writing it: a plugin with template events
(MkDocs runs them for the sitemap) would see them from another thread, and one that acts once the
pages are written (``on_post_build``; a hook, mkdocs-macros with post-build functions) might read or
change either file, which a clean build has written by then. A second instance of the tags plugin
is not looked at.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from mkdocs.commands.build import _build_theme_template
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation

from .incremental import tags_plugin

SITEMAP = "sitemap.xml"
TEMPLATE_EVENTS = ("pre_template", "template_context", "post_template")


QUIET_AFTER_BUILD = ("material.plugins.search.",)
"""Modules of plugins whose ``on_post_build`` neither reads nor changes either file."""


def others_quiet_after_build(config: MkDocsConfig, own: object) -> bool:
    """Whether no plugin but ``own`` (and those of ``QUIET_AFTER_BUILD``) acts once the pages are
    written: mkdocs-macros counts only with post-build functions of the site's own."""
    for method in config.plugins.events["post_build"]:
        plugin = getattr(method, "__self__", None)
        if plugin is own:
            continue
        module = type(plugin).__module__ + "."
        if module.startswith(QUIET_AFTER_BUILD):
            continue
        if module.startswith("mkdocs_macros.") and not getattr(plugin, "post_build_functions", 1):
            continue
        return False
    return True


def defer_sitemap(config: MkDocsConfig) -> bool:
    """Take the sitemap out of the theme's templates for this build, if it is there and no plugin
    takes part in rendering templates; whether it was. Only once the theme's static files are
    listed (``on_env``): else the template itself would be copied as one of them."""
    if SITEMAP not in config.theme.static_templates:
        return False
    if any(config.plugins.events[event] for event in TEMPLATE_EVENTS):
        return False
    config.theme.static_templates.discard(SITEMAP)
    return True


def sitemap_writer(
    env: Any, files: Files, config: MkDocsConfig, nav: Navigation
) -> Callable[[], None]:
    """Writes the sitemap (and its gzipped copy) as the build would have."""
    return functools.partial(_build_theme_template, SITEMAP, env, files, config, nav)


def defer_tags_export(config: MkDocsConfig) -> Callable[[], None] | None:
    """Turn off the tags plugin's export for this build (before its ``on_env``); what writes it
    as the plugin would have, once it has every page's tags, if it was on."""
    plugin = tags_plugin(config)
    if plugin is None:
        return None
    try:
        from material.plugins.tags.structure.mapping.storage import MappingStorage
    except ImportError:  # another layout of the plugin: it exports as usual
        return None
    if not plugin.config.get("export") or not hasattr(plugin, "mappings"):
        return None
    plugin.config.export = False
    path = os.path.normpath(os.path.join(config.site_dir, plugin.config.export_file))
    storage, mappings = MappingStorage(plugin.config), plugin.mappings
    return functools.partial(storage.save, path, mappings)
