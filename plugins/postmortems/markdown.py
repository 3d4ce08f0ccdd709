"""Make untrusted incident text safe to place in generated Markdown.

Incident files come from pull requests, so their text is data, never markup that runs:
raw HTML is escaped and shown, template syntax is shown literally, only http(s) links become
links, headings cannot replace the page title, and nothing can break an index table.
"""

from __future__ import annotations

import html
import re

# Characters that mean something to Markdown, its usual extensions (tables, attr_list, emoji,
# mark, caret, tilde) or a template engine, written as numeric entities so they show as-is.
_INLINE_TABLE = str.maketrans(
    {char: f"&#{ord(char)};" for char in "\\`*_[]{}#!|~^="}
    | {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
)
_LIST_MARKER = re.compile(r"^([-+]|\d+[.)])")

_HTTP_URL = re.compile(r"^https?://[^\s<>\"'`]+$")
# Stricter than Markdown's own rule, never looser: text taken for code here is left unescaped.
_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^(\s{0,3})(#{1,6})(\s|$)")
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
# pymdownx.snippets includes files named on such lines, even inside fenced code.
_SNIPPET_MARKER = re.compile(r"^(\s*;*-+8)<")
_LITERAL = str.maketrans({"[": "&#91;", "]": "&#93;", "=": "&#61;", '"': "&quot;"})
# Template syntax is shown exactly as written: no Markdown emphasis inside ``{{ 7*7 }}``.
_TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
_INLINE_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?(\s+\"[^\"]*\")?\s*\)")


def is_http_url(url: str) -> bool:
    """True for an absolute ``http://`` or ``https://`` URL without spaces or quotes."""
    return bool(_HTTP_URL.match(url))


def inline(text: object) -> str:
    """One line of literal text: every Markdown, HTML and template character neutralised.

    Safe in headings, table cells, link texts and list items; newlines become spaces.
    """
    flat = " ".join(str(text).split()).translate(_INLINE_TABLE)
    return _LIST_MARKER.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group(0)), flat)


def link(title: object, url: str) -> str:
    """A Markdown link when ``url`` is http(s), else the title and the URL as plain text."""
    if is_http_url(url):
        safe_url = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
        return f"[{inline(title)}](<{safe_url}>)"
    return f"{inline(title)} ({inline(url)})"


def block(text: object) -> str:
    """Markdown written by a person, rendered as Markdown but made harmless.

    Raw HTML and template syntax are escaped (outside code, where they are literal anyway),
    links and images keep only http(s) targets, headings are demoted below the page's
    section headings, setext underlines cannot turn a line into a heading, and snippet markers
    (``--8<--``) inside fenced code cannot include files.
    """
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    result: list[str] = []
    fence: str | None = None
    for line in lines:
        opening = _FENCE.match(line)
        if fence is not None:
            result.append(_SNIPPET_MARKER.sub("\\1\u2060<", line))
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            result.append(line)
            continue
        result.append(_safe_line(line, previous=result[-1] if result else ""))
    if fence is not None:
        result.append(fence)
    return "\n".join(result).strip("\n")


def _safe_line(line: str, previous: str) -> str:
    if _SETEXT_UNDERLINE.match(line) and previous.strip():
        underline = line.lstrip()
        return f"&#{ord(underline[0])};{underline[1:]}"
    line = _HEADING.sub(
        lambda m: f"{m.group(1)}{'#' * min(6, len(m.group(2)) + 3)}{m.group(3)}", line
    )
    pieces: list[str] = []
    position = 0
    for span in _CODE_SPAN.finditer(line):
        pieces.append(_safe_text(line[position : span.start()]))
        pieces.append(span.group(0))
        position = span.end()
    pieces.append(_safe_text(line[position:]))
    return "".join(pieces)


def _safe_text(text: str) -> str:
    pieces: list[str] = []
    position = 0
    for tag in _TEMPLATE_TAG.finditer(text):
        pieces += [_escape_html(text[position : tag.start()]), inline(tag.group(0))]
        position = tag.end()
    pieces.append(_escape_html(text[position:]))
    return _keep_http_links("".join(pieces))


def _escape_html(text: str) -> str:
    return html.escape(text, quote=False).replace("{", "&#123;").replace("}", "&#125;")


def _keep_http_links(text: str) -> str:
    """Inline links to http(s) URLs stay links; every other bracket is shown as written.

    So no other link, image, reference or reference definition can form, even across lines;
    ``=`` and ``"`` become entities too, so text never reads like an HTML attribute.
    """
    pieces: list[str] = []
    position = 0
    for found in _INLINE_LINK.finditer(text):
        bang, label, url, title = found.groups()
        if is_http_url(html.unescape(url)):
            pieces.append(text[position : found.start()].translate(_LITERAL))
            pieces.append(f"{bang}[{label.translate(_LITERAL)}]({url}{title or ''})")
            position = found.end()
    pieces.append(text[position:].translate(_LITERAL))
    return "".join(pieces)
