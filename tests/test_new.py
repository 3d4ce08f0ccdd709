"""``postmortems new``: the derived id, the answers checked, the file written, never clobbered."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from goldens import assert_matches_golden
from hypothesis import given
from hypothesis import strategies as st
from postmortems.authoring.scaffold import (
    ID_PATTERN,
    NewIncident,
    derive_id,
    parse_timestamp,
    parse_title,
    render_incident,
    slugify,
)
from postmortems.cli import main
from postmortems.core.project import PACKAGED_SCHEMAS
from postmortems.core.vocabulary import VOCABULARIES, read_schema, values

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SCHEMA_PATH = PACKAGED_SCHEMAS / "incident.schema.json"
MODELINE = "# yaml-language-server: $schema=s.json"
SCHEMA = read_schema(SCHEMA_PATH)
VOCABULARY_VALUES = {name: values(SCHEMA, name) for name in VOCABULARIES}

FLAGS = [
    "--title",
    "Checkout down: payments callbacks blocked",
    "--started-at",
    "2024-07-30T00:50:00Z",
    "--severity",
    "SEV2",
    "--service",
    "checkout-api",
    "--service",
    "payments-gateway",
    "--category",
    "config-change",
]
EXPECTED_ID = "2024-07-30-checkout-down-payments-callbacks-blocked"


class TerminalInput(io.StringIO):
    """Answers typed at a terminal: ``isatty()`` is true, as for a person at a keyboard."""

    def isatty(self) -> bool:
        return True


class PipedInput(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.fixture
def project(new_project: Callable[..., Path]) -> Path:
    """A knowledge base with its own copy of the schemas and this repository's service catalog,
    as working dir."""
    root = new_project()
    shutil.copy(ROOT / "incidents" / "_services.yaml", root / "incidents" / "_services.yaml")
    return root


def flags_with(flag: str, value: str, flags: list[str] = FLAGS) -> list[str]:
    """``flags`` with ``flag`` (every occurrence) replaced by ``flag value``."""
    pairs = [pair for pair in zip(flags[::2], flags[1::2], strict=True) if pair[0] != flag]
    return [word for pair in [*pairs, (flag, value)] for word in pair]


def run_new(argv: list[str], stdin: io.StringIO | None = None) -> int:
    sys.stdin = stdin if stdin is not None else PipedInput("")
    return main(["new", *argv])


@pytest.fixture(autouse=True)
def restore_stdin() -> Any:
    original = sys.stdin
    yield
    sys.stdin = original


def fill_placeholders(text: str) -> str:
    """The file's text with every ``"TODO: ..."`` string replaced by the author's words."""
    return re.sub(r'"TODO: ([^"]*)"', r'"Written by the author: \1"', text)


def validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    status = main(["validate", "--no-cache", "--format", "text", str(path)])
    return status, capsys.readouterr().out


# --- the id ---------------------------------------------------------------------------------


def test_slug_is_ascii_folded_lowercase_and_hyphenated() -> None:
    assert slugify("Café: la base de données est tombée!") == "cafe-la-base-de-donnees-est-tombee"


def test_long_slug_is_cut_at_a_word_boundary_within_60_characters() -> None:
    slug = slugify("Checkout failures in Europe after a firewall change blocked payment callbacks")
    assert slug == "checkout-failures-in-europe-after-a-firewall-change-blocked"
    assert len(slug) <= 60


def test_id_takes_the_date_in_the_offset_the_time_was_given_in() -> None:
    late_evening = parse_timestamp("2023-06-15T22:30:00-05:00")
    assert derive_id(late_evening, "Queue outage") == "2023-06-15-queue-outage"


def test_title_without_ascii_letters_still_gives_a_valid_id() -> None:
    assert derive_id(datetime(2024, 1, 2, tzinfo=UTC), "障害") == "2024-01-02-incident"


@given(
    title=st.text(min_size=1, max_size=300),
    moment=st.datetimes(timezones=st.just(UTC), min_value=datetime(1000, 1, 1)),
)
def test_derived_id_always_matches_the_id_pattern(title: str, moment: datetime) -> None:
    incident_id = derive_id(moment, title)
    assert ID_PATTERN.fullmatch(incident_id)
    assert len(incident_id) <= 11 + 60


# --- timestamps and titles ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-07-30T00:50:00Z", datetime(2024, 7, 30, 0, 50, tzinfo=UTC)),
        (
            "2023-06-15T10:00-05:00",
            datetime(2023, 6, 15, 10, 0, tzinfo=timezone(timedelta(hours=-5))),
        ),
        (
            "2024-02-29 23:59:59.25+05:30",
            datetime(2024, 2, 29, 23, 59, 59, 250000, tzinfo=timezone(timedelta(hours=5.5))),
        ),
    ],
)
def test_timestamps_with_an_offset_are_accepted_and_keep_it(text: str, expected: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text", ["2024-07-30T00:50:00", "2024-07-30T00:50"])
def test_timestamp_without_offset_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="no offset"):
        parse_timestamp(text)


@pytest.mark.parametrize(
    "text", ["2023-02-29T10:00Z", "2024-07-30T25:00Z", "2024-07-30T10:00+24:00"]
)
def test_impossible_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a real"):
        parse_timestamp(text)


@pytest.mark.parametrize("text", ["", "   ", "two\nlines", "x" * 201])
def test_empty_multiline_or_overlong_titles_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_title(text)


# --- the YAML text --------------------------------------------------------------------------


@given(title=st.text(min_size=1, max_size=200).filter(lambda t: t.strip()))
def test_any_accepted_title_reads_back_exactly_from_the_yaml(title: str) -> None:
    try:
        title = parse_title(title)
    except ValueError:
        return
    incident = NewIncident(
        "2024-07-30-x", title, datetime(2024, 7, 30, tzinfo=UTC), "SEV1", ("api",), "network"
    )
    text = render_incident(
        incident, modeline=MODELINE, vocabularies=VOCABULARY_VALUES, written_on=date(2024, 8, 1)
    )
    assert yaml.safe_load(text)["title"] == title


def test_id_that_yaml_would_read_as_a_date_is_written_as_a_string() -> None:
    incident = NewIncident(
        "2024-07-30", "T", datetime(2024, 7, 30, tzinfo=UTC), "SEV1", ("api",), "network"
    )
    text = render_incident(
        incident, modeline=MODELINE, vocabularies=VOCABULARY_VALUES, written_on=date(2024, 8, 1)
    )
    assert yaml.safe_load(text)["id"] == "2024-07-30"


HOSTILE_TITLE = (
    "Costs $100 ${header} $$ {{ 7*7 }} {% raw %} \"quoted\" 'single' #hash: colon \\ é 🎉 \u202e"
)
NEW_FILES = {
    "checkout": (
        NewIncident(
            EXPECTED_ID,
            "Checkout down: payments callbacks blocked",
            datetime(2024, 7, 30, 0, 50, tzinfo=UTC),
            "SEV2",
            ("checkout-api", "payments-gateway"),
            "config-change",
        ),
        "# yaml-language-server: $schema=../../schema/incident.schema.json",
        VOCABULARY_VALUES,
    ),
    "template-syntax-in-answers": (
        NewIncident(
            "2023-06-15",
            HOSTILE_TITLE,
            datetime(2023, 6, 15, 10, 0, tzinfo=timezone(timedelta(hours=-5))),
            "SEV1",
            ("api", "null", "b-c"),
            "$category",
        ),
        None,
        {},
    ),
    "suggested-failure-modes": (
        NewIncident(
            "2025-01-10-cert-and-pool",
            "TLS certificate expired, then the connection pool was exhausted by retries",
            datetime(2025, 1, 10, 8, 15, 30, tzinfo=timezone(timedelta(hours=1))),
            "SEV3",
            ("edge-proxy",),
            "capacity",
        ),
        MODELINE,
        VOCABULARY_VALUES,
    ),
}


@pytest.mark.parametrize("name", sorted(NEW_FILES))
def test_new_file_text_matches_its_golden_file(name: str) -> None:
    incident, modeline, vocabularies = NEW_FILES[name]
    text = render_incident(
        incident, modeline=modeline, vocabularies=vocabularies, written_on=date(2024, 8, 1)
    )
    assert_matches_golden(text, GOLDEN / f"new-{name}.yaml")


def test_answers_holding_template_syntax_are_written_as_typed() -> None:
    incident, modeline, vocabularies = NEW_FILES["template-syntax-in-answers"]
    text = render_incident(
        incident, modeline=modeline, vocabularies=vocabularies, written_on=date(2024, 8, 1)
    )
    data = yaml.safe_load(text)
    assert (data["id"], data["title"]) == ("2023-06-15", HOSTILE_TITLE)
    assert data["services"] == ["api", "null", "b-c"]
    assert data["root_cause"]["category"] == "$category"


# --- from flags -----------------------------------------------------------------------------


def test_flags_write_the_file_under_its_year_pointing_editors_at_the_schema(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_new(FLAGS) == 0
    written = project / "incidents" / "2024" / f"{EXPECTED_ID}.yaml"
    text = written.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/incident.schema.json\n")
    data = yaml.safe_load(text)
    assert data["id"] == EXPECTED_ID
    assert data["title"] == "Checkout down: payments callbacks blocked"
    assert data["status"] == "draft"
    assert data["severity"] == "SEV2"
    assert data["services"] == ["checkout-api", "payments-gateway"]
    assert data["started_at"] == datetime(2024, 7, 30, 0, 50, tzinfo=UTC)
    assert data["root_cause"]["category"] == "config-change"
    assert data["summary"] == "TODO: what happened, in a paragraph or two"
    assert f"created incidents/2024/{EXPECTED_ID}.yaml" in capsys.readouterr().out
    assert sorted(path.name for path in written.parent.iterdir()) == [written.name]


def test_validate_reports_each_placeholder_until_it_is_filled(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_new(FLAGS) == 0
    written = project / "incidents" / "2024" / f"{EXPECTED_ID}.yaml"
    status, out = validate(written, capsys)
    assert status == 1
    problems = [line for line in out.splitlines() if line.startswith("incidents/")]
    assert len(problems) >= 5
    assert all("placeholder 'TODO" in line for line in problems), out
    assert f"incidents/2024/{EXPECTED_ID}.yaml:16:10: summary: placeholder 'TODO" in out


def test_written_file_validates_once_the_todos_are_filled(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flags = [*flags_with("--started-at", "2023-06-15T10:00-05:00"), "--id", "2023-06-15-q"]
    assert run_new(flags) == 0
    written = project / "incidents" / "2023" / "2023-06-15-q.yaml"
    written.write_text(fill_placeholders(written.read_text(encoding="utf-8")), encoding="utf-8")
    assert "TODO" not in written.read_text(encoding="utf-8").replace("TODO: ...", "")
    status, out = validate(written, capsys)
    assert status == 0, out
    data = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert data["started_at"].utcoffset() == timedelta(hours=-5)


def test_case_of_severity_and_category_is_forgiven(project: Path) -> None:
    flags = [*FLAGS, "--severity", "sev3", "--category", "Config-Change", "--dry-run"]
    assert run_new(flags) == 0


def test_dry_run_prints_the_yaml_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_new([*FLAGS, "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert yaml.safe_load(printed)["id"] == EXPECTED_ID
    assert not (project / "incidents" / "2024").exists()


def test_missing_flags_without_a_terminal_is_a_usage_error_naming_them(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_new(["--title", "Queue outage", "--started-at", "2024-07-30T00:50:00Z"]) == 2
    error = capsys.readouterr().err
    assert "missing --severity, --service, --category" in error
    assert not (project / "incidents" / "2024").exists()


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--severity", "SEV9", "choose one of: SEV1, SEV2, SEV3, SEV4"),
        ("--category", "gremlins", "config-change, deployment"),
        ("--started-at", "2024-07-30T00:50:00", "has no offset"),
        ("--service", "chekout-api", "not in the service catalog; did you mean 'checkout-api'?"),
        ("--id", "Not An Id", "not a valid id"),
        ("--title", "   ", "the title is empty"),
    ],
)
def test_bad_flag_is_a_usage_error_saying_what_is_allowed(
    project: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str, message: str
) -> None:
    assert run_new(flags_with(flag, value)) == 2
    error = capsys.readouterr().err
    assert flag in error
    assert message in error
    assert list((project / "incidents").iterdir()) == [project / "incidents" / "_services.yaml"]


def test_every_bad_flag_is_reported_in_one_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flags = flags_with("--severity", "SEV5")
    flags = flags_with("--category", "bug", flags)
    flags = flags_with("--started-at", "2024-07-30T00:50", flags)
    assert run_new(flags) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ")[:3] for line in lines] == [
        ["postmortems new", "error", flag] for flag in ("--started-at", "--severity", "--category")
    ]


def test_existing_file_is_never_overwritten(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = project / "incidents" / "2024" / f"{EXPECTED_ID}.yaml"
    existing.parent.mkdir()
    existing.write_bytes(b"id: written by hand\n\xe2\x80\x94 keep me\n")
    before = existing.read_bytes()
    assert run_new(FLAGS) == 1
    assert existing.read_bytes() == before
    assert (
        f"incidents/2024/{EXPECTED_ID}.yaml:1:1: id: an incident with this id already exists"
        in (capsys.readouterr().err)
    )
    assert sorted(path.name for path in existing.parent.iterdir()) == [existing.name]


@pytest.mark.parametrize("where", ["outside", "incidents/.git"])
def test_a_year_folder_linked_out_of_the_incidents_folder_is_not_written_through(
    project: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """Out of the incidents folder, or into a hidden folder inside it (``.git``)."""
    elsewhere = project / where
    elsewhere.mkdir()
    (project / "incidents" / "2024").symlink_to(elsewhere, target_is_directory=True)
    assert run_new(FLAGS) == 1
    assert list(elsewhere.iterdir()) == []
    assert (
        "incidents/2024: links out of the incidents folder or into a hidden folder; not written"
        in capsys.readouterr().err
    )


def test_an_incidents_folder_that_is_itself_a_link_is_written_into(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A team may keep its incidents elsewhere and link the folder: that is no escape."""
    kept = tmp_path_factory.mktemp("kept") / "incidents"
    shutil.move(project / "incidents", kept)
    (project / "incidents").symlink_to(kept, target_is_directory=True)
    assert run_new(FLAGS) == 0
    assert (kept / "2024" / f"{EXPECTED_ID}.yaml").is_file()


def test_existing_id_in_another_folder_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = project / "incidents" / "archive" / f"{EXPECTED_ID}.yml"
    elsewhere.parent.mkdir()
    elsewhere.write_text("kept\n")
    assert run_new(FLAGS) == 1
    assert f"incidents/archive/{EXPECTED_ID}.yml" in capsys.readouterr().err
    assert not (project / "incidents" / "2024").exists()
    assert elsewhere.read_text() == "kept\n"


def test_services_are_not_checked_when_there_is_no_catalog(project: Path) -> None:
    (project / "incidents" / "_services.yaml").unlink()
    assert run_new([*FLAGS, "--service", "brand-new-service"]) == 0
    data = yaml.safe_load((project / "incidents" / "2024" / f"{EXPECTED_ID}.yaml").read_text())
    assert data["services"] == ["checkout-api", "payments-gateway", "brand-new-service"]


# --- prompts --------------------------------------------------------------------------------


def test_prompts_fed_on_stdin_ask_again_after_a_bad_answer(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = "\n".join(
        [
            "Queue outage",
            "2023-06-15T10:00",  # no offset: asked again
            "2023-06-15T10:00-05:00",
            "SEV9",  # not a severity: asked again
            "sev1",
            "chat, message-queue",
            "gremlins",  # not a category: asked again
            "capacity",
            "",  # accept the derived id
        ]
    )
    assert run_new([], TerminalInput(answers + "\n")) == 0
    out = capsys.readouterr().out
    assert "has no offset" in out
    assert "'SEV9' is not a severity; choose one of: SEV1, SEV2, SEV3, SEV4" in out
    assert "'gremlins' is not a root-cause category; choose one of: config-change" in out
    assert "Id [2023-06-15-queue-outage]: " in out
    data = yaml.safe_load(
        (project / "incidents" / "2023" / "2023-06-15-queue-outage.yaml").read_text()
    )
    assert (data["severity"], data["services"], data["root_cause"]["category"]) == (
        "SEV1",
        ["chat", "message-queue"],
        "capacity",
    )


def test_prompts_ask_only_for_what_the_flags_leave_out(project: Path) -> None:
    answers = "SEV4\nnetwork\nshort-name\n"
    argv = FLAGS[:4] + FLAGS[6:10]
    assert run_new(argv, TerminalInput(answers)) == 0
    data = yaml.safe_load((project / "incidents" / "2024" / "short-name.yaml").read_text())
    assert (data["severity"], data["root_cause"]["category"]) == ("SEV4", "network")


def test_bad_flag_is_refused_before_any_question_is_asked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_new(["--severity", "SEV9"], TerminalInput("Queue outage\n")) == 2
    captured = capsys.readouterr()
    assert "--severity: 'SEV9' is not a severity" in captured.err
    assert "Title" not in captured.out


def test_end_of_input_during_prompts_cancels_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_new([], TerminalInput("Queue outage\n")) == 1
    assert "cancelled, nothing written" in capsys.readouterr().err
    assert list((project / "incidents").iterdir()) == [project / "incidents" / "_services.yaml"]


DRIVER = "import sys; from postmortems.cli import main; sys.exit(main())"


@pytest.mark.slow
def test_prompts_in_a_real_terminal(project: Path) -> None:
    conversation = [
        (b"Title (one line): ", b"DNS resolution failures"),
        (b"Impact started at", b"2025-01-10T08:15:00+01:00"),
        (b"Severity (SEV1, SEV2, SEV3, SEV4): ", b"SEV5"),
        (b"choose one of: SEV1, SEV2, SEV3, SEV4", b"SEV2"),
        (b"Affected services", b"edge-proxy"),
        (b"Root-cause category (", b"network"),
        (b"Id [2025-01-10-dns-resolution-failures]: ", b""),
    ]
    status, transcript = _converse([sys.executable, "-c", DRIVER, "new"], conversation, project)
    assert status == 0, transcript
    assert b"created incidents/2025/2025-01-10-dns-resolution-failures.yaml" in transcript
    data = yaml.safe_load(
        (project / "incidents" / "2025" / "2025-01-10-dns-resolution-failures.yaml").read_text()
    )
    assert data["started_at"] == datetime(2025, 1, 10, 7, 15, tzinfo=UTC)
    assert data["severity"] == "SEV2"


def _converse(
    argv: list[str], conversation: list[tuple[bytes, bytes]], cwd: Path
) -> tuple[int, bytes]:
    """Run ``argv`` on a pseudo-terminal, typing each answer once its prompt has appeared."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), *sys.path])}
    process = subprocess.Popen(
        argv, stdin=terminal, stdout=terminal, stderr=terminal, cwd=cwd, env=env
    )
    os.close(terminal)
    transcript = b""
    try:
        for prompt, answer in conversation:
            while prompt not in transcript:
                chunk = _read(controller)
                if not chunk:
                    pytest.fail(f"no prompt {prompt!r}; transcript: {transcript!r}")
                transcript += chunk
            transcript = transcript[transcript.index(prompt) + len(prompt) :]
            os.write(controller, answer + b"\n")
        while chunk := _read(controller):
            transcript += chunk
        return process.wait(timeout=60), transcript
    finally:
        process.kill()
        process.wait()
        os.close(controller)


def _read(controller: int) -> bytes:
    """The next output of the terminal; empty once the program has ended (or stalled a minute)."""
    ready, _, _ = select.select([controller], [], [], 60)
    if not ready:
        return b""
    try:
        return os.read(controller, 4096)
    except OSError:  # EIO: the other end is closed
        return b""


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return [value] if isinstance(value, str) else []


def test_example_in_the_writing_guide_is_a_valid_incident(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    guide = (ROOT / "docs" / "write-a-postmortem.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```yaml\n(.*?)```", guide, re.DOTALL)
    incident_id = yaml.safe_load(example)["id"]
    path = project / "incidents" / incident_id[:4] / f"{incident_id}.yaml"
    path.parent.mkdir()
    path.write_text(example, encoding="utf-8")
    status, out = validate(path, capsys)
    assert status == 0, out


def test_with_the_packaged_schema_the_file_has_no_editor_line_and_still_validates(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "mkdocs.yml").unlink()  # the schema shipped in the package, outside the project
    assert run_new(FLAGS) == 0
    text = (project / "incidents" / "2024" / f"{EXPECTED_ID}.yaml").read_text(encoding="utf-8")
    assert "yaml-language-server" not in text
    assert text.startswith("# ")


def test_failure_modes_are_suggested_from_the_title_and_validate(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    title = "Orders database refused writes when its data volume ran out of space"
    flags = [*flags_with("--title", title), "--id", "2024-07-30-volume-full"]
    assert run_new(flags) == 0
    written = project / "incidents" / "2024" / "2024-07-30-volume-full.yaml"
    text = written.read_text(encoding="utf-8")
    assert "Suggested from the title" in text
    assert yaml.safe_load(text)["failure_modes"] == ["disk-full"]
    written.write_text(fill_placeholders(text), encoding="utf-8")
    assert validate(written, capsys)[0] == 0


def test_a_title_that_tells_no_failure_mode_gets_a_commented_example(project: Path) -> None:
    assert run_new([*FLAGS, "--id", "2024-07-30-no-mode"]) == 0
    text = (project / "incidents" / "2024" / "2024-07-30-no-mode.yaml").read_text(encoding="utf-8")
    assert "# failure_modes: []" in text
    assert "failure_modes" not in yaml.safe_load(text)
