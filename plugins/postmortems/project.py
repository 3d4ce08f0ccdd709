"""Where a project keeps its incidents, schema and service catalog.

Read from the ``postmortems`` plugin's options in ``./mkdocs.yml`` when there is one, so the CLI
checks exactly what the site builds; otherwise the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_INCIDENTS_DIR = "incidents"
DEFAULT_SCHEMA = "schema/incident.schema.json"
CATALOG_NAME = "_services.yaml"
SERVICES_SCHEMA_NAME = "services.schema.json"


@dataclass(frozen=True)
class ProjectPaths:
    """The files one site is built from."""

    root: Path
    incidents_dir: Path
    schema_path: Path
    catalog_path: Path | None
    audience: str = "internal"

    @property
    def services_schema_path(self) -> Path:
        return self.schema_path.with_name(SERVICES_SCHEMA_NAME)


def resolve_paths(root: Path, options: dict[str, Any]) -> ProjectPaths:
    """Paths from plugin options (relative to ``root``, the folder holding ``mkdocs.yml``)."""
    incidents_dir = root / str(options.get("incidents_dir") or DEFAULT_INCIDENTS_DIR)
    schema_path = root / str(options.get("schema") or DEFAULT_SCHEMA)
    catalog_option = options.get("services_catalog")
    catalog = root / str(catalog_option) if catalog_option else incidents_dir / CATALOG_NAME
    return ProjectPaths(
        root=root,
        incidents_dir=incidents_dir,
        schema_path=schema_path,
        catalog_path=catalog if catalog.is_file() or catalog_option else None,
        audience=str(options.get("audience") or "internal"),
    )


def find_project(start: Path | None = None, config_file: str = "mkdocs.yml") -> ProjectPaths:
    """The project whose ``mkdocs.yml`` is in ``start`` (default: the working directory)."""
    root = (start or Path.cwd()).resolve()
    return resolve_paths(root, plugin_options(root / config_file))


class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, ignoring tags such as ``!!python/name`` and ``!ENV`` (never runs them)."""


_LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def plugin_options(config_file: Path) -> dict[str, Any]:
    """The ``postmortems`` plugin's options in ``config_file``; empty when absent or unreadable."""
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_LenientLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    plugins = config.get("plugins") if isinstance(config, dict) else None
    entries = plugins.items() if isinstance(plugins, dict) else plugins or []
    for entry in entries:
        name, options = entry if isinstance(entry, tuple) else _split(entry)
        if name == "postmortems":
            return options if isinstance(options, dict) else {}
    return {}


def _split(entry: Any) -> tuple[str, Any]:
    if isinstance(entry, dict) and len(entry) == 1:
        return next(iter(entry.items()))
    return (entry, {}) if isinstance(entry, str) else ("", {})
