"""``postmortems render OUT``: the generated site as plain Markdown, for other site generators."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..core.collection import display_path, load_collection
from ..core.files import read_folder, write_new_file
from ..core.problems import ProjectError
from ..core.timestamps import build_date
from ..site.markdown import FieldRenderer
from ..site.pages import template_environment
from ..site.standalone import standalone_files
from .common import project_error
from .printer import OK, error_line, failure, say, usage_error
from .site_config import find_site

MKDOCS_DEFAULT_EXTENSIONS = ["toc", "tables", "fenced_code"]
"""Python-Markdown extensions MkDocs uses when ``mkdocs.yml`` names none."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "render",
        help="write the generated pages, exports and stylesheet as Markdown files into OUT",
        description=(
            "Write every generated page (incidents, indexes, statistics, action items) as "
            "Markdown with front matter, the exports and the stylesheet into OUT, so that "
            "Zensical or another Markdown site generator can build them. OUT must be a new or "
            "empty folder: nothing is ever overwritten."
        ),
    )
    parser.add_argument("folder", type=Path, metavar="OUT", help="a new or empty folder")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """0 when every file was written; 1 when OUT is not empty or incident files have problems;
    2 when the project cannot be loaded."""
    out: Path = args.folder
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        taken = f"{out} exists and is not an empty folder; nothing is overwritten"
        raise failure(error_line("render", f"{taken}: choose a new folder"))
    project, options, config = find_site()
    reason = project_error(project)
    if reason is not None:
        raise usage_error("render", reason)
    collection = load_collection(project)
    say(*collection.problems)
    if collection.errors:
        raise failure("postmortems render: fix the problems above first")
    extensions = list(config.markdown_extensions) if config else MKDOCS_DEFAULT_EXTENSIONS
    if "attr_list" not in extensions:
        extensions.append("attr_list")  # the pages' { data-search-exclude } markers
    templates = options.get("templates_dir")
    try:
        overrides = read_folder(project.root / templates, project.root) if templates else {}
    except ProjectError as error:
        raise usage_error("render", f"templates_dir: {error}") from error
    env = template_environment(
        overrides,
        directory_urls=project.directory_urls,
        fields=FieldRenderer(
            extensions,
            dict(config.mdx_configs) if config else {},
            image_hosts=list(options.get("image_hosts") or []),
        ),
    )
    files = standalone_files(
        collection.for_audience(project.audience),
        env,
        today=build_date(),
        similar_top=int(options["similar_top"]),
        site_url=project.site_url,
        site_name=config.site_name if config else "Postmortems",
        with_exports=bool(options["exports"]),
    )
    for name, text in sorted(files.items()):
        write_new_file(out / name, text)
    print(f"{len(files)} files written to {display_path(out)}")
    return OK
