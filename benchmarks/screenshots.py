"""Screenshots of every page kind of the demo site, at desktop and phone sizes, in both palettes.

    python benchmarks/screenshots.py [--output screenshots] [--full-page]

Builds the repository's own site (``mkdocs.yml``) into a temporary folder, serves it on
127.0.0.1, and opens each page kind in headless Chromium (Debian's ``/usr/bin/chromium``) at
1280×800 and 390×844, light and dark (the palette follows ``prefers-color-scheme``). Writes
``<kind>-<desktop|phone>-<light|dark>.png`` into the output folder and prints, for each shot,
whether the page scrolls sideways. Not a test: a way to look at what a reader sees.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
PALETTES = {"light": "light", "dark": "dark"}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No request lines."""


def page_kinds(site_dir: Path) -> dict[str, str]:
    """One path per page kind, picked from what the build wrote (first in name order)."""

    def first(folder: str) -> str:
        found = sorted(p.parent.name for p in (site_dir / folder).glob("*/index.html"))
        return f"{folder}/{found[0]}/" if found else f"{folder}/"

    incidents = sorted(p.parent.name for p in (site_dir / "incidents").glob("*/index.html"))
    return {
        "home": "",
        "incidents": "incidents/",
        "incident": f"incidents/{incidents[-1]}/" if incidents else "incidents/",
        "service": first("services"),
        "root-cause": first("root-causes"),
        "failure-mode": first("failure-modes"),
        "timeline": "timeline/",
        "year": max(
            (f"timeline/{p.parent.name}/" for p in (site_dir / "timeline").glob("*/index.html")),
            default="timeline/",
        ),
        "action-items": "action-items/",
        "statistics": "stats/",
        "quality": "quality/",
        "search": "search/",
    }


def build_site(site_dir: Path) -> None:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config = load_config(config_file=str(REPO / "mkdocs.yml"), site_dir=str(site_dir))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("screenshots"))
    parser.add_argument("--full-page", action="store_true", help="the whole page, not one screen")
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        site_dir = Path(temporary) / "site"
        build_site(site_dir)
        kinds = page_kinds(site_dir)
        handler = partial(_QuietHandler, directory=str(site_dir))
        with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            base = f"http://127.0.0.1:{server.server_address[1]}/"
            try:
                shoot(base, kinds, args.output, full_page=args.full_page)
            finally:
                server.shutdown()
                thread.join(timeout=10)


def shoot(base: str, kinds: dict[str, str], output: Path, *, full_page: bool) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for device, (width, height) in VIEWPORTS.items():
                for palette, scheme in PALETTES.items():
                    context = browser.new_context(
                        viewport={"width": width, "height": height},
                        color_scheme=scheme,  # type: ignore[arg-type]
                        is_mobile=device == "phone",
                        has_touch=device == "phone",
                    )
                    page = context.new_page()
                    for kind, path in kinds.items():
                        page.goto(base + path, wait_until="networkidle")
                        target = output / f"{kind}-{device}-{palette}.png"
                        page.screenshot(path=str(target), full_page=full_page)
                        overflow = page.evaluate(
                            "document.documentElement.scrollWidth - window.innerWidth"
                        )
                        height_px = page.evaluate("document.documentElement.scrollHeight")
                        note = f"scrolls sideways by {overflow} px" if overflow > 0 else "fits"
                        print(f"{target.name}: {note}, {height_px} px tall")
                    context.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
