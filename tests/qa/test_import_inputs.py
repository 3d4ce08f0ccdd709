"""``postmortems import`` refuses what is no postmortem and writes where validate looks."""

from __future__ import annotations

from pathlib import Path

import pytest
from postmortems.cli import main

NOTES = "Title: Database failover stalled\nDate: 2024-01-05\nSeverity: SEV2\n"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "file is empty"),
        (b"  \n\n", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data, not text"),
        (b"a" * (1024 * 1024 + 1), "over 1 MiB: not a postmortem"),
    ],
)
def test_refuses_what_is_no_postmortem_with_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], content: bytes, reason: str
) -> None:
    (project / "notes.md").write_bytes(content)

    assert main(["import", "notes.md", "-o", "drafts"]) == 1
    assert capsys.readouterr().err.strip() == f"notes.md: error: {reason}"
    assert not (project / "drafts").exists()


def test_a_folder_is_named_as_such(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "incidents", "-o", "drafts"]) == 1
    assert capsys.readouterr().err.strip() == "incidents: error: a folder, not a file"


def test_reads_utf16_with_a_byte_order_mark(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "notes.txt").write_bytes(NOTES.replace("Database", "Café").encode("utf-16"))

    assert main(["import", "notes.txt", "-o", "drafts"]) == 0
    (written,) = (project / "drafts").iterdir()
    assert "Café failover stalled" in written.read_text(encoding="utf-8")


def test_an_output_that_is_a_file_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "notes.md").write_text(NOTES, encoding="utf-8")

    assert main(["import", "notes.md", "-o", "incidents/_services.yaml"]) == 2
    assert capsys.readouterr().err.strip() == (
        "postmortems import: error: incidents/_services.yaml is a file, not a folder"
    )


def test_writes_into_the_incidents_folder_named_in_mkdocs_yml(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "incidents").rename(project / "postmortems")
    (project / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - postmortems:\n      incidents_dir: postmortems\n",
        encoding="utf-8",
    )
    (project / "notes.md").write_text(NOTES, encoding="utf-8")

    assert main(["import", "notes.md"]) == 0
    target = "postmortems/2024/2024-01-05-database-failover-stalled.yaml"
    assert capsys.readouterr().out.strip() == f"notes.md -> {target}"
    assert (project / target).is_file()
    assert not (project / "incidents").exists()
