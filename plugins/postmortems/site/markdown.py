"""Make untrusted incident text safe to place in generated Markdown.

Incident files come from pull requests, so their text is data, never markup that runs.
One-line text is escaped character by character (``inline``). Markdown fields are converted
to HTML by Python-Markdown with the site's extensions, then sanitised against an allow-list
(``FieldRenderer``): nothing depends on guessing where Markdown puts code.
"""

from __future__ import annotations

import functools
import html
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree.ElementTree import Element

import nh3
from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

from ..core.cache import TextStore, code_fingerprint, fingerprint, versions

# Characters that mean something to Markdown, its usual extensions (tables, attr_list, emoji,
# mark, caret, tilde) or a template engine, written as numeric entities so they show as-is.
_INLINE_TABLE = str.maketrans(
    {char: f"&#{ord(char)};" for char in "\\`*_[]{}#!|~^="}
    | {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
)
_LIST_MARKER = re.compile(r"^([-+]|\d+[.)])")

# Written as entities in raw HTML (where browsers decode them): no template tag, Markdown link,
# code span or escape can form, and a line break cannot end a raw HTML block.
_MARKDOWN_SIGNIFICANT = str.maketrans(
    {char: f"&#{ord(char)};" for char in "{}[]`\\"} | {"\n": "&#10;", "\r": "&#13;"}
)
_HTTP_URL = re.compile(r"^https?://[^\s<>\"'`]+$")


def is_http_url(url: str) -> bool:
    """True for an absolute ``http://`` or ``https://`` URL without spaces or quotes."""
    return bool(_HTTP_URL.match(url))


def inline(text: object) -> str:
    """One line of literal text: every Markdown, HTML and template character neutralised.

    Safe in headings, table cells, link texts and list items; newlines become spaces.
    """
    flat = " ".join(str(text).split()).translate(_INLINE_TABLE)
    return _LIST_MARKER.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group(0)), flat)


def html_text(text: object) -> str:
    """Text for raw HTML: escaped, on one line, with Markdown's and templates' characters as
    entities, so it stays literal even where Markdown reads raw HTML inline."""
    return html.escape(str(text)).translate(_MARKDOWN_SIGNIFICANT)


def link(title: object, url: str) -> str:
    """A Markdown link when ``url`` is http(s), else the title and the URL as plain text."""
    if is_http_url(url):
        safe_url = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
        return f"[{inline(title)}](<{safe_url}>)"
    return f"{inline(title)} ({inline(url)})"


# The only extensions a field may use: those that format text. Any other extension of the site
# is left out of fields, whatever it does: some read files (snippets, markdown-include), some run
# code (markdown-exec's fences), some act on the whole page (toc, footnotes, meta).
FIELD_EXTENSIONS = frozenset(
    {
        "abbr",
        "admonition",
        "attr_list",
        "codehilite",
        "def_list",
        "fenced_code",
        "legacy_em",
        "nl2br",
        "sane_lists",
        "smarty",
        "tables",
        "pymdownx.betterem",
        "pymdownx.caret",
        "pymdownx.critic",
        "pymdownx.details",
        "pymdownx.highlight",
        "pymdownx.inlinehilite",
        "pymdownx.keys",
        "pymdownx.magiclink",
        "pymdownx.mark",
        "pymdownx.saneheaders",
        "pymdownx.smartsymbols",
        "pymdownx.superfences",
        "pymdownx.tasklist",
        "pymdownx.tilde",
    }
)
# Custom fences and inline formatters run whatever function the site names: in fields only
# pymdownx's own formatters (plain code, or a div such as mermaid's) are kept.
_SAFE_FORMATTERS = frozenset({"fence_code_format", "fence_div_format"})
DEFAULT_EXTENSIONS = ("tables", "fenced_code")
"""MkDocs' own default extensions (without ``toc``), for pages rendered outside a site."""

_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
    "details": {"open"},
    **{tag: {"class"} for tag in ("code", "pre", "span", "div", "p", "details")},
}
# Classes the site's CSS gives meaning to: Pygments tokens (one to three letters), code blocks,
# admonitions and details. Anything else (``mermaid``, ``arithmatex``: scripts act on them) goes.
_CLASS = re.compile(
    r"^(?:[a-z]{1,2}[a-z0-9]?|highlight|highlighttable|linenos|language-[a-z0-9_+-]{1,40}"
    r"|admonition|admonition-title|note|abstract|info|tip|success|question|warning|failure"
    r"|danger|bug|example|quote|caution|attention|error|hint|important)$"
)
# Python-Markdown's cost grows with a paragraph's length times what it must try in it: each
# inline match rebuilds the paragraph's text, each ``[`` scans ahead for its ``]``, each line it
# splits off (ATX and setext headings, rules) rescans the rest. Weights measured on 50 kB fields.
_SPLIT_LINE = re.compile(r"^ {0,3}(?:#|(?:[-*_=][ \t]*)+$)", re.MULTILINE)
_INLINE_SPECIAL = re.compile(r"[\\`*_!<&~^+=:{]")
CONVERSION_BUDGET = 10_000_000
"""Above this estimated cost (paragraph length x weighted attempts, summed) a field is text."""
CONVERSION_FRAMES = 900
"""Frames a field's conversion may stack, wherever it is called from (a build's page made in a
child process is deeper): a field nested deeper than they allow is text, in every process."""


def _stack_depth() -> int:
    """Frames on the stack here (what Python's recursion limit counts)."""
    depth, frame = 0, sys._getframe()
    while frame.f_back is not None:
        depth, frame = depth + 1, frame.f_back
    return depth + 1


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "class":
        kept = " ".join(token for token in value.split() if _CLASS.match(token))
        return kept or None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(_TAGS),
    clean_content_tags={"script", "style", "template", "textarea", "title", "noscript"},
    attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
    attribute_filter=_keep_attribute,
    strip_comments=True,
    link_rel="noopener noreferrer nofollow",
    url_schemes={"http", "https"},
    url_relative="deny",
    filter_style_properties={"text-align"},
)


class _DemoteHeadings(Treeprocessor):
    """h1 -> h4, h2 -> h5, the rest h6: a field's headings never compete with the page's."""

    def run(self, root: Element) -> None:
        for element in root.iter():
            if element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                element.tag = {"h1": "h4", "h2": "h5"}.get(element.tag, "h6")


_IMAGE_URL = re.compile(r"https?://([a-z0-9.-]+)(?::[0-9]{1,5})?(?:[/?#][^\s\\]*)?", re.IGNORECASE)


class _OffsiteImages(Treeprocessor):
    """An image from a host the site does not name becomes a link to it: a reader's browser
    fetches nothing from elsewhere on its own (no tracking pixel in a postmortem)."""

    def __init__(self, md: Markdown, hosts: frozenset[str]) -> None:
        super().__init__(md)
        self.hosts = hosts

    def run(self, root: Element) -> None:
        for element in root.iter("img"):
            source = element.get("src", "")
            plain = _IMAGE_URL.fullmatch(source)  # no user part, backslash or space to misread
            if plain and plain.group(1).lower() in self.hosts:
                continue
            label = element.get("alt") or "image"
            element.tag = "a"
            element.attrib.clear()
            element.set("href", source)
            element.text = f"{label} (image)"


class _FieldExtension(Extension):
    """Raw HTML is text (shown escaped, as the file format promises); headings are demoted;
    images only from ``image_hosts``."""

    def __init__(self, image_hosts: frozenset[str]) -> None:
        super().__init__()
        self.image_hosts = image_hosts

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.deregister("html_block", strict=False)
        md.inlinePatterns.deregister("html", strict=False)
        md.treeprocessors.register(_DemoteHeadings(md), "pm_demote_headings", 1)
        md.treeprocessors.register(_OffsiteImages(md, self.image_hosts), "pm_offsite_images", 1)


_NOT_PLAIN = re.compile(
    r"^\d+[.)]|--|\.\.\.|\((?:c|r|tm)\)|c/o|\d/\d|\d(?:st|nd|rd|th)\b|www\.|ftp\.|:/|  | $",
    re.IGNORECASE | re.MULTILINE,
)
"""Ordered lists, ``smarty`` dashes and ellipses, ``smartsymbols`` (arrows, fractions,
ordinals, marks), ``magiclink`` addresses, two spaces, a space ending a line."""


_WORDY = frozenset({"abbr", "smarty", "pymdownx.magiclink", "pymdownx.smartsymbols"})
"""Extensions whose settings can make markup of plain words (a glossary, a repository's issue
shorthand): with any of them configured, or an extension given as an object, every field is
converted."""
_NEVER = re.compile(r"(?!)")


@functools.cache
def _plain_prose(extensions: frozenset[str]) -> re.Pattern[str]:
    """Prose Markdown turns into a paragraph of itself with ``extensions`` (``_NOT_PLAIN``
    names the exceptions): lines of letters, digits, single spaces and no markup character, each
    starting with a letter or digit; without quotes when ``smarty`` curls them, one line when
    ``nl2br`` breaks them. ``tests/hostile/test_rendering.py`` compares it with the conversion."""
    marks = ",.;:?!%()/-" + ("" if "smarty" in extensions else "'\"")
    line = rf"[^\W_](?:[^\W_]|[ {re.escape(marks)}])*"
    more = "" if "nl2br" in extensions else rf"(?:\n{line})*"
    return re.compile(f"{line}{more}\n?")


def _conversion_cost(source: str) -> int:
    return sum(
        len(paragraph)
        * (
            len(_INLINE_SPECIAL.findall(paragraph))
            + 3 * paragraph.count("`")
            + 100 * len(_SPLIT_LINE.findall(paragraph))
            + 20 * paragraph.count("[")
            + 2000 * max(0, paragraph.count("[") - paragraph.count("]"))
        )
        for paragraph in re.split(r"\n[ \t]*\n", source)
    )


def _safe_config(config: dict[str, Any]) -> dict[str, Any]:
    """An extension's settings without custom fences or inline formatters that are not
    pymdownx's own (``custom_fences`` of superfences, ``custom_inline`` of inlinehilite)."""
    for key in ("custom_fences", "custom_inline"):
        if key in config:
            config[key] = [
                entry
                for entry in config[key] or []
                if isinstance(entry, Mapping)
                and getattr(entry.get("format"), "__module__", "").startswith("pymdownx.")
                and getattr(entry.get("format"), "__name__", "") in _SAFE_FORMATTERS
                and entry.get("validator") is None
            ]
    return config


def _extension_name(extension: str | Extension) -> str:
    if isinstance(extension, Extension):
        return type(extension).__module__.removeprefix("markdown.extensions.")
    return extension.removeprefix("markdown.extensions.").split(":")[0]


_RENDERER_CODE = fingerprint(
    code_fingerprint(),
    *versions("markdown", "pymdown-extensions", "pygments", "nh3"),
)
"""What decides a field's HTML besides its text and the extensions' settings."""


class FieldRenderer:
    """Markdown fields as sanitised HTML, with the site's own Markdown extensions.

    ``extensions`` and ``configs`` are MkDocs' ``markdown_extensions`` and ``mdx_configs``;
    only those that format text are used (an allow-list: none that reads files, runs code or
    acts on the whole page), and custom fences only with pymdownx's own formatters. The HTML
    then passes an allow-list (``nh3``): no script, no event handler, links and images to
    http(s) only, images only from ``image_hosts`` (others become links). With a ``store``, each
    text's HTML is kept there and reused by later builds.
    """

    def __init__(
        self,
        extensions: Sequence[str | Extension] = DEFAULT_EXTENSIONS,
        configs: Mapping[str, Mapping[str, Any]] | None = None,
        store: TextStore | None = None,
        image_hosts: Sequence[str] = (),
    ) -> None:
        chosen = [e for e in extensions if _extension_name(e) in FIELD_EXTENSIONS]
        hosts = frozenset(host.lower() for host in image_hosts)
        self._extensions = [*chosen, _FieldExtension(hosts)]
        self._configs = {
            name: _safe_config(dict(value))
            for name, value in (configs or {}).items()
            if _extension_name(name) in FIELD_EXTENSIONS
        }
        self._markdown = self._new_markdown()
        configured = {_extension_name(name) for name, value in self._configs.items() if value}
        objects = any(isinstance(extension, Extension) for extension in chosen)
        names = frozenset(map(_extension_name, chosen))
        self._plain = _NEVER if objects or configured & _WORDY else _plain_prose(names)
        self._store = store
        self._signature = fingerprint(_RENDERER_CODE, chosen, self._configs, sorted(hosts))

    @property
    def signature(self) -> bytes:
        """Changes whenever the same text could give other HTML."""
        return self._signature

    def _new_markdown(self) -> Markdown:
        return Markdown(extensions=self._extensions, extension_configs=self._configs)

    def html(self, text: object) -> str:
        """The field as one line of sanitised HTML (escaped text if Markdown fails on it)."""
        source = str(text)
        if self._store is None:
            return self._convert(source)
        key = fingerprint(self._signature, source.encode())
        converted = self._store.get(key)
        if converted is None:
            converted = self._convert(source)
            self._store.put(key, converted)
        return converted

    def _convert(self, source: str) -> str:
        if self._plain.fullmatch(source) and not _NOT_PLAIN.search(source):
            paragraph = f"<p>{source.removesuffix(chr(10))}</p>"
            return _CLEANER.clean(paragraph).translate(_MARKDOWN_SIGNIFICANT)
        limit = sys.getrecursionlimit()
        try:
            if _conversion_cost(source) > CONVERSION_BUDGET:
                raise ValueError("too costly to convert")
            sys.setrecursionlimit(_stack_depth() + CONVERSION_FRAMES)
            converted = self._markdown.reset().convert(source)
        except Exception:  # any failure (RecursionError on deep nesting ...) shows the text
            self._markdown = self._new_markdown()
            converted = f"<pre>{html.escape(source, quote=False)}</pre>"
        finally:
            sys.setrecursionlimit(limit)
        return _CLEANER.clean(converted).translate(_MARKDOWN_SIGNIFICANT)

    def block(self, text: object) -> str:
        """The field as a raw HTML block: start it on a line of its own, not indented."""
        return f"{_FIELD_START}{self.html(text)}{_FIELD_END}"


_FIELD_START = '<div class="pm-md">'
_FIELD_END = "</div><!-- /pm-md -->"
"""Around a field's HTML in page Markdown."""
_BUILT_START = "<!-- pm-html -->"
_BUILT_END = "<!-- /pm-html -->"
"""Around raw HTML a template built (a listing table: every value in it escaped).

None of these markers can come from incident text (its ``<`` is escaped, and the sanitiser drops
comments and the ``pm-md`` class), so ``set_html_aside`` finds exactly them, in linear time."""
_SET_ASIDE = re.compile(r'<div data-pm-ready="(\d+)"></div>')


def built_html(html: str) -> str:
    """A template's raw HTML (every value in it escaped), marked for ``set_html_aside``."""
    body = html.rstrip("\n")
    return f"{_BUILT_START}{body}{_BUILT_END}{html[len(body) :]}"


def without_built_marks(markdown: str) -> str:
    """``markdown`` without the marks of ``built_html`` (for a page no plugin sets aside)."""
    return markdown.replace(_BUILT_START, "").replace(_BUILT_END, "")


def set_html_aside(markdown: str) -> tuple[str, list[str]]:
    """``markdown`` with each field's HTML and each block of ``built_html`` replaced by a short
    placeholder, and those HTMLs.

    They are final HTML already: Markdown conversion need not parse them again (for a page of
    long fields or of a long listing, that parse is most of the conversion). One pass, each
    marker searched once (linear time, whatever the text).
    """
    ready: list[str] = []
    parts: list[str] = []
    position = 0
    field = markdown.find(_FIELD_START)
    built = markdown.find(_BUILT_START)
    while field >= 0 or built >= 0:
        is_field = built < 0 or 0 <= field < built
        start, opening, closing = (
            (field, _FIELD_START, _FIELD_END) if is_field else (built, _BUILT_START, _BUILT_END)
        )
        end = markdown.find(closing, start + len(opening))
        if end < 0:
            break
        inner = markdown[start + len(opening) : end]
        ready.append(f"{_FIELD_START}{inner}</div>" if is_field else inner)
        parts += [markdown[position:start], f'<div data-pm-ready="{len(ready) - 1}"></div>']
        position = end + len(closing)
        if field < position:
            field = markdown.find(_FIELD_START, position)
        if built < position:
            built = markdown.find(_BUILT_START, position)
    parts.append(markdown[position:])
    return "".join(parts), ready


def put_html_back(html: str, ready: Sequence[str]) -> str:
    """The converted page with the HTML ``set_html_aside`` took out in its placeholders."""

    def back(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return ready[index] if index < len(ready) else match.group(0)

    return _SET_ASIDE.sub(back, html)
