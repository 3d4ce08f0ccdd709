"""``vocabularies`` in mkdocs.yml adds values that every command accepts, and only those."""

from __future__ import annotations

from pathlib import Path

import pytest
from postmortems.cli import main

CONFIG = """site_name: t
plugins:
  - postmortems:
      vocabularies:
        {name}:
          - value: third-party-saas
            title: Third-party SaaS
"""
INCIDENT = "incidents/2024/2024-03-12-checkout-payment-timeouts.yaml"


def _use_category(project: Path, category: str) -> None:
    for path in sorted((project / "incidents").rglob("2*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "\n  category: " in text:
            start = text.index("\n  category: ") + len("\n  category: ")
            end = text.index("\n", start)
            path.write_text(text[:start] + category + text[end:], encoding="utf-8")
            return


def test_an_added_category_is_valid_only_while_the_site_declares_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _use_category(project, "third-party-saas")
    assert main(["validate"]) == 1
    assert "third-party-saas" in capsys.readouterr().out

    (project / "mkdocs.yml").write_text(CONFIG.format(name="rootCauseCategory"), "utf-8")
    assert main(["validate"]) == 0
    capsys.readouterr()
    assert main(["new", "--dry-run", "--title", "Vendor down", "--started-at",
                 "2024-05-01T10:00:00Z", "--severity", "SEV2", "--service", "checkout-api",
                 "--category", "third-party-saas"]) == 0  # fmt: skip
    assert "category: third-party-saas" in capsys.readouterr().out


def test_extending_a_vocabulary_the_schema_lacks_is_one_line_naming_the_known_ones(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "mkdocs.yml").write_text(CONFIG.format(name="rootCause"), "utf-8")

    assert main(["validate"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "the schema has no vocabulary 'rootCause'" in err
    assert "rootCauseCategory" in err
