"""The CLI reads mkdocs.yml as the site does, and says so when it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest
from postmortems.cli import main


def _config(project: Path, text: str | bytes) -> None:
    path = project / "mkdocs.yml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def test_broken_yaml_is_a_located_usage_error_not_a_silent_fallback(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(project, "plugins:\n  - postmortems:\n      incidents_dir: [\n")

    assert main(["validate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("postmortems validate: error: mkdocs.yml:4:1: ")
    assert len(err.splitlines()) == 1


def test_a_config_that_is_not_utf8_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(project, b"site_name: \xff\n")

    assert main(["stats"]) == 2
    assert "cannot read mkdocs.yml: not UTF-8 text" in capsys.readouterr().err


@pytest.mark.parametrize("plugins", ["3", "'postmortems'", "[[postmortems], {a: 1, b: 2}]"])
def test_an_odd_plugins_value_falls_back_to_the_defaults(
    project: Path, capsys: pytest.CaptureFixture[str], plugins: str
) -> None:
    _config(project, f"plugins: {plugins}\n")

    assert main(["validate"]) == 0
    assert "incidents checked, 0 problems" in capsys.readouterr().out


def test_env_tags_are_read_as_mkdocs_reads_them(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(
        project,
        "site_name: !ENV [SITE, x]\n"
        "hook: !!python/name:os.system\n"
        "plugins:\n  - postmortems:\n      incidents_dir: !ENV [PM_DIR, nowhere]\n",
    )

    assert main(["validate"]) == 2
    assert "no incidents folder: nowhere" in capsys.readouterr().err

    monkeypatch.setenv("PM_DIR", "incidents")
    assert main(["validate"]) == 0
