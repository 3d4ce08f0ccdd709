"""Where a project keeps its incidents, schema and service catalog, from the plugin's options.

The options come from the plugin's own config class (``config.py``), read by the MkDocs plugin or,
for the CLI, by ``cli/site_config.py``: this module holds no second copy of their defaults.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .problems import Problem
from .urls import absolute_url, file_url, incident_page
from .vocabulary import Extensions, Term, extended, read_schema, vocabulary

PACKAGED_SCHEMAS = Path(__file__).parents[1] / "schemas"
"""The default incident and service-catalog schemas, shipped inside the package."""
INCIDENT_SCHEMA_NAME = "incident.schema.json"
SERVICES_SCHEMA_NAME = "services.schema.json"
CATALOG_NAME = "_services.yaml"


def packaged_vocabulary(name: str) -> list[Term]:
    """The terms of the vocabulary ``name`` in the incident schema shipped in the package."""
    return vocabulary(_packaged_schema(), name)


@functools.cache
def _packaged_schema() -> dict[str, Any]:
    return read_schema(PACKAGED_SCHEMAS / INCIDENT_SCHEMA_NAME)


@dataclass(frozen=True)
class ProjectPaths:
    """The files one site is built from."""

    root: Path
    incidents_dir: Path
    schema_path: Path
    catalog_path: Path | None
    audience: str = "internal"
    vocabulary_extensions: Extensions = field(default_factory=dict)
    site_url: str | None = None
    """Where the site is published (``site_url`` of mkdocs.yml), for absolute links."""
    repo_url: str | None = None
    directory_urls: bool = True
    fail_on_warnings: bool = False
    """Whether the site's build fails on a warning (the plugin's ``fail_on_warnings``): then so
    do the checks of a pull request, or it would pass them and break the publish job."""

    def fails_build(self, problems: Iterable[Problem]) -> bool:
        """Whether ``problems`` fail the site's build: an error, or a warning when the site
        sets ``fail_on_warnings``."""
        return any(problem.level == "error" or self.fail_on_warnings for problem in problems)

    def incident_link(self, incident_id: str, source: str | None = None) -> str | None:
        """An absolute link to an incident for readers outside the site (a pull-request
        comment): its page under ``site_url``, else its file ``source`` (relative to the project
        root) in the repository at ``repo_url``; ``None`` when neither is known."""
        if self.site_url:
            page = file_url(incident_page(incident_id), directory_urls=self.directory_urls)
            return absolute_url(self.site_url, page)
        if self.repo_url and source:
            return f"{self.repo_url.rstrip('/')}/blob/HEAD/{quote(source, safe='/')}"
        return None

    def read_schema(self) -> dict[str, Any]:
        """The incident schema with the site's extra vocabulary terms (``vocabularies``)."""
        return extended(read_schema(self.schema_path, self.root), self.vocabulary_extensions)

    @property
    def services_schema_path(self) -> Path:
        """The catalog's schema: beside a site's own incident schema when it has one there."""
        beside = self.schema_path.with_name(SERVICES_SCHEMA_NAME)
        return beside if beside.is_file() else PACKAGED_SCHEMAS / SERVICES_SCHEMA_NAME


def schema_modeline(project: ProjectPaths, folder: Path) -> str | None:
    """The ``yaml-language-server`` comment for a new file in ``folder``: editors then check
    the file as it is typed. ``None`` when the schema is not inside the project (the packaged
    default of an installed package), where no relative path would stay true."""
    schema, root = project.schema_path.resolve(), project.root.resolve()
    if not schema.is_relative_to(root):
        return None
    relative = Path(os.path.relpath(schema, folder.resolve())).as_posix()
    return f"# yaml-language-server: $schema={relative}"


def resolve_paths(
    root: Path,
    options: Mapping[str, Any],
    *,
    site_url: str | None = None,
    repo_url: str | None = None,
    directory_urls: bool = True,
) -> ProjectPaths:
    """Paths from the plugin's validated options (relative to ``root``, which holds
    ``mkdocs.yml``), and where the site and its repository are published."""
    incidents_dir = root / str(options["incidents_dir"])
    schema_option = options.get("schema")
    schema_path = (
        root / str(schema_option) if schema_option else PACKAGED_SCHEMAS / INCIDENT_SCHEMA_NAME
    )
    catalog_option = options.get("services_catalog")
    catalog = root / str(catalog_option) if catalog_option else incidents_dir / CATALOG_NAME
    return ProjectPaths(
        root=root,
        incidents_dir=incidents_dir,
        schema_path=schema_path,
        catalog_path=catalog if catalog.is_file() or catalog_option else None,
        audience=str(options["audience"]),
        vocabulary_extensions={
            name: [dict(term) for term in terms]
            for name, terms in (options.get("vocabularies") or {}).items()
        },
        site_url=site_url,
        repo_url=repo_url,
        directory_urls=directory_urls,
        fail_on_warnings=bool(options.get("fail_on_warnings", False)),
    )
