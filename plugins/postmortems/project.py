"""Where a project keeps its incidents, schema and service catalog.

Read from the ``postmortems`` plugin's options in ``./mkdocs.yml`` when there is one, so the CLI
checks exactly what the site builds; otherwise the defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .problems import ProjectError

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
    """Reads mkdocs.yml: ``!ENV`` as MkDocs does, other tags such as ``!!python/name`` as null
    (never run)."""


def _environment(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """``!ENV NAME`` or ``!ENV [NAME, ..., default]``: the first variable set, else the default."""
    if isinstance(node, yaml.ScalarNode):
        return os.environ.get(loader.construct_scalar(node))
    if not isinstance(node, yaml.SequenceNode):
        return None
    items = loader.construct_sequence(node)
    names, default = (items[:-1], items[-1]) if len(items) > 1 else (items, None)
    found = (os.environ[name] for name in names if isinstance(name, str) and name in os.environ)
    return next(found, default)


_LenientLoader.add_constructor("!ENV", _environment)
_LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def plugin_options(config_file: Path) -> dict[str, Any]:
    """The ``postmortems`` plugin's options in ``config_file``; empty when there is no such file.

    Raises ``ProjectError`` when the file exists but cannot be read or is not YAML: guessing
    the defaults would check other files than the site builds.
    """
    try:
        text = config_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ProjectError(f"cannot read {config_file.name}: {reason or error}") from error
    try:
        config = yaml.load(text, Loader=_LenientLoader)
    except yaml.YAMLError as error:
        mark, where = getattr(error, "problem_mark", None), config_file.name
        where += f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise ProjectError(f"{where}: {problem}") from error
    plugins = config.get("plugins") if isinstance(config, dict) else None
    if isinstance(plugins, dict):
        entries: list[Any] = list(plugins.items())
    else:
        entries = plugins if isinstance(plugins, list) else []
    for entry in entries:
        name, options = entry if isinstance(entry, tuple) else _split(entry)
        if name == "postmortems":
            return options if isinstance(options, dict) else {}
    return {}


def _split(entry: Any) -> tuple[str, Any]:
    if isinstance(entry, dict) and len(entry) == 1:
        return next(iter(entry.items()))
    return (entry, {}) if isinstance(entry, str) else ("", {})
