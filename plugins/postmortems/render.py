"""Render page Markdown from Jinja templates kept as files (a site can override any of them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2

from . import derive, markdown

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


def environment(overrides: Sequence[Path] = ()) -> jinja2.Environment:
    """A Jinja environment over the site's template folders, then the package's.

    Output is Markdown, so autoescaping is off: templates pass every piece of incident text
    through the ``inline``, ``block`` or ``link`` filters, which make it inert.
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
    )
    return env


def render(env: jinja2.Environment, template: str, **context: Any) -> str:
    """Render ``template`` (a file name such as ``incident.md.j2``) with ``context``."""
    return env.get_template(template).render(**context)
