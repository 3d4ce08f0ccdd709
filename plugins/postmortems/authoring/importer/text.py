"""Small text helpers: Markdown clean-up, list items, sentences and slugs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

BULLET = re.compile(r"^\s*(?:[-*+•▪◦]|\d{1,3}[.)]|[a-z][.)])\s+")
CHECKBOX = re.compile(r"^\[([ xX])\]\s*")
# Neither part may hold ``[``: a match attempt from one ``[`` never reads past the next one,
# so a line of brackets is read once, not once per bracket.
_LINK = re.compile(r"\[([^\[\]\n]*)\]\((https?://[^)\s\[]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__|~~|`)")
_SINGLE_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_SPACES = re.compile(r"\s+")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_FENCE_CLOSE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*$")


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


def in_code(lines: Sequence[str]) -> list[bool]:
    """Whether each line belongs to a fenced code block, fences included, as CommonMark reads
    them: a closing fence is a line of only the opening's character, at least as many; a
    backtick fence's info string holds no backtick; a fence never closed opens no block."""
    closing = [_FENCE_CLOSE.match(line) for line in lines]
    longest_after: dict[str, list[int]] = {"`": [0] * len(lines), "~": [0] * len(lines)}
    longest = {"`": 0, "~": 0}  # the longest closing fence below each line, by character
    for index in range(len(lines) - 1, -1, -1):
        for character, after in longest_after.items():
            after[index] = longest[character]
        found = closing[index]
        if found:
            fence = found.group(1)
            longest[fence[0]] = max(longest[fence[0]], len(fence))
    code = [False] * len(lines)
    index = 0
    while index < len(lines):
        opening = _FENCE_OPEN.match(lines[index])
        if opening:
            fence, info = opening.group(1), opening.group(2)
            character = fence[0]
            if not (character == "`" and "`" in info) and longest_after[character][index] >= len(
                fence
            ):
                end = index + 1
                while not _closes(closing[end], fence):
                    end += 1
                code[index : end + 1] = [True] * (end + 1 - index)
                index = end + 1
                continue
        index += 1
    return code


def _closes(found: re.Match[str] | None, fence: str) -> bool:
    return found is not None and found.group(1)[0] == fence[0] and len(found.group(1)) >= len(fence)


def paragraphs(lines: Iterable[str]) -> list[str]:
    """Blank-line separated paragraphs, each joined into one line; code blocks are no prose."""
    lines = list(lines)
    result: list[list[str]] = [[]]
    for line, code in zip(lines, in_code(lines), strict=True):
        if code:
            if result[-1]:
                result.append([])
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
