"""Plugin options a site sets: validation warnings under --strict, and stylesheet order."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort
from sitebuild import build_site, copy_project

pytestmark = pytest.mark.slow

INCIDENT = "incidents/2024/2024-03-12-checkout-payment-timeouts.yaml"


def _public_relating_to_internal(project: Path) -> None:
    """A public incident whose ``related`` names an internal one: a validation warning."""
    path = project / INCIDENT
    path.write_text(
        path.read_text(encoding="utf-8").replace("visibility: internal", "visibility: public"),
        encoding="utf-8",
    )


def _set_option(project: Path, line: str) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("      cache: false\n", f"      cache: false\n      {line}\n"),
        encoding="utf-8",
    )


def test_a_validation_warning_does_not_fail_a_strict_build_unless_the_site_asks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mkdocs")
    project = copy_project(tmp_path / "project")
    _public_relating_to_internal(project)

    build_site(project, project / "site")
    assert "public incident relates to internal incident" in caplog.text

    _set_option(project, "fail_on_warnings: true")
    with pytest.raises(Abort):
        build_site(project, project / "site-strict")


def test_the_sites_own_stylesheet_comes_after_the_plugins(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    (project / "docs" / "extra.css").write_text(".pm-badge { color: red; }\n", encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + "extra_css:\n  - extra.css\n", encoding="utf-8"
    )

    html = build_site(project, project / "site").html("")

    assert html.index("assets/postmortems.css") < html.index("extra.css")
