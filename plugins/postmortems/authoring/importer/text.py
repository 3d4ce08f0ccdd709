"""Small text helpers: Markdown clean-up, list items, sentences and slugs."""

from __future__ import annotations

import re
from collections.abc import Iterable

BULLET = re.compile(r"^\s*(?:[-*+•▪◦]|\d{1,3}[.)]|[a-z][.)])\s+")
CHECKBOX = re.compile(r"^\[([ xX])\]\s*")
# Neither part may hold ``[``: a match attempt from one ``[`` never reads past the next one,
# so a line of brackets is read once, not once per bracket.
_LINK = re.compile(r"\[([^\[\]\n]*)\]\((https?://[^)\s\[]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__|~~|`)")
_SINGLE_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_SPACES = re.compile(r"\s+")
_FENCE = re.compile(r"^\s{0,3}(?:`{3,}|~{3,})")


def clean(text: str) -> str:
    """Inline Markdown removed (emphasis, code ticks, HTML breaks), whitespace collapsed."""
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.IGNORECASE)
    text = _LINK.sub(r"\1 (\2)", text)
    text = _SINGLE_EMPHASIS.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    return _SPACES.sub(" ", text).strip()


def strip_bullet(line: str) -> str:
    """A list line without its bullet or number."""
    return BULLET.sub("", line, count=1).strip()


def is_bullet(line: str) -> bool:
    return bool(BULLET.match(line))


def list_items(lines: Iterable[str]) -> list[str]:
    """The items of a list: bullets with their continuation lines, else one item per line.

    Lines ending with a colon are sub-headings or introductions and are skipped; a line that
    starts in lower case after a line without closing punctuation continues the previous item.
    """
    lines = [line.rstrip() for line in lines]
    bulleted = any(is_bullet(line) for line in lines)
    items: list[str] = []
    open_item = False
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("|") or set(stripped) <= set("-=*_ "):
            open_item = False
            continue
        if bulleted:
            if is_bullet(line):
                items.append(strip_bullet(line))
                open_item = True
            elif open_item and (line[:1].isspace() or items):
                items[-1] += " " + stripped
            continue
        if stripped.endswith(":"):
            open_item = False
            continue
        continues = items and open_item and not re.search(r"[.!?:)\]]$", items[-1])
        if continues and stripped[0].islower():
            items[-1] += " " + stripped
        else:
            items.append(stripped)
            open_item = True
    cleaned = (clean(item) for item in items)
    return [item for item in cleaned if item and not item.endswith(":")]


def is_fence(line: str) -> bool:
    """Whether ``line`` opens or closes a fenced code block."""
    return bool(_FENCE.match(line))


def paragraphs(lines: Iterable[str]) -> list[str]:
    """Blank-line separated paragraphs, each joined into one line; code blocks are no prose."""
    result: list[list[str]] = [[]]
    in_code = False
    for line in lines:
        if is_fence(line):
            in_code = not in_code
            if result[-1]:
                result.append([])
        elif in_code:
            continue
        elif line.strip():
            result[-1].append(line.strip())
        elif result[-1]:
            result.append([])
    return [clean(" ".join(block)) for block in result if block]


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph (a simple split after ``.``, ``!`` or ``?``)."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return (cut or text[: limit - 1]) + "…"


def normalise_key(text: str) -> str:
    """A heading or fact key compared loosely: lower case, no Markdown, numbering or colon."""
    text = clean(text).lower()
    text = re.sub(r"^(?:\d+(?:\.\d+)*[.)]?|[ivx]+[.)])\s+", "", text)
    text = re.sub(r"[\[\]:*#]+", " ", text)
    return _SPACES.sub(" ", text).strip(" .-–—")
