"""Postmortems written in another markup than Markdown, rewritten as the Markdown they stand for.

Wikis and documentation tools keep postmortems in their own markup: Confluence and Jira wiki
markup (``h2. Root cause``, ``# step``, ``||Owner||Due||``), MediaWiki (``== Root cause ==``),
AsciiDoc (``== Root cause``, ``:author:``), reStructuredText (titles underlined with ``~`` or
``^``, ``:Date:`` fields) and Org mode (``* Root cause``, ``#+TITLE:``). A document is rewritten
only when it is plainly in one of them (its headings say so, outside fenced code); any other
document, Markdown and plain text included, is returned as it is.
A markup's code blocks become fenced ones, left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .sections import classify
from .text import in_code

_LIST = re.compile(r"^\s*([#*.-]+)\s+(\S.*)$")
_RULE = re.compile(r"^\s*-{4,}\s*$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S")
_FENCE = "```"

_WIKI_HEADING = re.compile(r"^\s*h([1-6])\.\s+(\S.*)$")
_WIKI_LINK = re.compile(r"\[([^\[\]|\n]+)\|((?:https?|mailto):[^\[\]\s|]+)\]")
_WIKI_CODE = re.compile(r"^\s*\{(?:code|noformat)(?::[^{}\n]*)?\}\s*$")
_WIKI_MACRO = re.compile(r"\{(?:quote|panel|info|note|warning|tip|color)(?::[^{}\n]*)?\}")
_WIKI_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")

_MEDIAWIKI_HEADING = re.compile(r"^(={1,6})([^=].*?)\1\s*$")
_MEDIAWIKI_BOLD = re.compile(r"'{3}([^'\n]+)'{3}")
_MEDIAWIKI_TABLE = re.compile(r"^\s*(?:\{\||\|\})")
_MEDIAWIKI_CODE = re.compile(r"^\s*</?(?:pre|syntaxhighlight|source)\b[^<>]*>\s*$", re.IGNORECASE)

_ASCIIDOC_HEADING = re.compile(r"^(={1,6})\s+(\S.*)$")
_ASCIIDOC_ATTRIBUTE = re.compile(r"^:([A-Za-z][\w -]{0,40}):\s*(.*)$")
_ASCIIDOC_CODE = re.compile(r"^(?:-{4,}|\.{4,})\s*$")
_ASCIIDOC_BLOCK = re.compile(r"^(?:={4,}|_{4,}|\+{4,}|\*{4,}|\|===)\s*$")
_ASCIIDOC_NAMES = {"revdate": "date", "revnumber": "version"}
"""AsciiDoc's attributes under the names postmortems give the same facts."""

_RST_ADORNMENT = re.compile(r"^([=\-~^\"'`+*#:._])\1{2,}\s*$")
_RST_FIELD = re.compile(r"^:([A-Za-z][\w -]{0,40}):\s+(\S.*)$")
_RST_ENUMERATED = re.compile(r"^(\s*)#\.\s+")
_RST_DIRECTIVE = re.compile(r"^\.\.\s+\S")
_RST_LITERAL = re.compile(r"::\s*$")
_RST_CODE = re.compile(r"^\.\.\s+(?:code-block|code|sourcecode)::")

_ORG_KEYWORD = re.compile(r"^#\+([A-Za-z_]+):\s*(.*)$")
_ORG_HEADING = re.compile(r"^(\*+)\s+(\S.*)$")
_ORG_TAGS = re.compile(r":[\w@:]+:")
_ORG_CODE = re.compile(r"^\s*#\+(?:begin|end)_(?:src|example)\b.*$", re.IGNORECASE)
_ORG_SETTINGS = frozenset({"options", "startup", "setupfile", "property", "filetags"})


def from_markup(text: str) -> str:
    """``text`` as Markdown when it is in a wiki or documentation markup, else unchanged."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # The lines outside fenced code blocks: a markup's headings in them are examples.
    prose = [line for line, code in zip(lines, in_code(lines), strict=True) if not code]
    for is_in, rewrite in _DIALECTS:
        if is_in(lines, prose):
            return "\n".join(rewrite(lines))
    return text


def _code_blocks(lines: list[str], is_code: Callable[[str], bool]) -> dict[int, int]:
    """Each code block's opening delimiter (``is_code``) and its closing one, by line; a
    delimiter left without a pair opens none."""
    delimiters = [index for index, line in enumerate(lines) if is_code(line)]
    return dict(zip(delimiters[::2], delimiters[1::2], strict=False))


def _outside(lines: list[str], is_code: Callable[[str], bool]) -> list[str]:
    """The lines outside the code blocks that ``is_code`` delimits."""
    blocks = _code_blocks(lines, is_code)
    kept: list[str] = []
    index = 0
    while index < len(lines):
        end = blocks.get(index)
        if end is None:
            kept.append(lines[index])
        index = index + 1 if end is None else end + 1
    return kept


def _field(name: str, value: str) -> str:
    """A document attribute as the ``Name: value`` line a plain-text postmortem would have (in
    capitals: a line in lower case after prose reads as the prose going on)."""
    name = name.strip()
    return f"{name[:1].upper()}{name[1:]}: {value.strip()}"


def _listed(line: str, bullets: str, numbered: str) -> str | None:
    """A list item whose marker (``bullets`` or ``numbered``, repeated for depth) starts
    ``line``, as a Markdown one."""
    item = _LIST.match(line)
    if item is None or len(set(item.group(1))) != 1 or item.group(1)[0] not in bullets + numbered:
        return None
    marker, depth = item.group(1)[0], len(item.group(1))
    return f"{'  ' * (depth - 1)}{'1.' if marker == numbered else '-'} {item.group(2)}"


def _verbatim(
    lines: list[str], rewrite: Callable[[str], str | None], is_code: Callable[[str], bool]
) -> list[str]:
    """``lines`` rewritten one by one (``None``: left out), but for code blocks: between two
    delimiters (``is_code``; one left without a pair is text), fenced and left as they are."""
    blocks = _code_blocks(lines, is_code)
    out: list[str] = []
    index = 0
    while index < len(lines):
        end = blocks.get(index)
        if end is not None:
            out += _fenced(lines[index + 1 : end])
            index = end + 1
            continue
        rewritten = rewrite(lines[index])
        if rewritten is not None:
            out.append(rewritten)
        index += 1
    return out


def _fenced(code: list[str]) -> list[str]:
    """``code`` between fences that no line of it closes."""
    runs = (len(line.lstrip()) - len(line.lstrip().lstrip("`")) for line in code)
    fence = "`" * max(3, max(runs, default=0) + 1)
    return [fence, *code, fence]


def _is_wiki(lines: list[str], prose: list[str]) -> bool:
    """Confluence or Jira wiki markup: ``hN.`` headings (two, or one that opens the text)."""
    headings = [line for line in prose if _WIKI_HEADING.match(line)]
    opening = next((line for line in lines if line.strip()), "")
    return len(headings) >= 2 or bool(_WIKI_HEADING.match(opening))


def _from_wiki(lines: list[str]) -> list[str]:
    """Headings, lists, ``||`` header rows, links and bold as Markdown; macros left out."""

    def rewrite(line: str) -> str:
        line = _WIKI_BOLD.sub(r"**\1**", _WIKI_LINK.sub(r"[\1](\2)", _WIKI_MACRO.sub("", line)))
        heading = _WIKI_HEADING.match(line)
        if heading:
            return f"{'#' * int(heading.group(1))} {heading.group(2)}"
        stripped = line.strip()
        if stripped.startswith("||") and stripped.endswith("||"):
            cells = [cell.strip() for cell in stripped.strip("|").split("||")]
            return "| " + " | ".join(cells) + " |\n|" + "---|" * len(cells)
        return _listed(line, "*-", "#") or ("" if _RULE.match(line) else line)

    return _verbatim(lines, rewrite, lambda line: bool(_WIKI_CODE.match(line)))


def _is_mediawiki(lines: list[str], prose: list[str]) -> bool:
    """MediaWiki markup: two ``== Heading ==`` lines or more that name a postmortem's sections
    (not Markdown's ``==highlighted==`` text)."""
    headings = (_MEDIAWIKI_HEADING.match(line) for line in prose)
    named = [found for found in headings if found and classify(found.group(2), loose=False)]
    return len(named) >= 2


def _from_mediawiki(lines: list[str]) -> list[str]:
    """Headings, lists and bold as Markdown; table delimiters left out."""

    def rewrite(line: str) -> str:
        heading = _MEDIAWIKI_HEADING.match(line)
        if heading and heading.group(2).strip():
            return f"{'#' * len(heading.group(1))} {heading.group(2).strip()}"
        if _MEDIAWIKI_TABLE.match(line) or _RULE.match(line):
            return ""
        return _listed(line, "*", "#") or _MEDIAWIKI_BOLD.sub(r"**\1**", line)

    return _verbatim(lines, rewrite, lambda line: bool(_MEDIAWIKI_CODE.match(line)))


def _is_asciidoc(lines: list[str], prose: list[str]) -> bool:
    """AsciiDoc: ``=`` headings (a document title, or two sections), and outside its listing
    blocks no Markdown heading."""
    lines = _outside(prose, lambda line: bool(_ASCIIDOC_CODE.match(line)))
    headings = [line for line in lines if _ASCIIDOC_HEADING.match(line)]
    titled = any(line.startswith("= ") for line in headings) or len(headings) >= 2
    return titled and not any(map(_MARKDOWN_HEADING.match, lines))


def _from_asciidoc(lines: list[str]) -> list[str]:
    """Headings, attributes (and the header's author line), lists as Markdown."""
    after_title = False

    def rewrite(line: str) -> str:
        nonlocal after_title
        was_after_title, after_title = after_title, line.startswith("= ")
        heading = _ASCIIDOC_HEADING.match(line)
        attribute = _ASCIIDOC_ATTRIBUTE.match(line)
        if heading:
            return f"{'#' * len(heading.group(1))} {heading.group(2).strip()}"
        if _ASCIIDOC_BLOCK.match(line):
            return ""  # a block's delimiter: never an underline
        if attribute:
            name = attribute.group(1).replace("-", " ").lower()
            return _field(_ASCIIDOC_NAMES.get(name, name), attribute.group(2))
        if was_after_title and line.strip() and not line.startswith(":"):
            return _field("author", line.split("<")[0])  # the header's author line
        return _listed(line, "*", ".") or line

    return _verbatim(lines, rewrite, lambda line: bool(_ASCIIDOC_CODE.match(line)))


def _rst_titles(lines: list[str]) -> list[tuple[int, str, bool]]:
    """reStructuredText section titles: ``(line, adornment character, overlined)``. A title
    stands alone (a blank line or its overline above it), and its adornment is as long as it
    or longer."""
    found = []
    # Backtick fences only: a title underlined with ``~`` would read as a tilde fence.
    code = in_code([line if line.lstrip(" ").startswith("`") else "" for line in lines])
    for index in range(1, len(lines)):
        adornment = _RST_ADORNMENT.match(lines[index])
        title = lines[index - 1].strip()
        if not adornment or not title or _RST_ADORNMENT.match(lines[index - 1]) or code[index]:
            continue
        above = lines[index - 2].rstrip() if index >= 2 else ""
        overlined = above == lines[index].rstrip()
        if (overlined or not above.strip()) and len(lines[index].rstrip()) >= len(title):
            found.append((index - 1, adornment.group(1), overlined))
    return found


def _is_rst(lines: list[str], prose: list[str]) -> bool:
    """reStructuredText: two section titles or more, one of them adorned otherwise than a
    Markdown heading is underlined (overlined, or underlined with neither ``=`` nor ``-``), and
    no Markdown heading. (Its ``~~~`` and backtick underlines would read as code fences.)"""
    titles = _rst_titles(lines)
    return (
        len(titles) >= 2
        and any(overlined or character not in "=-" for _, character, overlined in titles)
        and not any(map(_MARKDOWN_HEADING.match, lines))
    )


def _from_rst(lines: list[str]) -> list[str]:
    """Titles (levels in the order their adornments first appear), fields and enumerated
    lists as Markdown; literal blocks (after ``::`` or a code directive) fenced; other
    directives left out."""
    levels: dict[tuple[str, bool], int] = {}
    titles = {
        index: levels.setdefault((character, overlined), min(len(levels) + 1, 6))
        for index, character, overlined in _rst_titles(lines)
    }
    out: list[str] = []
    literal = False  # after a line ending in "::" or a code directive, until the indent ends
    code: list[str] = []
    for index, line in enumerate(lines):
        if literal and (not line.strip() or line[:1] in " \t"):
            code.append(line)
            continue
        if code:
            out += _literal_block(code)
            code = []
        literal = bool(_RST_LITERAL.search(line) or _RST_CODE.match(line))
        field = _RST_FIELD.match(line)
        if index in titles:
            if out and _RST_ADORNMENT.match(out[-1]):
                out[-1] = ""  # its overline
            out.append(f"{'#' * titles[index]} {line.strip()}")
        elif index - 1 in titles or _RST_DIRECTIVE.match(line):
            out.append("")  # its underline; a directive (code, image, comment)
        elif field:
            out.append(_field(field.group(1), field.group(2)))
        else:  # "It ran::" reads "It ran:" before its literal block
            text = line.rstrip()
            text = text[:-1] if text.endswith("::") else line
            out.append(_RST_ENUMERATED.sub(r"\g<1>1. ", text))
    return out + _literal_block(code)


def _literal_block(lines: list[str]) -> list[str]:
    """An RST literal block (its indented lines) fenced, the blank lines around it kept."""
    filled = [index for index, line in enumerate(lines) if line.strip()]
    if not filled:
        return lines
    first, last = filled[0], filled[-1]
    return [*lines[:first], *_fenced(lines[first : last + 1]), *lines[last + 1 :]]


def _is_org(lines: list[str], prose: list[str]) -> bool:
    """Org mode: ``*`` headings under a ``#+TITLE:``, or with two ``#+KEY:`` lines."""
    keywords = [line.lower() for line in prose if _ORG_KEYWORD.match(line)]
    titled = any(keyword.startswith("#+title:") for keyword in keywords)
    return (titled or len(keywords) >= 2) and any(line.startswith("* ") for line in prose)


def _from_org(lines: list[str]) -> list[str]:
    """Headings (without their TODO keyword and tags) and keywords as Markdown."""
    titled = any(line.lower().startswith("#+title:") for line in lines)

    def rewrite(line: str) -> str | None:
        keyword = _ORG_KEYWORD.match(line)
        heading = _ORG_HEADING.match(line)
        if keyword:
            name, value = keyword.group(1).lower(), keyword.group(2).strip()
            if name == "title":
                return f"# {value}"
            return (
                _field(name.replace("_", " "), value)
                if value and name not in _ORG_SETTINGS
                else None
            )
        if heading:
            words = heading.group(2).split()
            if len(words) > 1 and _ORG_TAGS.fullmatch(words[-1]):
                words.pop()  # its tags
            if len(words) > 1 and words[0] in ("TODO", "DONE"):
                words.pop(0)
            depth = min(len(heading.group(1)) + titled, 6)  # below the #+TITLE, if any
            return f"{'#' * depth} {' '.join(words)}"
        return line

    return _verbatim(lines, rewrite, lambda line: bool(_ORG_CODE.match(line)))


_DIALECTS: tuple[
    tuple[Callable[[list[str], list[str]], bool], Callable[[list[str]], list[str]]], ...
] = (
    (_is_wiki, _from_wiki),
    (_is_org, _from_org),
    (_is_mediawiki, _from_mediawiki),
    (_is_asciidoc, _from_asciidoc),
    (_is_rst, _from_rst),
)
"""Each markup's test (given every line, and those outside fenced code) and rewrite, the most
telling test first."""
