"""Read a built page the way a reader sees it: its text, links, headings and tables."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "title", "small"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
_VOID |= {"track", "wbr"}
_ORIGIN = "https://site.test/"


def normalise(text: str) -> str:
    """Runs of white space as one space."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Link:
    """An ``<a href>``: where it points (as written) and its text."""

    href: str
    text: str
    in_nav: bool
    in_article: bool


@dataclass(frozen=True)
class Element:
    """A text block (paragraph, list item, heading, cell) of the article."""

    tag: str
    text: str
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table of the article: the heading above it and its rows of cell texts (header first)."""

    heading: str
    rows: list[list[str]]

    @property
    def body(self) -> list[list[str]]:
        return self.rows[1:]


@dataclass
class Page:
    """One HTML page of a built site, at ``url`` (relative to the site root, e.g. ``services/``)."""

    html: str
    url: str
    links: list[Link] = field(default_factory=list)
    attributes: list[tuple[str, str, str]] = field(default_factory=list)
    """Every attribute of every element: (tag, name, value)."""
    scripts: list[tuple[str, str]] = field(default_factory=list)
    """Every ``<script>``: (src, content)."""
    elements: list[Element] = field(default_factory=list)
    """Text blocks inside the article, in document order."""
    tables: list[Table] = field(default_factory=list)
    title: str = ""
    article_text: str = ""

    def __post_init__(self) -> None:
        parser = _Parser(self)
        parser.feed(self.html)
        parser.close()
        self.article_text = normalise("".join(parser.article_text))

    def resolve(self, href: str) -> str:
        """The site path ``href`` points at (``services/checkout-api/``), or the absolute URL."""
        absolute = urljoin(_ORIGIN + self.url, href)
        if not absolute.startswith(_ORIGIN):
            return absolute
        path = urlsplit(absolute).path
        return posixpath.normpath(path).lstrip("/") + ("/" if path.endswith("/") else "")

    def article_targets(self) -> list[str]:
        """Where the article's links point, resolved, without fragments and in order."""
        return [
            self.resolve(link.href).split("#")[0]
            for link in self.links
            if link.in_article and not link.href.startswith("#")
        ]

    def nav_targets(self) -> list[str]:
        """Where the navigation's links point (table-of-contents anchors left out)."""
        return [
            self.resolve(link.href).split("#")[0]
            for link in self.links
            if link.in_nav and not link.href.startswith("#")
        ]

    def texts(self, tag: str) -> list[str]:
        return [element.text for element in self.elements if element.tag == tag]

    def section(self, heading: str) -> list[Element]:
        """The article's blocks after the ``h2`` ``heading``, up to the next ``h2``."""
        found: list[Element] = []
        inside = False
        for element in self.elements:
            if element.tag == "h2":
                inside = element.text == heading
            elif inside:
                found.append(element)
        return found

    def table(self, heading: str) -> Table:
        """The first table under the heading ``heading``."""
        found = [table for table in self.tables if table.heading == heading]
        assert found, f"no table under {heading!r} on {self.url}"
        return found[0]


class _Parser(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.nav = 0
        self.article = 0
        self.headerlink = 0
        self.hidden = 0
        self.anchor: tuple[str, list[str]] | None = None
        self.script: tuple[str, list[str]] | None = None
        self.blocks: list[tuple[str, tuple[str, ...], list[str]]] = []
        self.row: list[str] | None = None
        self.in_title = False
        self.heading = ""
        self.article_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.page.attributes += [(tag, name, value or "") for name, value in attrs]
        classes = tuple(values.get("class", "").split())
        if tag in _VOID:
            return
        if tag == "nav":
            self.nav += 1
        elif tag == "article":
            self.article += 1
        elif tag == "title":
            self.in_title = True
        elif tag in ("script", "style"):
            self.hidden += 1
            if tag == "script":
                self.script = (values.get("src", ""), [])
        elif tag == "a":
            if "headerlink" in classes:
                self.headerlink += 1
            if "href" in values:
                self.anchor = (values["href"], [])
        elif tag == "table" and self.article:
            self.page.tables.append(Table(self.heading, []))
        elif tag == "tr" and self.article and self.page.tables:
            self.row = []
            self.page.tables[-1].rows.append(self.row)
        if tag in _BLOCKS and self.article:
            self.blocks.append((tag, classes, []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self.nav -= 1
        elif tag == "article":
            self.article -= 1
        elif tag == "title":
            self.in_title = False
        elif tag in ("script", "style"):
            self.hidden -= 1
            if tag == "script" and self.script is not None:
                self.page.scripts.append((self.script[0], "".join(self.script[1])))
                self.script = None
        elif tag == "a":
            if self.headerlink:
                self.headerlink -= 1
            elif self.anchor is not None:
                href, text = self.anchor
                link = Link(href, normalise("".join(text)), self.nav > 0, self.article > 0)
                self.page.links.append(link)
            self.anchor = None
        elif tag == "tr":
            self.row = None
        for index in range(len(self.blocks) - 1, -1, -1):
            if self.blocks[index][0] == tag:
                name, classes, text = self.blocks.pop(index)
                content = normalise("".join(text))
                self.page.elements.append(Element(name, content, classes))
                if name in ("td", "th") and self.row is not None:
                    self.row.append(content)
                elif name[0] == "h" and name[1:].isdigit():
                    self.heading = content
                break

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            self.script[1].append(data)
        if self.in_title:
            self.page.title += data
        if self.hidden or self.headerlink:
            return
        if self.anchor is not None:
            self.anchor[1].append(data)
        if self.article:
            self.article_text.append(data)
            for _, _, text in self.blocks:
                text.append(data)
