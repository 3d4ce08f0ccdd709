"""``postmortems import``: writes drafts, never overwrites, reports missing files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from postmortems.cli import main

DOCUMENT = Path(__file__).parent / "documents" / "terse-dns-resolver.txt"
ID = "2024-02-29-internal-dns-resolver-outage"


def run(*arguments: str) -> int:
    return main(["import", *arguments])


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_bytes(DOCUMENT.read_bytes())
    return tmp_path


def test_writes_into_the_incidents_folder_by_year(workdir: Path) -> None:
    assert run("notes.txt") == 0
    written = workdir / "incidents" / "2024" / f"{ID}.yaml"
    assert yaml.safe_load(written.read_text(encoding="utf-8"))["id"] == ID
    assert [path.name for path in written.parent.iterdir()] == [written.name]  # no temp file left


def test_a_year_folder_linked_out_of_the_incidents_folder_is_not_written_through(
    workdir: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """A checkout may hold ``incidents/2024`` as a link planted by a pull request."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (workdir / "incidents").mkdir()
    (workdir / "incidents" / "2024").symlink_to(elsewhere, target_is_directory=True)
    assert run("notes.txt") == 1
    assert list(elsewhere.iterdir()) == []
    assert "incidents/2024: links out of the incidents folder or into a hidden folder" in (
        capsys.readouterr().err
    )


def test_output_option_writes_into_the_given_folder(workdir: Path) -> None:
    assert run("notes.txt", "-o", "drafts") == 0
    assert (workdir / "drafts" / f"{ID}.yaml").is_file()


def test_refuses_to_overwrite_and_leaves_the_file_untouched(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = workdir / "drafts" / f"{ID}.yaml"
    target.parent.mkdir()
    target.write_text("hand edited\n", encoding="utf-8")
    assert run("notes.txt", "-o", "drafts") == 1
    assert target.read_text(encoding="utf-8") == "hand edited\n"
    assert "already exists" in capsys.readouterr().err


def test_missing_file_is_a_one_line_error_and_other_files_still_import(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("absent.md", "notes.txt", "-o", "drafts") == 1
    error_lines = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert error_lines == ["absent.md: error: no such file"]
    assert (workdir / "drafts" / f"{ID}.yaml").is_file()


def test_latin1_and_bom_files_are_read(workdir: Path) -> None:
    (workdir / "latin.txt").write_bytes(
        "Title: Caf\xe9 ordering outage\nDate: 2024-01-05\n".encode("latin-1")
    )
    (workdir / "bom.txt").write_bytes("\ufeffTitle: Kiosk outage\nDate: 2024-01-06\n".encode())
    assert run("latin.txt", "bom.txt", "-o", "out") == 0
    titles = {
        yaml.safe_load(path.read_text(encoding="utf-8"))["title"]
        for path in (workdir / "out").iterdir()
    }
    assert titles == {"Café ordering outage", "Kiosk outage"}


def test_vocabularies_come_from_the_schema_when_it_exists(workdir: Path) -> None:
    schema = workdir / "schema" / "incident.schema.json"
    schema.parent.mkdir()
    (workdir / "docs").mkdir(exist_ok=True)
    (workdir / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - postmortems:\n      schema: schema/incident.schema.json\n",
        encoding="utf-8",
    )
    schema.write_text(
        '{"$defs": {"severity": {"oneOf": [{"const": "critical"}, {"const": "major"}]},'
        ' "rootCauseCategory": {"oneOf": [{"const": "network"}, {"const": "unknown"}]}}}',
        encoding="utf-8",
    )
    assert run("notes.txt", "-o", "drafts") == 0
    data = yaml.safe_load((workdir / "drafts" / f"{ID}.yaml").read_text(encoding="utf-8"))
    assert data["root_cause"]["category"] == "network"
    assert "severity" not in data  # "Sev 1" has no configured equivalent


def test_failure_modes_are_suggested_from_the_text_within_the_schema_vocabulary(
    workdir: Path,
) -> None:
    (workdir / "story.md").write_text(
        "# Checkout outage\n\nOn 2024-05-01 at 10:00 UTC the orders database stopped taking"
        " writes: its data volume ran out of space after WAL files piled up. Clients then"
        " retried all at once without backoff.\n",
        encoding="utf-8",
    )
    assert run("story.md", "-o", "all") == 0
    [drafted] = (workdir / "all").iterdir()
    text = drafted.read_text(encoding="utf-8")
    assert "# suggested from the text" in text
    assert yaml.safe_load(text)["failure_modes"] == ["disk-full", "retry-storm"]
    schema = workdir / "schema" / "incident.schema.json"
    schema.parent.mkdir()
    schema.write_text(
        '{"$defs": {"failureMode": {"oneOf": [{"const": "retry-storm"}]}}}', encoding="utf-8"
    )
    (workdir / "docs").mkdir(exist_ok=True)
    (workdir / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - postmortems:\n      schema: schema/incident.schema.json\n",
        encoding="utf-8",
    )
    assert run("story.md", "-o", "limited") == 0
    [drafted] = (workdir / "limited").iterdir()
    assert yaml.safe_load(drafted.read_text(encoding="utf-8"))["failure_modes"] == ["retry-storm"]


def test_the_service_catalog_of_the_site_guides_the_services(workdir: Path) -> None:
    gdoc = Path(__file__).parent / "documents" / "gdoc-webhooks-delayed.md"
    (workdir / "gdoc.md").write_bytes(gdoc.read_bytes())
    (workdir / "incidents").mkdir()
    (workdir / "incidents" / "_services.yaml").write_text(
        "webhooks:\n  name: Webhooks\nretry:\n  name: Retry\n", encoding="utf-8"
    )
    assert run("gdoc.md") == 0
    written = workdir / "incidents" / "2026" / "2026-10-02-webhook-deliveries-delayed.yaml"
    assert yaml.safe_load(written.read_text(encoding="utf-8"))["services"] == ["webhooks"]
