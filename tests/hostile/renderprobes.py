"""Build the render probes (``render/``: hostile-but-valid incidents and catalog) into sites,
and find what could run in their pages.

The project is the site tests' fixture project plus the probes, with pymdownx.snippets (and a
secret file it could include), a mermaid custom fence, and mkdocs-macros listed before or
after ``postmortems``; its home page prints incident text through the ``pm_*`` macros.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from sitebuild import BIN, copy_project, run

RENDER = Path(__file__).parent / "render"
EXTENSIONS = """markdown_extensions:
  - admonition
  - attr_list
  - tables
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.snippets:
      base_path: [{base!r}]
      check_paths: false
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
"""


def render_project(destination: Path, *, macros_first: bool, incidents: Path | None = None) -> Path:
    """The fixture project with the probes (or ``incidents``), ready to build."""
    project = copy_project(destination)
    shutil.copytree(incidents or RENDER / "incidents", project / "incidents", dirs_exist_ok=True)
    shutil.copy(RENDER / "secret.txt", project / "secret.txt")
    shutil.copy(RENDER / "index.md", project / "docs" / "index.md")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = (
        config[: config.index("markdown_extensions:")]
        + EXTENSIONS.format(base=str(project))
        + config[config.index("validation:") :]
    )
    if macros_first:
        config = config.replace(
            "  - postmortems:", "  - macros:\n      on_undefined: strict\n  - postmortems:", 1
        )
        config = config.replace(
            "      cache: false\n  - macros:\n      on_undefined: strict\n", "      cache: false\n"
        )
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    return project


def build_project(project: Path) -> Path:
    """``mkdocs build --strict`` of ``project`` into ``project/site``, in its own process.

    (mkdocs-macros keeps registrations across builds in one process.)
    """
    command = [BIN / "mkdocs", "build", "--strict", "-q"]
    result = run(command, project, env={"POSTMORTEMS_NO_CACHE": "1"})
    assert result.returncode == 0, result.stderr
    return project / "site"


@dataclass
class Html:
    """What a built page holds that could run: scripts, attributes, elements (in the article)."""

    scripts: list[tuple[str, str]] = field(default_factory=list)
    attributes: list[tuple[str, str, str]] = field(default_factory=list)
    article_tags: list[str] = field(default_factory=list)
    article_text: str = ""
    title: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html = Html()
        self.depth = 0
        self.script: tuple[str, list[str]] | None = None
        self.in_title = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.html.attributes += [(tag, name, value) for name, value in values.items()]
        if tag == "article":
            self.depth += 1
        elif self.depth:
            self.html.article_tags.append(tag)
        if tag == "script":
            self.script = (values.get("src", ""), [])
        self.in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.depth -= 1
        elif tag == "script" and self.script is not None:
            self.html.scripts.append((self.script[0], "".join(self.script[1])))
            self.script = None
        self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            self.script[1].append(data)
        if self.in_title:
            self.html.title += data
        if self.depth:
            self.text.append(data)


def read_html(text: str) -> Html:
    """The scripts, attributes, article elements and text of one page."""
    reader = _Reader()
    reader.feed(text)
    reader.close()
    reader.html.article_text = " ".join(" ".join(reader.text).split())
    return reader.html


UNSAFE_URL = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "xlink:href", "poster", "data"}
# Elements no incident text may bring (the theme's own icons are inline <svg>; handlers on them
# are caught by the attribute check).
ARTICLE_FORBIDDEN = frozenset(
    {"script", "iframe", "object", "embed", "base", "meta", "style", "form", "input", "button"}
)
THEME_SCRIPT = re.compile(
    r"/?(\.\./)*assets/(javascripts/[\w./-]+|postmortems-search)\.js"
)  # the theme's scripts and the plugin's search script, never anything from incident text


def problems(page: Html) -> list[str]:
    """Everything on ``page`` that could run code from an incident (empty when inert)."""
    found = [
        f"script {src or content[:60]!r}"
        for src, content in page.scripts
        if (src and not THEME_SCRIPT.fullmatch(src)) or "alert" in content
    ]
    found += [f"<{tag} {name}>" for tag, name, _ in page.attributes if name.startswith("on")]
    found += [
        f"<{tag} {name}={value!r}>"
        for tag, name, value in page.attributes
        if name in URL_ATTRIBUTES and UNSAFE_URL.match(re.sub(r"[\x00-\x20]", "", value))
    ]
    found += [f"<{tag}> in the article" for tag in page.article_tags if tag in ARTICLE_FORBIDDEN]
    return found
