"""With `use_directory_urls: false` every link of the listings and every search result still
reaches a built page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from postmortems.site.search_index import bundle_records
from sitebuild import build_site, copy_project

pytestmark = pytest.mark.slow


def test_listing_links_resolve_to_built_files_without_directory_urls(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    config_file = project / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["use_directory_urls"] = False
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    site = build_site(project, project / "site").site_dir
    checked = 0
    for page in (
        "incidents/index.html",
        "action-items.html",
        "quality.html",
        "timeline/index.html",
    ):
        html = (site / page).read_text(encoding="utf-8")
        for href in re.findall(
            r'href="((?:\.\./)*(?:incidents|services|root-causes)/[^"#]+)"', html
        ):
            target = (site / page).parent / href
            assert target.is_file(), (page, href)
            checked += 1
    assert checked > 10
    search_urls = {record["url"] for record in bundle_records(site / "pagefind")}
    assert search_urls
    assert all((site / url.lstrip("/")).is_file() for url in search_urls), search_urls
