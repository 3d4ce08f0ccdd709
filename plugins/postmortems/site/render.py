"""Render page Markdown from Jinja templates kept as files (a site can override any of them)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
import yaml

from ..core import derive, urls
from ..core.cache import fingerprint
from ..core.timestamps import readable
from . import markdown
from .fragments import Fragments, rendered, runs

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process, for environments of the same
    settings (read when a template is loaded): a rebuild under ``mkdocs serve`` makes new
    environments, and compiling every template again costs more than the pages it renders. A
    template whose source changed is compiled again (Jinja's checksum)."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[bytes, str], tuple[str, CodeType]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        key = (_settings(bucket.environment), bucket.key)
        checksum, code = self._compiled.get(key, ("", None))
        if code is not None and checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.code is not None:
            key = (_settings(bucket.environment), bucket.key)
            self._compiled[key] = (bucket.checksum, bucket.code)


COMPILED_TEMPLATES = _CompiledTemplates()
"""The process's compiled templates, for any environment (``plugin.on_env`` gives it MkDocs')."""

_COMPILER_SETTINGS = (
    "block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
    "comment_start_string", "comment_end_string", "line_statement_prefix",
    "line_comment_prefix", "trim_blocks", "lstrip_blocks", "newline_sequence",
    "keep_trailing_newline", "optimized", "autoescape", "finalize", "is_async",
    "newstyle_gettext",
)  # fmt: skip
"""What an environment compiles a template with, besides its extensions."""


def _settings(env: jinja2.Environment) -> bytes:
    return fingerprint(
        type(env),
        sorted(env.extensions),
        [getattr(env, name, None) for name in _COMPILER_SETTINGS],
        [_passes(env.filters), _passes(env.tests)],  # the compiler reads what each one takes
    )


def _passes(functions: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Each filter's or test's name, and what it is passed besides its value (context...)."""
    return sorted((name, str(getattr(f, "jinja_pass_arg", ""))) for name, f in functions.items())


def format_date(value: date | None) -> str:
    return value.isoformat() if value else "—"


def format_number(value: int | float | None) -> str:
    """``5,000,000``; ``85 %`` style is left to templates."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def environment(
    overrides: Mapping[str, str] | None = None,
    *,
    directory_urls: bool = True,
    fields: markdown.FieldRenderer | None = None,
    fragments: Fragments | None = None,
) -> jinja2.Environment:
    """A Jinja environment over the site's own templates (``overrides``: their sources by
    name, read by ``core.files.read_folder``), then the package's.

    Output is Markdown, so autoescaping is off: templates pass every piece of incident text
    through the ``inline`` or ``link`` filters, which make it inert, through ``block`` (a
    Markdown field as sanitised HTML, by ``fields``, on a line of its own), ``phrase`` (a
    one-line field as sanitised inline HTML, for raw HTML) or through ``html``
    inside raw HTML; a long raw-HTML listing goes through ``built`` (Markdown conversion passes
    it by untouched). Front-matter values go through ``yaml``. ``url(src_uri)`` links raw HTML
    to another page; it needs ``page_src`` (the rendered page's own ``src_uri``) in the context.
    A listing's rows go through ``runs`` and each run through
    ``{% call fragment(page_src, key...) %}``: under a preview, ``fragments`` keeps it between
    rebuilds.
    """
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.DictLoader(dict(overrides or {})), jinja2.FileSystemLoader(PACKAGE_TEMPLATES)]
        ),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.bytecode_cache = COMPILED_TEMPLATES
    fields = fields or markdown.FieldRenderer()
    env.filters.update(
        inline=markdown.inline,
        block=fields.block,
        phrase=lambda text: _phrase(fields.html(text)),
        yaml=_yaml,
        link=markdown.link,
        timestamp=readable,
        date=format_date,
        number=format_number,
        duration=derive.human_duration,
        html=markdown.html_text,
        built=markdown.built_html,
        runs=runs,
    )
    env.tests["http_url"] = markdown.is_http_url
    env.globals["url"] = _url
    env.globals["directory_urls"] = directory_urls
    env.globals["fragment"] = fragments if fragments is not None else rendered
    return env


def _phrase(converted: str) -> str:
    """A one-paragraph field (an action item's title) as inline HTML, without its ``<p>``;
    ``|`` as an entity, so it also stands in a Markdown table cell."""
    inner = converted.removeprefix("<p>").removesuffix("</p>")
    if len(inner) + 7 != len(converted) or "<p>" in inner:
        inner = converted
    return inner.replace("|", "&#124;")


def _yaml(value: object) -> str:
    """A YAML value on one line, every special character escaped: front matter always parses."""
    dumped = yaml.safe_dump(
        value, allow_unicode=True, default_style='"', default_flow_style=True, width=float("inf")
    )
    return dumped.rstrip("\n")


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target_src: str) -> str:
    return urls.relative_url(
        context["page_src"], target_src, directory_urls=context["directory_urls"]
    )


def syntax_problems(templates: Mapping[str, str]) -> list[str]:
    """Each template of ``templates`` (sources by name) that does not parse, as
    ``name:line: message``."""
    parser = jinja2.Environment()
    problems = []
    for name, source in sorted(templates.items()):
        try:
            parser.parse(source, name)
        except jinja2.TemplateSyntaxError as error:
            problems.append(f"{name}:{error.lineno}: {error.message}")
    return problems


def templates_fingerprint(overrides: Mapping[str, str] | None = None) -> bytes:
    """A digest of every template a page may use: the site's overrides and the package's."""
    packaged = sorted(path for path in PACKAGE_TEMPLATES.rglob("*") if path.is_file())
    return fingerprint(
        sorted((overrides or {}).items()),
        *(part for path in packaged for part in (path.name, path.read_bytes())),
    )


def render(env: jinja2.Environment, template: str, **context: Any) -> str:
    """Render ``template`` (a file name such as ``incident.md.j2``) with ``context``."""
    return env.get_template(template).render(**context)
