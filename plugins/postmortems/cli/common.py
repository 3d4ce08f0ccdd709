"""What every sub-command checks before it starts: a schema and an incidents folder."""

from __future__ import annotations

from pathlib import Path

from ..core import loader
from ..core.collection import Collection, display_path, load_collection
from ..core.files import links_outside
from ..core.problems import ProjectError
from ..core.project import ProjectPaths
from .printer import USAGE, CommandExit, say
from .site_config import find_project


def project_error(project: ProjectPaths, *, needs_incidents: bool = True) -> str | None:
    """Why no command can work on ``project``, in one line; ``None`` when it looks usable."""
    hint = ""
    if not (project.root / "mkdocs.yml").is_file():
        hint = " (run postmortems in the folder that holds mkdocs.yml)"
    if not project.schema_path.is_file():
        return f"schema not found: {display_path(project.schema_path)}{hint}"
    if needs_incidents and not project.incidents_dir.is_dir():
        return f"no incidents folder: {display_path(project.incidents_dir)}{hint}"
    return None


def load_project(command: str) -> tuple[ProjectPaths, Collection]:
    """The project and its incidents; a usage error when they cannot load."""
    project = find_project()
    reason = project_error(project)
    if reason is None:
        try:
            return project, load_collection(project)
        except ProjectError as error:
            reason = str(error)
    raise CommandExit(USAGE, f"postmortems {command}: cannot load the project: {reason}")


def load_incidents(command: str) -> Collection:
    """The project's collection, its problems printed to stderr; a usage error when it cannot
    load."""
    collection = load_project(command)[1]
    say(*collection.problems)
    if collection.errors:
        count = len({problem.path for problem in collection.errors})
        say(
            f"postmortems {command}: {count} file(s) with errors left out; "
            "run `postmortems validate`"
        )
    return collection


def catalog_services(path: Path | None, root: Path) -> dict[str, str] | None:
    """The service catalog's slugs and names (the slug when it has none); ``None`` when there
    is no readable catalog. Read with the safe loader, never through a link out of ``root``:
    the catalog is untrusted."""
    if path is None or not path.is_file() or links_outside(path, root):
        return None
    data = loader.load_file(path).data
    if data is None:
        return None
    names = {
        slug: entry.get("name") if isinstance(entry, dict) else None for slug, entry in data.items()
    }
    return {
        slug: name if isinstance(name, str) else slug
        for slug, name in names.items()
        if not slug.startswith("x-")
    }
