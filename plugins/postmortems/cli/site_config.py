"""The site's options as MkDocs itself reads them, so the CLI checks exactly what the site builds.

``mkdocs.yml`` is loaded with MkDocs' own configuration loading (``INHERIT``, ``!ENV``,
``!relative``, every option validated) and the ``postmortems`` plugin's options are those its own
config class validated; without ``mkdocs.yml`` they are that class's defaults. Like MkDocs itself,
this treats ``mkdocs.yml`` as trusted code of the site, not as incident data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError

from ..core.problems import ProjectError
from ..core.project import ProjectPaths, resolve_paths
from ..site.config import PostmortemsConfig

CONFIG_FILE = "mkdocs.yml"
PLUGIN_NAME = "postmortems"


def find_project(start: Path | None = None) -> ProjectPaths:
    """The project whose ``mkdocs.yml`` is in ``start`` (default: the working directory)."""
    return find_site(start)[0]


def find_site(
    start: Path | None = None,
) -> tuple[ProjectPaths, dict[str, Any], MkDocsConfig | None]:
    """The project in ``start`` (default: the working directory), the plugin's validated
    options, and the whole MkDocs configuration (``None`` without ``mkdocs.yml``). Raises
    ``ProjectError`` when MkDocs cannot load ``mkdocs.yml``: guessing would check other files
    than the site builds."""
    root = (start or Path.cwd()).resolve()
    config = load_site_config(root / CONFIG_FILE)
    options, site = _settings(config)
    return resolve_paths(root, options, **site), options, config


def _settings(config: MkDocsConfig | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plugin's options (its defaults when the site does not use it) and where the site is
    published (``site_url``, ``repo_url``, ``directory_urls``)."""
    if config is None:
        return default_options(), {}
    site = {
        "site_url": config.site_url or None,
        "repo_url": config.repo_url or None,
        "directory_urls": config.use_directory_urls,
    }
    plugin = config.plugins.get(PLUGIN_NAME)
    return (dict(plugin.config) if plugin is not None else default_options()), site


def load_site_config(config_file: Path) -> MkDocsConfig | None:
    """``config_file`` loaded and validated by MkDocs; ``None`` when there is no such file."""
    if not config_file.is_file():
        return None
    errors: list[str] = []
    try:
        with _mkdocs_errors_into(errors), config_file.open("rb") as stream:
            config = load_config(stream, config_file_path=str(config_file))
    except (ConfigurationError, Abort) as error:
        reasons = errors if isinstance(error, Abort) and errors else [str(error)]
        raise ProjectError(
            f"{config_file.name}: " + "; ".join(_one_line(reason) for reason in reasons)
        ) from error
    except UnicodeDecodeError as error:
        raise ProjectError(f"cannot read {config_file.name}: not UTF-8 text") from error
    except OSError as error:
        raise ProjectError(f"cannot read {config_file.name}: {error.strerror or error}") from error
    return config


def default_options() -> dict[str, Any]:
    """The plugin's options when nothing is configured: its config class's defaults."""
    config = PostmortemsConfig()
    config.load_dict({})
    config.validate()
    return dict(config)


def _one_line(message: str) -> str:
    return " ".join(message.split())


class _Collect(logging.Handler):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.errors = errors

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(record.getMessage())


@contextmanager
def _mkdocs_errors_into(errors: list[str]) -> Iterator[None]:
    """MkDocs logs what it finds while loading; the CLI keeps the errors for its own one-line
    message and shows none of the rest (its output is its own)."""
    logger = logging.getLogger("mkdocs")
    handler = _Collect(errors)
    previous = logger.propagate, logger.handlers[:]
    logger.propagate, logger.handlers[:] = False, [handler]
    try:
        yield
    finally:
        logger.propagate, logger.handlers[:] = previous[0], previous[1]
