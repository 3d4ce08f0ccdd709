"""Render page Markdown from Jinja templates kept as files (a site can override any of them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from . import derive, markdown, urls

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"


def format_timestamp(value: datetime | None) -> str:
    """``2024-07-30 00:50 UTC+00:00``: the time as written, with its offset."""
    if value is None:
        return "—"
    offset = value.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    seconds = ":%S" if value.second else ""
    return value.strftime(f"%Y-%m-%d %H:%M{seconds}") + f" UTC{offset}"


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
    overrides: Sequence[Path] = (), *, directory_urls: bool = True
) -> jinja2.Environment:
    """A Jinja environment over the site's template folders, then the package's.

    Output is Markdown, so autoescaping is off: templates pass every piece of incident text
    through the ``inline``, ``block`` or ``link`` filters, which make it inert, or through
    ``html`` inside the raw HTML tables of long listings. ``url(src_uri)`` links such a table
    to another page; it needs ``page_src`` (the rendered page's own ``src_uri``) in the context.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*map(str, overrides), str(PACKAGE_TEMPLATES)]),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        inline=markdown.inline,
        block=markdown.block,
        link=markdown.link,
        timestamp=format_timestamp,
        date=format_date,
        number=format_number,
        duration=derive.human_duration,
        html=_html,
    )
    env.tests["http_url"] = markdown.is_http_url
    env.globals["url"] = _url
    env.globals["directory_urls"] = directory_urls
    return env


def _html(value: object) -> str:
    """Text for raw HTML: escaped, and with braces as entities so no template syntax remains."""
    return str(markupsafe.escape(value)).replace("{", "&#123;").replace("}", "&#125;")


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target_src: str) -> str:
    return urls.relative_url(
        context["page_src"], target_src, directory_urls=context["directory_urls"]
    )


def render(env: jinja2.Environment, template: str, **context: Any) -> str:
    """Render ``template`` (a file name such as ``incident.md.j2``) with ``context``."""
    return env.get_template(template).render(**context)
