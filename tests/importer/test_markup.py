"""Postmortems in wiki and documentation markups read as the Markdown they stand for; code
blocks, zone notes and heading marks are not taken for what they are not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from postmortems.authoring.importer import import_postmortem
from postmortems.authoring.importer.markup import from_markup
from postmortems.authoring.importer.sections import split_document

DOCUMENTS = Path(__file__).parent / "documents"


def imported(text: str, name: str = "t.txt") -> dict[str, object]:
    return yaml.safe_load(import_postmortem(text, source_name=name).yaml_text)


def headings(text: str) -> list[tuple[str, str]]:
    document = split_document(from_markup(text))
    return [(section.kind, section.heading) for section in document.sections]


@pytest.mark.parametrize(
    "path",
    sorted(path for path in DOCUMENTS.iterdir() if path.suffix in (".md", ".txt")),
    ids=lambda path: path.name,
)
def test_markdown_and_plain_text_documents_are_left_as_they_are(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if path.name.startswith("wiki-"):
        assert from_markup(text) != text
    else:
        assert from_markup(text) == text


def test_confluence_wiki_headings_lists_and_tables_become_markdown() -> None:
    text = (
        "h1. Checkout outage\n\nh2. Root cause\nA *bad* index.\n\n"
        "h2. Follow-ups\n# Add the index back\n## Check it in CI\n* Tell support\n\n"
        "||Owner||Due||\n|dba|2024-03-01|\n----\n"
    )
    assert from_markup(text).split("\n") == [
        "# Checkout outage",
        "",
        "## Root cause",
        "A **bad** index.",
        "",
        "## Follow-ups",
        "1. Add the index back",
        "  1. Check it in CI",
        "- Tell support",
        "",
        "| Owner | Due |",
        "|---|---|",
        "|dba|2024-03-01|",
        "",  # the rule
        "",
    ]


def test_a_wiki_code_block_is_code_not_headings_or_list_items() -> None:
    text = "h1. Disk full\n\nh2. Resolution\n{code:bash}\n# free space\nrm -rf /tmp/x\n{code}\n"
    assert headings(text) == [("resolution", "Resolution")]
    assert "# free space" in from_markup(text)


def test_mediawiki_asciidoc_rst_and_org_headings_name_the_same_sections() -> None:
    sections = [("summary", "Summary"), ("root_cause", "Root cause")]
    mediawiki = "= Outage =\n\n== Summary ==\nIt broke.\n\n== Root cause ==\nA bug.\n"
    asciidoc = "= Outage\n:revdate: 2024-01-02\n\n== Summary\nIt broke.\n\n== Root cause\nA bug.\n"
    rst = "Outage\n######\n\nSummary\n~~~~~~~\nIt broke.\n\nRoot cause\n~~~~~~~~~~\nA bug.\n"
    org = "#+TITLE: Outage\n\n* Summary\nIt broke.\n* TODO Root cause  :db:\nA bug.\n"
    for text in (mediawiki, asciidoc, rst, org):
        assert headings(text) == sections
        assert split_document(from_markup(text)).title == "Outage"


def test_document_attributes_become_facts() -> None:
    asciidoc = "= Outage\nAda Lovelace <ada@example.com>\n:revdate: 2024-01-02\n:severity: SEV2\n"
    rst = "Outage\n~~~~~~\n\n:date: 2024-01-02\n:severity: SEV2\n\nSummary\n~~~~~~~\nx\n"
    org = "#+TITLE: Outage\n#+AUTHOR: Ada Lovelace\n#+DATE: 2024-01-02\n* Summary\nx\n"
    for text in (asciidoc, rst, org):
        facts = {fact.key: fact.value for fact in split_document(from_markup(text)).facts}
        assert facts["date"] == "2024-01-02"
    assert imported(asciidoc)["authors"] == [{"name": "Ada Lovelace"}]
    assert imported(org)["authors"] == [{"name": "Ada Lovelace"}]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Outage\n======\n\nWhat happened\n-------------\nx\n", id="setext"),
        pytest.param("A paragraph\n***\n\nAnother\n***\n", id="thematic-breaks"),
        pytest.param("# Outage\n\nSummary\n~~~~~~~\nx\n\nCause\n~~~~~\ny\n", id="markdown-first"),
        pytest.param("Outage\n\nDate = 2024-01-02\nTotal == 3\n", id="equals-signs"),
    ],
)
def test_markdown_that_looks_a_little_like_a_markup_is_left_as_it_is(text: str) -> None:
    assert from_markup(text) == text


def test_a_markdown_code_block_is_neither_a_heading_nor_a_fact() -> None:
    text = (
        "# Disk full\n\n## Root cause\nLogs filled the disk.\n\n```bash\n# free space\n"
        "Severity: not a fact\n```\n\n## Resolution\nWe rotated the logs.\n"
    )
    document = split_document(text)
    assert [section.kind for section in document.sections] == ["root_cause", "resolution"]
    assert document.fact("severity") is None
    assert imported(text, "t.md")["root_cause"]["summary"] == "Logs filled the disk."


def test_a_line_that_names_the_zone_is_no_timeline_entry() -> None:
    for note in ("All times UTC.", "All times are in CET", "(all times PST)"):
        text = f"# Outage\n\n## Timeline\n\n{note}\n\n- 2024-05-02 13:55 Deploy\n- 14:30 Resolved\n"
        timeline = imported(text, "t.md")["timeline"]
        assert [entry["event"] for entry in timeline] == ["Deploy", "Resolved"]
    said = "All times UTC; the pager was silent"
    text = f"# Outage\n\n## Timeline\n\n{said}\n\n- 2024-05-02 13:55 Deploy"
    assert len(imported(text, "t.md")["timeline"]) == 2


def test_a_check_that_pages_the_on_call_engineer_detects_the_incident() -> None:
    text = (
        "# Outage\n\n## Timeline\n\n- 2024-05-02 13:55 Errors start\n"
        "- 14:05 Synthetic check pages the on-call engineer\n- 14:30 Resolved\n"
    )
    assert imported(text, "t.md")["detected_at"].isoformat() == "2024-05-02T14:05:00+00:00"


def test_a_title_under_a_second_level_heading_loses_its_hashes() -> None:
    text = "## Postmortem: Cache outage\n\n### Summary\nThe cache fell over on 2024-05-02.\n"
    assert imported(text, "t.md")["title"] == "Cache outage"


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("```\n==> /var/log/app.log <==\n== 3 passed ==\n```", id="tail-and-pytest"),
        pytest.param("```\nh2. not a heading\nh3. nor this\n```", id="wiki-example"),
    ],
)
def test_markup_inside_markdown_code_leaves_the_document_markdown(code: str) -> None:
    text = f"Checkout outage\n\nWhat we saw:\n\n{code}\n\n# step one\n"
    assert from_markup(text) == text


def test_a_fence_never_closed_or_inside_a_line_opens_no_code_block() -> None:
    text = (
        "# Outage\n\n## Summary\nRan ```kubectl rollout undo``` and it recovered.\n\n"
        "## Root cause\nA bad deploy.\n\n~~~~~~~~~~\n\n## Timeline\n- 2024-05-02 10:00 Deploy\n"
    )
    data = imported(text, "t.md")
    assert data["root_cause"]["summary"] == "A bad deploy."
    assert [entry["event"] for entry in data["timeline"]] == ["Deploy"]


def test_code_blocks_of_each_markup_stay_code() -> None:
    asciidoc = "= Outage\n\n== Resolution\n[source,bash]\n----\n# roll back\n* * * * * job\n----\n"
    org = "#+TITLE: Outage\n* Resolution\n#+BEGIN_SRC bash\n# roll back\n#+END_SRC\n"
    mediawiki = "== Summary ==\nx\n== Resolution ==\n<pre>\n# roll back\n</pre>\n"
    for text in (asciidoc, org, mediawiki):
        assert [kind for kind, _ in headings(text)] == (
            ["summary", "resolution"] if text is mediawiki else ["resolution"]
        )
        assert "```\n# roll back" in from_markup(text)


def test_highlighted_markdown_lines_are_no_mediawiki_headings() -> None:
    text = "# Payments outage\n==Customers were charged twice.==\n## Impact\n==1,200 orders==\n"
    assert from_markup(text) == text


def test_a_code_delimiter_without_its_pair_is_text_and_code_keeps_its_backticks() -> None:
    mediawiki = (
        "== Summary ==\nx\n== Resolution ==\n<pre>\nsystemctl restart nginx</pre>\n"
        "== Root cause ==\nA bad config.\n"
    )
    assert [kind for kind, _ in headings(mediawiki)] == ["summary", "resolution", "root_cause"]
    wiki = "h1. Outage\nh2. Resolution\n{code}\n```\n# not a heading\n{code}\nh2. Root cause\nx\n"
    assert [kind for kind, _ in headings(wiki)] == ["resolution", "root_cause"]


def test_rst_literal_blocks_are_code() -> None:
    text = (
        "Outage\n~~~~~~\n\nResolution\n~~~~~~~~~~\n\nWe ran::\n\n   # restart nginx\n"
        "   :Severity: SEV1\n\n.. code-block:: bash\n\n   # roll back\n\n"
        "Root cause\n~~~~~~~~~~\nx\n"
    )
    document = split_document(from_markup(text))
    assert [section.kind for section in document.sections] == ["resolution", "root_cause"]
    assert document.fact("severity") is None
    assert "We ran:\n" in from_markup(text)


def test_setext_markdown_with_code_is_no_rst() -> None:
    text = "Outage\n======\n\nRoot cause\n----------\n\n```\ntop\n~~~\n```\n\nWe fixed it.\n"
    assert from_markup(text) == text
