"""The CLI reads mkdocs.yml through MkDocs' own configuration loading, as the site build does,
and says so in one line when MkDocs cannot load it."""

from __future__ import annotations

from pathlib import Path

import pytest
from postmortems.cli import main


def _config(project: Path, text: str | bytes, name: str = "mkdocs.yml") -> None:
    path = project / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    return err


def test_broken_yaml_is_a_located_usage_error_not_a_silent_fallback(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(project, "site_name: x\nplugins:\n  - postmortems:\n      incidents_dir: [\n")

    assert main(["validate"]) == 2
    err = _one_error_line(capsys)
    assert err.startswith("postmortems validate: error: mkdocs.yml: ")
    assert "line 5, column 1" in err


def test_a_config_that_is_not_utf8_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(project, b"site_name: \xff\n")

    assert main(["stats"]) == 2
    assert "invalid start byte" in _one_error_line(capsys)


@pytest.mark.parametrize("plugins", ["3", "[[postmortems], {a: 1, b: 2}]"])
def test_a_plugins_value_mkdocs_refuses_is_a_usage_error_as_in_the_build(
    project: Path, capsys: pytest.CaptureFixture[str], plugins: str
) -> None:
    _config(project, f"site_name: x\nplugins: {plugins}\n")

    assert main(["validate"]) == 2
    assert "plugins" in _one_error_line(capsys)


def test_a_plugin_option_of_the_wrong_type_is_refused_by_the_plugins_config_class(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(project, "site_name: x\nplugins:\n  - postmortems:\n      similar_top: many\n")

    assert main(["validate"]) == 2
    assert "similar_top" in _one_error_line(capsys)


def test_a_site_without_the_plugin_uses_its_defaults(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(project, "site_name: x\nplugins: [search]\n")

    assert main(["validate"]) == 0
    assert "incidents checked, 0 problems" in capsys.readouterr().out


def test_env_tags_are_read_as_mkdocs_reads_them(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(
        project,
        "site_name: !ENV [SITE, x]\n"
        "plugins:\n  - postmortems:\n      incidents_dir: !ENV [PM_DIR, nowhere]\n",
    )

    assert main(["validate"]) == 2
    assert "no incidents folder: nowhere" in capsys.readouterr().err

    monkeypatch.setenv("PM_DIR", "incidents")
    assert main(["validate"]) == 0


def test_options_inherited_from_a_base_config_are_used(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "incidents").rename(project / "postmortems")
    _config(
        project,
        "site_name: base\nplugins:\n  - postmortems:\n      incidents_dir: postmortems\n",
        "base.yml",
    )
    _config(project, "INHERIT: base.yml\nsite_name: child\n")

    assert main(["validate"]) == 0
    assert "incidents checked, 0 problems" in capsys.readouterr().out


def test_relative_tag_resolves_against_the_config_folder(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(
        project,
        "site_name: x\nplugins:\n  - postmortems:\n"
        "      incidents_dir: !relative $config_dir/incidents\n",
    )
    assert main(["validate"]) == 0
    assert "incidents checked, 0 problems" in capsys.readouterr().out
