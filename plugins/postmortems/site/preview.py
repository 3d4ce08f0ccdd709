"""The live preview (``mkdocs serve``) while incident files are invalid: a banner on every page.

Under ``serve`` an invalid edit does not fail the rebuild (MkDocs would then hold every request
until the file is fixed): the plugin keeps publishing the last valid incidents, and the preview's
server puts this banner, listing the problems, at the top of every HTML page it serves, the 404
page included. The built pages stay as they are: an invalid save rebuilds no page (at 10,000
incidents, writing the banner into every page took nearly a minute).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from ..core.terminal import inert

_BODY = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
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


def with_banner(page: bytes, banner: str) -> bytes:
    """``page`` with ``banner`` right after its ``<body>`` tag (at the start when it has none)."""
    body = _BODY.search(page)
    at = body.end() if body is not None else 0
    return page[:at] + banner.encode() + page[at:]


def showing_problems(app: WSGIApplication, problems: Callable[[], str | None]) -> WSGIApplication:
    """``app`` (the preview's server) with the banner listing ``problems()``, while there are
    any, at the top of every HTML page it answers with; other answers pass through untouched."""

    def shown(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        answer: list[Any] = []
        written: list[bytes] = []

        def held(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None, /
        ) -> Callable[[bytes], object]:
            answer[:] = [status, headers, exc_info]
            return written.append

        body = app(environ, held)  # MkDocs' answers a page once any rebuild under way is done
        current = problems()  # so this is what that build found
        if answer and not (current and _is_html(answer[1])):
            write = start_response(*answer)
            for data in written:
                write(data)
            return body
        try:
            content = b"".join([*written, *body])  # (an app may answer its status only now)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        status, headers, exc_info = answer
        if current and _is_html(headers):
            content = with_banner(content, problems_banner(current))
            headers = [(name, value) for name, value in headers if name.lower() != "content-length"]
            headers.append(("Content-Length", str(len(content))))
        start_response(status, headers, exc_info)
        return [content]

    return shown


def _is_html(headers: list[tuple[str, str]]) -> bool:
    return any(
        name.lower() == "content-type" and value.split(";")[0].strip().lower() == "text/html"
        for name, value in headers
    )
