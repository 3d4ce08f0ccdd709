"""The live preview (``mkdocs serve``) while incident files are invalid: a banner on every page.

Under ``serve`` an invalid edit does not fail the rebuild (MkDocs would then hold every request
until the file is fixed): the plugin keeps publishing the last valid incidents and this banner,
listing the problems, is put at the top of every HTML page, the 404 page included.
"""

from __future__ import annotations

import html
import re

from ..core.terminal import inert

_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_LIST_STYLE = "margin:.4rem 0 0;max-height:40vh;overflow:auto;white-space:pre-wrap;font-size:.75rem"
_STYLE = (
    "position:relative;z-index:10;margin:0;padding:.8rem 1.2rem;"
    "background:#fdecea;color:#611a15;border-bottom:3px solid #d32f2f;"
    "font:.8rem/1.5 system-ui,sans-serif"
)


MAX_LINES = 30
MAX_CHARS = 6000
"""How much of the problems the banner shows: it is on every page, and the terminal has them all."""


def _shortened(problems: str) -> str:
    lines = problems.splitlines()
    text = "\n".join(lines[:MAX_LINES])[:MAX_CHARS]
    if len(text) < len(problems):
        text += "\n… and more: the terminal and `postmortems validate` list every problem."
    return text


def problems_banner(problems: str) -> str:
    """HTML of the banner listing ``problems``, plain text escaped here: none of it is markup."""
    text = html.escape(inert(_shortened(problems)))
    return (
        f'<div class="postmortems-preview-problems" role="alert" style="{_STYLE}">'
        "<strong>Preview out of date:</strong> the pages show the last valid version of the "
        "incidents until these problems are fixed."
        f'<pre style="{_LIST_STYLE}">{text}</pre></div>'
    )


def with_banner(page: str, banner: str) -> str:
    """``page`` with ``banner`` right after its ``<body>`` tag (at the start when it has none)."""
    body = _BODY.search(page)
    at = body.end() if body is not None else 0
    return page[:at] + banner + page[at:]
