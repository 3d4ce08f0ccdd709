"""Generated pages' HTML held on disk between conversion and templating.

MkDocs converts every page before it renders any template, so at 10,000 incidents it would hold
every page's HTML in memory at once. The plugin parks each generated page's HTML in one
temporary file as soon as it is converted and takes it back just before the page's template
runs, so memory stays flat as incidents grow. A write that fails keeps the HTML in memory.
"""

from __future__ import annotations

import tempfile

from mkdocs.structure.pages import Page


class ParkedPages:
    """One build's parked HTML; ``close`` once the build is done."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="postmortems-pages-")  # noqa: SIM115 (closed by close())
        self._places: dict[str, tuple[int, int]] = {}

    def park(self, page: Page, html: str) -> str:
        """What the page holds until ``unpark``: nothing, once its HTML is in the file."""
        data = html.encode("utf-8")
        try:
            offset = self._file.seek(0, 2)
            self._file.write(data)
        except OSError:
            return html
        self._places[page.file.src_uri] = (offset, len(data))
        return ""

    def unpark(self, page: Page) -> None:
        """Put the page's HTML back, if it was parked."""
        place = self._places.pop(page.file.src_uri, None)
        if place is not None:
            self._file.seek(place[0])
            page.content = self._file.read(place[1]).decode("utf-8")

    def close(self) -> None:
        self._file.close()
