"""Postmortems written in another markup than Markdown, rewritten as the Markdown they stand for.

Wikis and documentation tools keep postmortems in their own markup: Confluence and Jira wiki
markup (``h2. Root cause``, ``# step``, ``||Owner||Due||``), MediaWiki (``== Root cause ==``),
AsciiDoc (``== Root cause``, ``:author:``), reStructuredText (titles underlined with ``~`` or
``^``, ``:Date:`` fields) and Org mode (``* Root cause``, ``#+TITLE:``). A document is rewritten
only when it is plainly in one of them (its headings say so); any other document, Markdown and
plain text included, is returned as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_WIKI_HEADING = re.compile(r"^\s*h([1-6])\.\s+(\S.*)$")
_WIKI_LIST = re.compile(r"^\s*([#*-]+)\s+(\S.*)$")
_WIKI_LINK = re.compile(r"\[([^\[\]|\n]+)\|((?:https?|mailto):[^\[\]\s|]+)\]")
_WIKI_BLOCK = re.compile(r"^\s*\{(?:code|noformat)(?::[^}]*)?\}\s*$")
_WIKI_MACRO = re.compile(r"\{(?:quote|panel|info|note|warning|tip|color)(?::[^}]*)?\}")
_WIKI_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_RULE = re.compile(r"^\s*-{4,}\s*$")

_MEDIAWIKI_HEADING = re.compile(r"^(={1,6})([^=].*?)\1\s*$")
_MEDIAWIKI_BOLD = re.compile(r"'{3}([^'\n]+)'{3}")
_MEDIAWIKI_TABLE = re.compile(r"^\s*(?:\{\||\|\}|\|-)")

_ASCIIDOC_HEADING = re.compile(r"^(={1,6})\s+(\S.*)$")
_ASCIIDOC_ATTRIBUTE = re.compile(r"^:([A-Za-z][\w -]{0,40}):\s*(.*)$")
_ASCIIDOC_LIST = re.compile(r"^\s*(\*+|\.+)\s+(\S.*)$")
_ASCIIDOC_NAMES = {"revdate": "date", "revnumber": "version", "authors": "authors"}
"""AsciiDoc's attributes under the names postmortems give the same facts."""
_ASCIIDOC_BLOCK = re.compile(r"^(?:-{4,}|\.{4,}|={4,}|_{4,}|\+{4,}|\|===)\s*$")

_RST_ADORNMENT = re.compile(r"^([=\-~^\"'`+*#:._])\1{2,}\s*$")
_RST_FIELD = re.compile(r"^:([A-Za-z][\w -]{0,40}):\s+(\S.*)$")
_RST_ENUMERATED = re.compile(r"^(\s*)#\.\s+")
_RST_DIRECTIVE = re.compile(r"^\.\.\s+\S")

_ORG_KEYWORD = re.compile(r"^#\+([A-Za-z_]+):\s*(.*)$")
_ORG_HEADING = re.compile(r"^(\*+)\s+(\S.*)$")
_ORG_TAGS = re.compile(r":[\w@:]+:")
_ORG_SETTINGS = frozenset({"options", "startup", "setupfile", "property", "filetags"})

_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")


def from_markup(text: str) -> str:
    """``text`` as Markdown when it is in a wiki or documentation markup, else unchanged."""
    lines = text.split("\n")
    for is_in, rewrite in _DIALECTS:
        if is_in(lines):
            return "\n".join(rewrite(lines))
    return text


def _listed(line: str, numbered: str) -> str | None:
    """A wiki list item (``*``, ``#``, ``-`` repeated for depth) as a Markdown one; ``numbered``
    is the marker of numbered items."""
    item = _WIKI_LIST.match(line)
    if item is None or len(set(item.group(1))) != 1:
        return None
    marker, depth = item.group(1)[0], len(item.group(1))
    return f"{'  ' * (depth - 1)}{'1.' if marker == numbered else '-'} {item.group(2)}"


def _field(name: str, value: str) -> str:
    """A document attribute as the ``Name: value`` line a plain-text postmortem would have (in
    capitals: a line in lower case after prose reads as the prose going on)."""
    name = name.strip()
    return f"{name[:1].upper()}{name[1:]}: {value.strip()}"


def _is_wiki(lines: list[str]) -> bool:
    """Confluence or Jira wiki markup: ``hN.`` headings."""
    return any(_WIKI_HEADING.match(line) for line in lines)


def _from_wiki(lines: list[str]) -> list[str]:
    out: list[str] = []
    in_block = False
    for line in lines:
        if _WIKI_BLOCK.match(line):
            out.append("```")
            in_block = not in_block
            continue
        if in_block:
            out.append(line)
            continue
        line = _WIKI_BOLD.sub(r"**\1**", _WIKI_LINK.sub(r"[\1](\2)", _WIKI_MACRO.sub("", line)))
        heading = _WIKI_HEADING.match(line)
        listed = _listed(line, "#")
        if heading:
            out.append(f"{'#' * int(heading.group(1))} {heading.group(2)}")
        elif listed is not None:
            out.append(listed)
        elif line.strip().startswith("||") and line.strip().endswith("||"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("||")]
            out += ["| " + " | ".join(cells) + " |", "|" + "---|" * len(cells)]
        else:
            out.append("" if _RULE.match(line) else line)  # a rule: never an underline
    return out


def _is_mediawiki(lines: list[str]) -> bool:
    """MediaWiki markup: ``== Heading ==``."""
    return any(_MEDIAWIKI_HEADING.match(line) for line in lines)


def _from_mediawiki(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        heading = _MEDIAWIKI_HEADING.match(line)
        listed = _listed(line, "#")
        if heading and heading.group(2).strip():
            out.append(f"{'#' * len(heading.group(1))} {heading.group(2).strip()}")
        elif listed is not None:
            out.append(listed)
        elif _MEDIAWIKI_TABLE.match(line) or _RULE.match(line):
            out.append("")
        else:
            out.append(_MEDIAWIKI_BOLD.sub(r"**\1**", line))
    return out


def _is_asciidoc(lines: list[str]) -> bool:
    """AsciiDoc: ``=`` headings (a document title, or two sections), no Markdown heading."""
    headings = [line for line in lines if _ASCIIDOC_HEADING.match(line)]
    titled = any(line.startswith("= ") for line in headings)
    return (titled or len(headings) >= 2) and not any(map(_MARKDOWN_HEADING.match, lines))


def _from_asciidoc(lines: list[str]) -> list[str]:
    out: list[str] = []
    for index, line in enumerate(lines):
        heading = _ASCIIDOC_HEADING.match(line)
        attribute = _ASCIIDOC_ATTRIBUTE.match(line)
        listed = _ASCIIDOC_LIST.match(line)
        if heading:
            out.append(f"{'#' * len(heading.group(1))} {heading.group(2).strip()}")
        elif _ASCIIDOC_BLOCK.match(line):
            out.append("")  # a block's delimiter: never an underline
        elif attribute:
            name = attribute.group(1).replace("-", " ").lower()
            out.append(_field(_ASCIIDOC_NAMES.get(name, name), attribute.group(2)))
        elif index and lines[index - 1].startswith("= ") and line.strip() and "<" in line:
            out.append(_field("author", line.split("<")[0]))  # the header's author line
        elif listed:
            marker, depth = listed.group(1)[0], len(listed.group(1))
            out.append(f"{'  ' * (depth - 1)}{'1.' if marker == '.' else '-'} {listed.group(2)}")
        else:
            out.append(line)
    return out


def _rst_titles(lines: list[str]) -> list[tuple[int, str, bool]]:
    """reStructuredText section titles: ``(line, adornment character, overlined)``. A title
    stands alone (a blank line or its overline above it) and its underline is as long as it or
    longer."""
    found = []
    for index in range(1, len(lines)):
        adornment = _RST_ADORNMENT.match(lines[index])
        title = lines[index - 1].strip()
        if not adornment or not title or _RST_ADORNMENT.match(lines[index - 1]):
            continue
        above = lines[index - 2].rstrip() if index >= 2 else ""
        overlined = above == lines[index].rstrip()
        if overlined or (not above.strip() and len(lines[index].rstrip()) >= len(title)):
            found.append((index - 1, adornment.group(1), overlined))
    return found


def _is_rst(lines: list[str]) -> bool:
    """reStructuredText: two section titles or more, one of them adorned otherwise than a
    Markdown heading is underlined (overlined, or underlined with neither ``=`` nor ``-``), and
    no Markdown heading."""
    titles = _rst_titles(lines)
    return (
        len(titles) >= 2
        and any(overlined or character not in "=-" for _, character, overlined in titles)
        and not any(map(_MARKDOWN_HEADING.match, lines))
    )


def _from_rst(lines: list[str]) -> list[str]:
    levels: dict[tuple[str, bool], int] = {}  # by adornment, in the order first used
    titles = {
        index: levels.setdefault((character, overlined), min(len(levels) + 1, 6))
        for index, character, overlined in _rst_titles(lines)
    }
    out: list[str] = []
    for index, line in enumerate(lines):
        field = _RST_FIELD.match(line)
        if index in titles:
            if out and _RST_ADORNMENT.match(out[-1]):
                out[-1] = ""  # its overline
            out.append(f"{'#' * titles[index]} {line.strip()}")
        elif index - 1 in titles or _RST_DIRECTIVE.match(line):
            out.append("")  # its underline; a directive (code, image, comment)
        elif field:
            out.append(_field(field.group(1), field.group(2)))
        else:
            out.append(_RST_ENUMERATED.sub(r"\g<1>1. ", line))
    return out


def _is_org(lines: list[str]) -> bool:
    """Org mode: ``#+TITLE:``-style keywords and ``*`` headings."""
    keywords = any(_ORG_KEYWORD.match(line) for line in lines)
    return keywords and any(line.startswith("* ") for line in lines)


def _from_org(lines: list[str]) -> list[str]:
    titled = any(line.lower().startswith("#+title:") for line in lines)
    out: list[str] = []
    for line in lines:
        keyword = _ORG_KEYWORD.match(line)
        heading = _ORG_HEADING.match(line)
        if keyword:
            name, value = keyword.group(1).lower(), keyword.group(2).strip()
            if name == "title":
                out.append(f"# {value}")
            elif value and name not in _ORG_SETTINGS:
                out.append(_field(name.replace("_", " "), value))
        elif heading:
            depth = min(len(heading.group(1)) + titled, 6)  # below the #+TITLE, if any
            words = heading.group(2).split()
            if len(words) > 1 and _ORG_TAGS.fullmatch(words[-1]):
                words.pop()  # its tags
            if len(words) > 1 and words[0] in ("TODO", "DONE"):
                words.pop(0)
            out.append(f"{'#' * depth} {' '.join(words)}")
        else:
            out.append(line)
    return out


_DIALECTS: tuple[tuple[Callable[[list[str]], bool], Callable[[list[str]], list[str]]], ...] = (
    (_is_wiki, _from_wiki),
    (_is_org, _from_org),
    (_is_mediawiki, _from_mediawiki),
    (_is_asciidoc, _from_asciidoc),
    (_is_rst, _from_rst),
)
"""Each markup's test and rewrite, the most telling test first."""
