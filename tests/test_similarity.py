"""Similar incidents: the labelled evaluation set, the scoring rules, recurrence and the CLI."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from postmortems.cli import main, similar_command
from postmortems.cli.common import load_project
from postmortems.core.cache import Carried, fingerprint
from postmortems.core.model import Incident
from postmortems.core.project import PACKAGED_SCHEMAS
from postmortems.core.vocabulary import read_schema, values
from postmortems.similarity import (
    DEFAULT_THRESHOLD,
    SimilarityIndex,
    forget,
    index,
    mechanisms,
    text,
)
from postmortems.similarity.evaluation import Scores, bm25_rankings, score, whole_text
from postmortems.similarity.text import terms
from postmortems.site.pages import all_similar
from sitebuild import commit_all, git

EVAL_DIR = Path(__file__).resolve().parent / "similarity_eval"
LABELLED: dict[str, list[list[str]]] = yaml.safe_load(
    (EVAL_DIR / "_pairs.yaml").read_text(encoding="utf-8")
)
PAIRS = LABELLED["easy"]
HARD_PAIRS = LABELLED["hard"]
DIRECTIONS = [(a, b) for a, b in PAIRS] + [(b, a) for a, b in PAIRS]


def load(path: Path) -> Incident:
    return Incident(data=yaml.safe_load(path.read_text(encoding="utf-8")), source=str(path))


def eval_incidents() -> list[Incident]:
    return [load(path) for path in sorted(EVAL_DIR.glob("[!_]*.yaml"))]


@pytest.fixture(scope="module")
def eval_index() -> SimilarityIndex:
    return SimilarityIndex(eval_incidents())


def incident(identifier: str, **fields: Any) -> Incident:
    """A small valid incident; ``fields`` override the defaults."""
    data: dict[str, Any] = {
        "id": identifier,
        "title": "Checkout errors",
        "status": "final",
        "severity": "SEV2",
        "summary": "Checkout returned errors.",
        "services": ["checkout-api"],
        "started_at": datetime(2024, 1, 1, tzinfo=UTC),
        "impact": {"summary": "Orders failed."},
        "root_cause": {"category": "software-bug", "summary": "A bug."},
        "resolution": "Fixed.",
    }
    data.update(fields)
    return Incident(data=data, source=f"{identifier}.yaml")


def test_evaluation_set_has_thirty_hard_pairs_and_distractors() -> None:
    paired = {identifier for pair in PAIRS + HARD_PAIRS for identifier in pair}
    distractors = [i for i in eval_incidents() if i.id not in paired]
    assert len(PAIRS) >= 12
    assert len(HARD_PAIRS) >= 30
    assert len(distractors) >= 15
    assert paired <= {i.id for i in eval_incidents()}


@pytest.mark.parametrize(("incident_id", "lookalike"), DIRECTIONS)
def test_lookalike_ranks_first(
    eval_index: SimilarityIndex, incident_id: str, lookalike: str
) -> None:
    matches = eval_index.similar(incident_id)
    assert matches, f"{incident_id} has no match at all"
    assert matches[0].id == lookalike, [(m.id, m.score) for m in matches]


@pytest.fixture(scope="module")
def hard_scores(eval_index: SimilarityIndex) -> tuple[Scores, Scores]:
    """Our ranking and plain BM25 over the whole file, on the hard look-alike pairs."""
    ours = {
        key: [match.id for match in matches]
        for key, matches in eval_index.all_similar(top=1000, threshold=0.0).items()
    }
    texts = {path.stem: whole_text(path) for path in sorted(EVAL_DIR.glob("[!_]*.yaml"))}
    return score(ours, HARD_PAIRS), score(bm25_rankings(texts), HARD_PAIRS)


def test_same_mechanism_in_other_words_is_in_the_top_three(
    hard_scores: tuple[Scores, Scores],
) -> None:
    ours, _ = hard_scores
    missed = {key: rank for key, rank in ours.ranks.items() if rank > 3}
    assert ours.recall_at_3 >= 0.85, missed


def test_same_mechanism_in_other_words_ranks_high_on_average(
    hard_scores: tuple[Scores, Scores],
) -> None:
    ours, bm25 = hard_scores
    assert ours.mrr >= 0.75
    assert ours.mrr >= 1.3 * bm25.mrr, (ours.mrr, bm25.mrr)


def test_every_lookalike_scores_above_the_default_threshold(eval_index: SimilarityIndex) -> None:
    for incident_id, lookalike in DIRECTIONS:
        scores = {m.id: m.score for m in eval_index.similar(incident_id, threshold=0.0)}
        assert scores[lookalike] >= 2 * DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    "spellings",
    [
        ("failed over", "fail-over", "failover", "switched over", "failing over"),
        ("certificate", "certificates", "TLS", "SSL", "cert"),
        ("OOM-killed", "out of memory", "out-of-memory", "ran out of memory", "OOM"),
        ("replica", "replicas", "replication", "replicated", "standby"),
        ("rolled back", "rollback", "reverted", "roll back"),
        ("timed out", "timeout", "time-outs"),
    ],
)
def test_spellings_of_one_concept_become_one_term(spellings: tuple[str, ...]) -> None:
    assert len({tuple(terms(spelling)) for spelling in spellings}) == 1


_TOKEN_SPEC = re.compile(rf"\b{text._PHRASE}|[a-z0-9]+(?:\.+(?!{text._PHRASE})[a-z0-9]+)*")
"""What ``tokenise`` finds, as one regular expression (slower: it was the tokeniser)."""
_TOKEN_PIECES = (
    *(  # noqa: SIM905 (words read better as text than as 52 quoted strings)
        "fail over failed ssl tls x 509 time out ran of memory lb lbs 502 s 7 oom kill roll back"
        " no space left on device disk full the was load balancer cert https http Fail OVER SSL"
        " X psp typo web application firewall a b conf resolv leap second split brain"
    ).split(),
    *(".", "..", "-", " ", " ", " ", "\n", "\t", "_", ",", ";", "é", "İ", "ß", "ﬁ", "ǅ"),
)


def test_tokenise_finds_the_tokens_of_its_regular_expression() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        texts = [
            "".join(rng.choice(_TOKEN_PIECES) for _ in range(rng.randint(0, 30)))
            for _ in range(rng.randint(1, 4))
        ]
        numbers, text_of, vocabulary = text.tokenise(texts)
        found: list[list[str]] = [[] for _ in texts]
        for number, of in zip(numbers.tolist(), text_of.tolist(), strict=True):
            found[of].append(vocabulary[number])
        assert found == [_TOKEN_SPEC.findall(one.lower()) for one in texts], texts


def test_stop_words_and_boilerplate_are_not_terms() -> None:
    assert terms("The incident affected users for 45 minutes on Tuesday") == []


def test_reasons_name_category_services_tags_and_shared_terms() -> None:
    common = {
        "root_cause": {"category": "data-store", "summary": "Failover promoted a lagging replica."},
        "services": ["orders-db", "checkout-api"],
        "tags": ["failover"],
    }
    earlier = incident("2023-01-01-first", **common)
    later = incident("2024-01-01-second", **common)
    other = incident("2024-02-01-unrelated", title="Label printer jam", summary="Printers.")
    [match] = SimilarityIndex([earlier, later, other]).similar(later.id, top=1)
    assert match.id == earlier.id
    assert "same root-cause category: data-store" in match.reasons
    assert "shared services: checkout-api, orders-db" in match.reasons
    assert "shared tags: failover" in match.reasons
    assert any(r.startswith("shared terms:") and "failover" in r for r in match.reasons)


def test_scores_are_between_zero_and_one_and_rounded(eval_index: SimilarityIndex) -> None:
    for matches in eval_index.all_similar(top=10, threshold=0.0).values():
        for match in matches:
            assert 0.0 < match.score <= 1.0
            assert match.score == round(match.score, 3)


def test_identical_incidents_tie_and_are_ordered_by_id() -> None:
    twins = [incident(name, title="Replica lag broke failover") for name in ("b-twin", "a-twin")]
    query = incident("c-query", title="Replica lag broke failover")
    matches = SimilarityIndex([*twins, query]).similar("c-query")
    assert [m.id for m in matches] == ["a-twin", "b-twin"]
    assert matches[0].score == matches[1].score


def test_threshold_leaves_out_weak_matches() -> None:
    one = incident("aaa-one", title="Certificate expired", summary="TLS cert expired.")
    two = incident(
        "bbb-two",
        title="Disk full",
        summary="Logs filled the disk.",
        services=["search"],
        root_cause={"category": "capacity", "summary": "Disk full."},
    )
    assert SimilarityIndex([one, two]).similar("aaa-one") == []


@pytest.mark.slow
def test_all_similar_agrees_with_similar_beyond_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = eval_incidents()
    many = [
        incident(
            f"synthetic-{number:04d}",
            title=f"{source.title} ({number})",
            summary=source.data["summary"],
            services=list(source.services),
            root_cause=dict(source.data["root_cause"]),
        )
        for number, source in enumerate(corpus * 20)
    ]
    monkeypatch.setattr(index, "BLOCK_CELLS", 64 * len(many))
    # Candidates scored with every word sparse, as usual, with every word dense.
    for share in (1, 10**9, index.COMMON_SHARE):
        monkeypatch.setattr(index, "COMMON_SHARE", share)
        forget()  # each ranks every row
        built = SimilarityIndex(many)
        everything = built.all_similar(top=3)
        for sample in many[::97]:
            assert everything[sample.id] == built.similar(sample.id, top=3)


def test_query_never_returns_the_incident_itself(eval_index: SimilarityIndex) -> None:
    changed = load(EVAL_DIR / "2019-03-04-billing-db-failover-lost-writes.yaml")
    matches = eval_index.query(changed)
    assert matches[0].id == "2023-09-12-ledger-switchover-to-behind-standby"
    assert changed.id not in {m.id for m in matches}


def test_query_of_a_new_incident_finds_its_lookalike(eval_index: SimilarityIndex) -> None:
    new = incident(
        "2026-01-01-new-cert",
        title="Storefront down after our TLS certificate expired",
        summary="The certificate on the storefront expired; renewal was manual.",
        root_cause={"category": "certificate-or-expiry", "summary": "Cert renewal was missed."},
    )
    assert eval_index.query(new)[0].id in {
        "2020-01-10-api-gateway-tls-cert-expired",
        "2024-02-29-payments-ssl-cert-lapsed",
    }


def _story(identifier: str, started: datetime, **fields: Any) -> Incident:
    story: dict[str, Any] = {
        "title": "Orders database failover promoted a lagging replica",
        "summary": "The primary failed over to a replica that was behind; writes were lost.",
        "services": ["orders-db"],
        "started_at": started,
        "root_cause": {"category": "data-store", "summary": "Failover to a lagging replica."},
    }
    return incident(identifier, **(story | fields))


START = datetime(2022, 5, 1, tzinfo=UTC)
DONE_FIX = [{"title": "Synchronous replication", "status": "done", "type": "prevent"}]


def test_repeat_of_an_earlier_incident_whose_fix_was_done_is_flagged() -> None:
    earlier = _story("2022-05-01-first", START, action_items=DONE_FIX)
    later = _story("2024-05-01-again", START + timedelta(days=730))
    built = SimilarityIndex([earlier, later])
    recurrence = built.recurrence(later.id)
    assert recurrence is not None
    assert recurrence.earlier_id == earlier.id
    assert recurrence.fix_may_not_have_held
    assert "may not have held" in recurrence.reason
    assert built.recurrence(earlier.id) is None


def test_repeat_without_a_done_prevent_item_does_not_blame_the_fix() -> None:
    open_fix = [{**DONE_FIX[0], "status": "open"}]
    earlier = _story("2022-05-01-first", START, action_items=open_fix)
    later = _story("2024-05-01-again", START + timedelta(days=730))
    recurrence = SimilarityIndex([earlier, later]).recurrence(later.id)
    assert recurrence is not None
    assert not recurrence.fix_may_not_have_held


def test_a_kept_repeat_follows_an_edit_of_the_earlier_incident() -> None:
    """Possible repeats are kept from one index to the next by the digests of both incidents
    and the match: marking the earlier fix done shows at once."""
    open_fix = [{**DONE_FIX[0], "status": "open"}]
    earlier = digested(_story("2022-05-01-first", START, action_items=open_fix))
    later = digested(_story("2024-05-01-again", START + timedelta(days=730)))
    first = SimilarityIndex([earlier, later]).recurrence(later.id)
    assert first is not None and not first.fix_may_not_have_held
    assert SimilarityIndex([earlier, later]).recurrence(later.id) is first  # kept

    fixed = digested(dataclasses.replace(earlier, data={**earlier.data, "action_items": DONE_FIX}))
    again = SimilarityIndex([fixed, later]).recurrence(later.id)
    assert again is not None and again.fix_may_not_have_held


def test_no_repeat_without_a_shared_service() -> None:
    earlier = _story("2022-05-01-first", START, services=["billing-db"])
    later = _story("2024-05-01-again", START + timedelta(days=730))
    assert SimilarityIndex([earlier, later]).recurrence(later.id) is None


@pytest.fixture
def project(new_project: Callable[..., Path]) -> Path:
    """A project whose incidents are the evaluation set (no mkdocs.yml)."""
    root = new_project(config=None)
    for path in EVAL_DIR.glob("[!_]*.yaml"):
        shutil.copy(path, root / "incidents" / path.name)
    return root


def test_cli_json_lists_the_lookalike_first(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["similar", "2020-01-10-api-gateway-tls-cert-expired", "--format", "json"])
    matches = json.loads(capsys.readouterr().out)
    assert code == 0
    assert matches[0]["id"] == "2024-02-29-payments-ssl-cert-lapsed"
    assert set(matches[0]) >= {"id", "title", "score", "reasons"}
    assert all(isinstance(reason, str) for reason in matches[0]["reasons"])


def test_cli_every_evaluation_file_is_valid(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate"]) == 0, capsys.readouterr()


def test_cli_text_names_the_match_and_its_reasons(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["similar", "2018-04-04-cache-flush-stampede", "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "2023-03-21-redis-restart-cold-cache-overloaded-postgres" in out
    assert "same root-cause category: capacity" in out


def test_cli_accepts_a_file_outside_the_incidents_folder(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = project / "incidents" / "2024-02-29-payments-ssl-cert-lapsed.yaml"
    outside = project / "2024-02-29-payments-ssl-cert-lapsed.yaml"
    shutil.move(source, outside)
    assert main(["similar", str(outside), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["id"] == "2020-01-10-api-gateway-tls-cert-expired"


def test_cli_prints_the_problems_of_an_invalid_file_and_exits_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = project / "2026-01-01-broken.yaml"
    broken.write_text("id: 2026-01-01-broken\ntitle: Broken\n", encoding="utf-8")
    assert main(["similar", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "2026-01-01-broken.yaml:" in err
    assert "root_cause" in err


def test_cli_unknown_id_exits_1_with_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["similar", "2099-01-01-nothing"]) == 1
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_cli_changed_reports_new_files_as_markdown(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = project / "incidents" / "2018-04-04-cache-flush-stampede.yaml"
    shutil.move(new, project / "new.yaml")
    commit_all(project)
    shutil.move(project / "new.yaml", new)
    assert main(["similar", "--changed"]) == 0
    out = capsys.readouterr().out
    assert "compared with main" in out
    assert "### 2018-04-04-cache-flush-stampede:" in out
    assert "| 1 | 2023-03-21-redis-restart-cold-cache-overloaded-postgres<br>" in out  # no site
    assert "2024-02-29-payments-ssl-cert-lapsed" not in out.split("### ")[1].split("|")[0]


def _site(project: Path, settings: str) -> None:
    (project / "mkdocs.yml").write_text(f"site_name: t\n{settings}", encoding="utf-8")


@pytest.mark.parametrize(
    ("settings", "link"),
    [
        (
            "site_url: https://pm.example/kb/\n",
            "https://pm.example/kb/incidents/2023-03-21-redis-restart-cold-cache-overloaded-postgres/",
        ),
        (
            "site_url: https://pm.example/\nuse_directory_urls: false\n",
            "https://pm.example/incidents/2023-03-21-redis-restart-cold-cache-overloaded-postgres/index.html",
        ),
        (
            "repo_url: https://github.com/acme/postmortems\n",
            "https://github.com/acme/postmortems/blob/HEAD/incidents/2023-03-21-redis-restart-cold-cache-overloaded-postgres.yaml",
        ),
    ],
)
def test_cli_changed_links_are_absolute_for_a_pull_request_comment(
    project: Path, capsys: pytest.CaptureFixture[str], settings: str, link: str
) -> None:
    _site(project, settings)
    new = project / "incidents" / "2018-04-04-cache-flush-stampede.yaml"
    shutil.move(new, project / "new.yaml")
    commit_all(project)
    shutil.move(project / "new.yaml", new)
    assert main(["similar", "--changed"]) == 0
    assert f"| 1 | [2023-03-21-redis-restart-cold-cache-overloaded-postgres](<{link}>)" in (
        capsys.readouterr().out
    )


def _commit_then_edit(project: Path, edit: Callable[[str], str]) -> None:
    """Commit the project, then edit one incident file (not committed)."""
    commit_all(project)
    changed = project / "incidents" / "2018-04-04-cache-flush-stampede.yaml"
    changed.write_text(edit(changed.read_text(encoding="utf-8")), encoding="utf-8")


def test_cli_changed_lists_the_problems_of_an_invalid_file_and_exits_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _commit_then_edit(project, lambda text: text.replace("severity: SEV1", "severity: SEV9", 1))
    git(project, "checkout", "-q", "-b", "change")
    git(project, "commit", "-q", "-am", "change")
    assert main(["similar", "--changed", "--base", "main"]) == 1
    out = capsys.readouterr().out
    assert "### 2018-04-04-cache-flush-stampede.yaml\n" in out
    assert "This file has problems; fix them first:" in out
    assert "- incidents/2018-04-04-cache-flush-stampede.yaml:" in out


def test_cli_changed_counts_an_edit_not_yet_committed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _commit_then_edit(project, lambda text: text.replace("severity: SEV1", "severity: SEV9", 1))
    assert main(["similar", "--changed", "--base", "HEAD"]) == 1
    assert "### 2018-04-04-cache-flush-stampede.yaml\n" in capsys.readouterr().out


def test_cli_changed_lists_warnings_that_fail_the_sites_build(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _site(project, "plugins:\n  - postmortems:\n      fail_on_warnings: true\n")
    _commit_then_edit(
        project,
        lambda text: (
            text + "detected_at: 2018-04-04T16:00:00Z\nresolved_at: 2018-04-04T15:00:00Z\n"
        ),
    )
    assert main(["similar", "--changed", "--base", "HEAD"]) == 1
    out = capsys.readouterr().out
    assert "This file has problems; fix them first:" in out
    assert "detected&#95;at: warning: is after resolved&#95;at" in out


def test_cli_changed_problems_mention_and_link_nobody(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _commit_then_edit(project, lambda text: f"{text}'@octocat': 1\nwww.evil.example: 2\n")
    assert main(["similar", "--changed", "--base", "HEAD"]) == 1
    out = capsys.readouterr().out
    assert "unknown field" in out
    assert "@octocat" not in out and "www.evil" not in out
    assert "@\u2060octocat" in out


def test_cli_changed_comment_stays_within_githubs_limit(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pull request changing many files gets a comment GitHub accepts (a longer one fails
    the comment step), saying how many files it leaves out."""
    commit_all(project)
    names = sorted((project / "incidents").glob("*.yaml"))[:6]
    for path in names:
        path.write_text(path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert main(["similar", "--changed", "--base", "HEAD"]) == 0
    whole = capsys.readouterr().out
    assert whole.count("\n### ") == 6
    limit = len(whole) // 2
    monkeypatch.setattr(similar_command, "COMMENT_LIMIT", limit)
    assert main(["similar", "--changed", "--base", "HEAD"]) == 0
    cut = capsys.readouterr().out
    assert len(cut) <= limit
    shown = cut.count("\n### ")
    assert 0 < shown < 6
    assert cut.rstrip().endswith("show every problem and match._")
    assert f"\n\n_{6 - shown} changed files are not shown" in cut
    # A comment that just fits is whole, with no note.
    monkeypatch.setattr(similar_command, "COMMENT_LIMIT", len(whole.rstrip()))
    assert main(["similar", "--changed", "--base", "HEAD"]) == 0
    assert capsys.readouterr().out == whole


def test_cli_changed_with_a_base_that_shares_no_commit_is_an_error_not_a_pass(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A shallow clone of a pull request has its base without the commits they share: "no
    incident file changed" would pass every file unchecked."""
    commit_all(project)
    git(project, "checkout", "-q", "--orphan", "unrelated")
    git(project, "commit", "-q", "-m", "unrelated history")
    assert main(["similar", "--changed", "--base", "main"]) == 2
    assert "fetch-depth: 0" in capsys.readouterr().err


def test_cli_changed_says_when_nothing_changed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_all(project)
    assert main(["similar", "--changed", "--base", "main"]) == 0
    assert "No incident file was added or changed." in capsys.readouterr().out


def test_cli_needs_an_incident_or_changed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["similar"]) == 2


def test_reasons_name_the_shared_failure_mode_and_the_phrases_on_each_side() -> None:
    full_volume = incident(
        "2024-05-01-orders-db-volume",
        title="Orders database refused writes",
        summary="The data volume ran out of space and the database refused writes.",
        services=["orders-db"],
        root_cause={"category": "capacity", "summary": "No alert on free space."},
    )
    log_growth = incident(
        "2021-02-02-api-wedged",
        title="API wedged",
        summary="Log growth exhausted the disk and the service wedged.",
        services=["api"],
        root_cause={"category": "process", "summary": "Log rotation was never set up."},
    )
    unrelated = incident("2023-03-03-label-printer", title="Label printer jam", summary="Jam.")
    [match] = SimilarityIndex(
        [full_volume, log_growth, unrelated], {"disk-full": "Disk or storage full"}
    ).similar(full_volume.id, top=1)
    assert match.id == log_growth.id
    assert match.reasons[:2] == (
        "same failure mode: Disk or storage full",
        "matching phrases: “volume ran out of space” ~ “exhausted the disk”",
    )


def test_shared_terms_leave_out_words_found_in_many_incidents() -> None:
    story = "The window made one replica fall behind during the failover."
    corpus = [
        incident(f"2024-01-{day:02d}-other", summary=f"The window made one change number {day}.")
        for day in range(1, 21)
    ]
    first = incident("2025-01-01-first", summary=story)
    second = incident("2025-02-01-second", summary=story)
    [match] = SimilarityIndex([*corpus, first, second]).similar(first.id, top=1)
    shared = next(reason for reason in match.reasons if reason.startswith("shared terms:"))
    named = set(shared.removeprefix("shared terms: ").split(", "))
    assert named and named <= {"replica", "fall", "behind", "failover"}


def test_a_declared_failure_mode_finds_an_incident_that_tells_it() -> None:
    declared = incident(
        "2024-06-01-declared", title="Checkout errors", failure_modes=["split-brain"]
    )
    told = incident(
        "2020-01-01-told",
        title="Search outage",
        summary="After a switch flapped, both halves elected their own leader and took writes.",
    )
    other = incident("2022-01-01-other", title="Label printer jam", summary="Printer jam.")
    matches = SimilarityIndex([declared, told, other]).similar(declared.id, threshold=0.0)
    assert matches[0].id == told.id
    assert matches[0].reasons[0] == "same failure mode: split brain"


def test_every_failure_mode_of_the_lexicon_is_in_the_schema_vocabulary() -> None:
    schema = read_schema(PACKAGED_SCHEMAS / "incident.schema.json")
    assert set(mechanisms.PHRASINGS) == set(values(schema, "failureMode"))


@pytest.mark.parametrize(
    ("said", "mode"),
    [
        ("the data volume ran out of space", "disk-full"),
        ("no space left on device", "disk-full"),
        ("clocks drifted and tokens were rejected", "clock-skew"),
        ("NTP stopped and signatures failed their validity check", "clock-skew"),
        ("every client retried at once without backoff", "retry-storm"),
        ("the standby was promoted while it was minutes behind", "failover-fault"),
        ("the config change was pushed to every region at once", "unguarded-rollout"),
        ("the id column overflowed", "counter-overflow"),
        ("the pool ran out of connections", "connection-exhaustion"),
        ("the TLS certificate expired overnight", "certificate-expiry"),
        ("the /var partition hit 100% and postgres stopped accepting writes", "disk-full"),
        ("chrony was not running so the hosts' clocks were 5 minutes off", "clock-skew"),
        ("both data centres believed they were primary", "split-brain"),
        ("the terraform apply destroyed the production database by mistake", "blast-radius"),
        ("we did not know the auth service depended on the config store", "hidden-dependency"),
        ("all the threads in the pool were blocked waiting on the database", "worker-starvation"),
        ("we hit the AWS API rate limit and calls were throttled", "quota-exhaustion"),
        ("a long running migration held a lock on the orders table", "lock-contention"),
    ],
)
def test_the_lexicon_recognises_common_phrasings(said: str, mode: str) -> None:
    assert mode in mechanisms.analyse(said)


def test_phrases_are_quoted_as_written_and_in_whole_words() -> None:
    assert mechanisms.analyse("The overload Cascaded to downstream services.") == {
        "cascading-overload": ["Cascaded"]
    }


def test_the_lexicon_does_not_read_a_mechanism_into_a_mere_mention() -> None:
    told = mechanisms.analyse("The disks had plenty of free space; the controller cache was off.")
    assert "disk-full" not in told


TOLD_ALONE = {
    # A sentence whose lower-casing changes its length is quoted lower-cased, the next as written.
    "In İzmir the disk was full. Then the CERT EXPIRED overnight.": {
        "disk-full": ["disk was full"],
        "certificate-expiry": ["CERT EXPIRED"],
    },
    "the disk": {},
    "was full": {},
    "No space left on the device. No. Space left.": {"disk-full": ["No space left"]},
    "The election could not elect a leader": {"quorum-loss": ["could not elect a leader"]},
    "could not. elect a leader": {},
    "out-of-band access": {"hidden-dependency": ["out-of-band"]},
    "no\nspace left": {},
}


@pytest.mark.parametrize("chunk", [mechanisms.CHUNK, 1, 30])
def test_texts_analysed_together_tell_what_each_tells_alone(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(mechanisms, "CHUNK", chunk)
    texts = list(TOLD_ALONE)
    assert mechanisms.analyse_all(texts) == list(TOLD_ALONE.values())
    assert [mechanisms.analyse(text) for text in texts] == list(TOLD_ALONE.values())


@pytest.mark.parametrize("unit", ["skipp_the_", "enospc_", "cascadé", "エskipp_the_canary_"])
def test_a_field_of_one_long_word_is_analysed_in_linear_time(unit: str) -> None:
    """A phrasing may begin inside a word (a line of prose without spaces is one): the word
    after a phrase is quoted to at most ``QUOTED_REST`` characters, never read to its end
    again and again (quadratic: seconds per field)."""
    field = unit * (150_000 // len(unit))
    start = time.perf_counter()
    told = mechanisms.analyse_all([field])
    assert time.perf_counter() - start < 2
    longest = mechanisms.QUOTED_REST + max(map(len, ("enospc", "cascad", "canary")))
    assert all(len(phrase) <= longest for phrases in told[0].values() for phrase in phrases)


def test_prose_without_spaces_tells_its_failure_mode() -> None:
    text = "本番環境のサーバーで書き込みが失敗しました。ENOSPCエラーが発生しました。"
    assert mechanisms.analyse(text) == {"disk-full": ["ENOSPCエラーが発生しました"]}


def _every_try(
    clue: np.ndarray, occurrence: np.ndarray, word_starts: np.ndarray, sentence_starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``mechanisms._tries`` without clues: every phrasing at every word's start."""
    phrasings = len(mechanisms._PHRASINGS)
    sentence = np.searchsorted(sentence_starts, word_starts, "right")
    phrasing = np.repeat(np.arange(phrasings), len(word_starts))
    group = phrasing * len(sentence_starts) + np.tile(sentence, phrasings)
    return group, phrasing, np.tile(word_starts, phrasings)


def test_clues_leave_out_no_phrase(monkeypatch: pytest.MonkeyPatch) -> None:
    spelled = [
        re.findall(r"[a-z0-9]{2,}", pattern)
        for patterns in mechanisms.PHRASINGS.values()
        for pattern in patterns
    ]
    rng = random.Random(3)

    def words() -> str:  # a few words in a row out of one phrasing
        taken = rng.choice(spelled)
        first = rng.randrange(len(taken))
        return rng.choice((" ", " ", "", "-", "'")).join(taken[first : first + rng.randint(1, 4)])

    separators = (" ", " ", " ", ", ", "-", ". ", "\n", "; ", " the ", " İ ")
    texts = [
        "".join(words() + rng.choice(separators) for _ in range(rng.randint(1, 30)))
        for _ in range(400)
    ]
    told = mechanisms.analyse_all(texts)
    assert sum(map(len, told)) > 400  # the texts tell many modes
    monkeypatch.setattr(mechanisms, "_tries", _every_try)
    assert mechanisms.analyse_all(texts) == told


def test_terms_counted_in_runs_make_the_same_index(
    monkeypatch: pytest.MonkeyPatch, eval_index: SimilarityIndex
) -> None:
    monkeypatch.setattr(index, "TERM_CHARACTERS", 2000)  # a few incidents a run
    monkeypatch.setattr(index, "_last_rows", {})
    in_runs = SimilarityIndex(eval_index.incidents)
    assert in_runs.terms == eval_index.terms
    assert (in_runs.matrix != eval_index.matrix).nnz == 0
    assert in_runs.all_similar() == eval_index.all_similar()


def test_more_tied_copies_than_candidates_still_rank_by_id() -> None:
    copies = [
        incident(f"copy-{number:03d}", title="Replica lag broke failover")
        for number in range(3 * index.CANDIDATES)
    ]
    random.Random(1).shuffle(copies)
    built = SimilarityIndex(copies)
    expected = ["copy-000", "copy-001", "copy-002", "copy-004", "copy-005"]
    assert [match.id for match in built.similar("copy-003")] == expected
    assert [match.id for match in built.all_similar()["copy-003"]] == expected


def test_cli_text_in_a_project_without_incidents_finds_none(
    new_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    new_project(config=None)
    assert main(["similar", "--text", "the disk was full", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert SimilarityIndex([]).query(incident("q", title="Disk full")) == []


def test_cli_text_ranks_incidents_for_a_symptom(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["similar", "--text", "replica promoted while it was behind"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Incidents like: replica promoted while it was behind\n")
    first = out.splitlines()[1]
    assert any(name in first for name in ("billing-db-failover", "ledger-switchover"))
    assert "- same failure mode: Failover fault" in out


def test_cli_text_below_the_threshold_shows_the_closest_rather_than_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A symptom of a few words scores low: the reader sees what comes nearest, and why."""
    argv = ["similar", "--text", "replica promoted while it was behind", "--threshold", "0.99"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "  no incident scores 0.99 or more (--threshold); the closest:"
    assert any(name in lines[2] for name in ("billing-db-failover", "ledger-switchover"))
    assert sum(line.startswith(("  1. ", "  2. ", "  3. ")) for line in lines) == 3


def test_cli_text_json_lists_matches_with_reasons(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["similar", "--text", "NTP stopped and tokens were rejected", "--format", "json"]) == 0
    )
    matches = json.loads(capsys.readouterr().out)
    assert matches[0]["id"] in {
        "2019-02-14-ntp-stopped-auth-tokens-rejected",
        "2022-03-30-restored-vms-wrong-time-signatures-invalid",
    }
    assert "same failure mode: Clock skew" in matches[0]["reasons"]


def test_cli_text_needs_words(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["similar", "--text", "  "]) == 2
    assert "--text needs some words" in capsys.readouterr().err


def test_page_section_and_cli_agree(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, collection = load_project("similar")
    similar, _, _ = all_similar(collection, 5)
    for incident_id in (
        "2018-11-08-events-table-hit-integer-ceiling",
        "2018-04-04-cache-flush-stampede",
    ):
        assert main(["similar", incident_id, "--format", "json"]) == 0
        shown = json.loads(capsys.readouterr().out)
        on_page = [
            {"id": m.id, "title": m.title, "score": m.score, "reasons": list(m.reasons)}
            for m in similar[incident_id]
        ]
        assert shown == on_page


def test_cli_changed_finds_a_file_whose_name_git_would_quote(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_all(project)
    source = project / "incidents" / "2018-04-04-cache-flush-stampede.yaml"
    renamed = project / "incidents" / "2018-04-04-café.yaml"  # not a valid id: a problem
    renamed.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    git(project, "checkout", "-q", "-b", "change")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "change")
    assert main(["similar", "--changed", "--base", "main"]) == 1
    assert "2018-04-04-café.yaml" in capsys.readouterr().out


def test_incident_text_in_the_pull_request_comment_mentions_and_links_nobody() -> None:
    from postmortems.cli.similar_command import _comment_text

    shown = _comment_text("Ping @security-team at https://evil.example or www.evil.example")
    assert "@security" not in shown and "https://" not in shown and "www.evil" not in shown
    assert shown.replace("\u2060", "").startswith("Ping @security-team at https")


def digested(incident: Incident) -> Incident:
    """``incident`` with a digest, as the loader gives it."""
    return dataclasses.replace(incident, digest=fingerprint(repr(incident.data)))


def saved_once() -> tuple[list[Incident], list[Incident]]:
    """The evaluation incidents with digests, before and after a save that adds rare words to
    the first one's summary."""
    before = [digested(incident) for incident in eval_incidents()]
    first = before[0]
    story = {**first.data, "summary": "Zebra quokka pangolin. " + first.data["summary"]}
    return before, [digested(dataclasses.replace(first, data=story)), *before[1:]]


def test_ranking_after_an_edit_describes_few_pairs_again_yet_equals_a_fresh_ranking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a save, ``mkdocs serve`` ranks every incident again: a pair ranked last time with
    the same score is not described again (50,000 pairs at 10,000 incidents), but is the same,
    digest included (pages' keys name matches by it)."""
    before, after = saved_once()
    SimilarityIndex(before).all_similar()
    described: list[object] = []
    describe = index.describe
    monkeypatch.setattr(
        index, "describe", lambda *facts: described.append(facts) or describe(*facts)
    )
    remembered = SimilarityIndex(after).all_similar()
    pairs = sum(map(len, remembered.values()))
    assert 0 < len(described) < pairs / 4
    monkeypatch.setattr(index, "_matches", Carried())
    fresh = SimilarityIndex(after).all_similar()
    assert remembered == fresh
    digests = {i: [m.digest for m in matches] for i, matches in remembered.items()}
    assert digests == {i: [m.digest for m in matches] for i, matches in fresh.items()}
    assert all(digest for listed in digests.values() for digest in listed)
    schema = read_schema(PACKAGED_SCHEMAS / "incident.schema.json")
    titles = {mode: f"Mode named {mode}" for mode in values(schema, "failureMode")}
    renamed = SimilarityIndex(after, titles).all_similar()
    assert any(
        "Mode named" in reason
        for matches in renamed.values()
        for m in matches
        for reason in m.reasons
    )


def counting_term_matrices(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many incidents each index built from now on tokenises, in order."""
    counted: list[int] = []
    term_matrix = index._term_matrix
    monkeypatch.setattr(
        index,
        "_term_matrix",
        lambda found, told: counted.append(len(found)) or term_matrix(found, told),
    )
    return counted


def test_after_forgetting_the_next_index_counts_everything_again_and_ranks_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A build that is not a preview forgets what indexes keep for the next one (memory for its
    pages): a later index in the process then starts afresh, with the same results."""
    before, after = saved_once()
    SimilarityIndex(before)
    expected = SimilarityIndex(after).all_similar()
    forget()
    counted = counting_term_matrices(monkeypatch)
    assert SimilarityIndex(after).all_similar() == expected
    assert counted == [len(after)]


def test_an_index_after_an_edit_counts_only_the_edited_incident_yet_equals_a_fresh_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``mkdocs serve`` indexes the same incidents after each save: only the saved one is
    tokenised again, and the index is the one a clean build makes."""
    before, after = saved_once()
    SimilarityIndex(before)
    counted = counting_term_matrices(monkeypatch)
    remembered = SimilarityIndex(after)
    assert counted == [1]
    monkeypatch.setattr(index, "_last_rows", {})
    fresh = SimilarityIndex(after)
    assert remembered.terms == fresh.terms
    assert "zebra" in remembered.terms
    assert (remembered.matrix != fresh.matrix).nnz == 0
    assert remembered.all_similar() == fresh.all_similar()


def test_document_frequencies_keep_two_significant_digits() -> None:
    counts = np.asarray([0, 1, 57, 99, 100, 104, 105, 155, 999, 1234, 98765])
    rounded = index._rounded_frequencies(counts).tolist()
    assert rounded == [0, 1, 57, 99, 100, 100, 110, 160, 1000, 1200, 99000]


def copied_corpus(copies: int) -> list[Incident]:
    """The evaluation incidents ``copies`` times over, with digests: near-ties, and words in
    more than 99 incidents (their frequencies rounded)."""
    return [
        digested(dataclasses.replace(source, data={**source.data, "id": f"{source.id}-{copy}"}))
        for copy in range(copies)
        for source in eval_incidents()
    ]


def edited(incidents: list[Incident], position: int, **fields: Any) -> list[Incident]:
    """``incidents`` with the one at ``position`` saved with ``fields`` changed."""
    changed = dataclasses.replace(incidents[position], data={**incidents[position].data, **fields})
    return [*incidents[:position], digested(changed), *incidents[position + 1 :]]


def ranked_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many rows each ``all_similar`` from now on ranks afresh (not merged), in calls."""
    ranked: list[int] = []
    rank_rows = SimilarityIndex._rank_rows

    def counting(self: SimilarityIndex, rows: np.ndarray, top: int, threshold: float) -> Any:
        ranked.append(len(rows))
        return rank_rows(self, rows, top, threshold)

    monkeypatch.setattr(SimilarityIndex, "_rank_rows", counting)
    return ranked


def fresh_ranking(incidents: list[Incident]) -> dict[str, list[tuple[Any, ...]]]:
    """Every incident's matches (digests included) from an index that remembers nothing."""
    forget()
    return {
        key: [(*dataclasses.astuple(match),) for match in matches]
        for key, matches in SimilarityIndex(incidents).all_similar().items()
    }


def ranking(incidents: list[Incident]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        key: [(*dataclasses.astuple(match),) for match in matches]
        for key, matches in SimilarityIndex(incidents).all_similar().items()
    }


@pytest.mark.parametrize(
    ("fields", "merged_at_least"),
    [
        ({"trigger": "Zebra quokka pangolin."}, 0.9),  # rare words: other rows as they were
        ({"summary": "Nothing at all to see here."}, 0.0),  # the story mostly gone
        ({"services": ["a-service-nobody-else-has"]}, 0.9),
        ({"failure_modes": ["replication-lag"]}, 0.0),
    ],
)
def test_a_ranking_after_an_edit_merges_untouched_rows_yet_equals_a_fresh_one(
    monkeypatch: pytest.MonkeyPatch, fields: dict[str, Any], merged_at_least: float
) -> None:
    """``mkdocs serve`` ranks the same incidents after each save: rows the save did not touch
    keep their last ranking, merged with their scores against the changed rows, and the
    result is exactly a fresh ranking's (near-ties among copies included)."""
    before = copied_corpus(3)
    after = edited(before, 40, **fields)
    SimilarityIndex(before).all_similar()
    ranked = ranked_rows(monkeypatch)
    merged = ranking(after)
    assert len(after) - sum(ranked) >= merged_at_least * len(after)
    assert merged == fresh_ranking(after)


def test_rows_whose_best_match_changed_are_ranked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A row whose last best matches held the edited incident does not know its next best: it is
    ranked afresh."""
    before = copied_corpus(3)
    last = SimilarityIndex(before).all_similar()
    target = before[40]
    holders = [key for key, matches in last.items() if any(m.id == target.id for m in matches)]
    assert holders
    story = {"summary": "Zebra.", "category": "capacity"}
    after = edited(before, 40, title="Quokka", trigger="Pangolin.", root_cause=story)
    ranked = ranked_rows(monkeypatch)
    merged = ranking(after)
    assert sum(ranked) >= len(holders)
    assert any(target.id not in [m[0] for m in merged[key]] for key in holders)
    assert merged == fresh_ranking(after)


def test_rankings_over_many_saves_equal_fresh_ones() -> None:
    """Random saves (words added to a field, a service changed, an incident added or taken
    away): each ranking equals a fresh one."""
    randomness = random.Random(7)
    words = ["database", "replica", "failover", "certificate", "timeout", "cache", "zebra"]
    incidents = copied_corpus(3)
    SimilarityIndex(incidents).all_similar()
    for save in range(12):
        position = randomness.randrange(len(incidents))
        field = randomness.choice(["title", "summary", "resolution"])
        told = str(incidents[position].data.get(field) or "")
        added = " ".join(randomness.choices(words, k=randomness.randint(1, 3)))
        incidents = edited(incidents, position, **{field: f"{told} {added}".strip()})
        if save % 4 == 1:
            incidents = edited(incidents, position, services=["payments-api"])
        if save % 4 == 2:
            incidents = incidents[:position] + incidents[position + 1 :]
        if save % 4 == 3:
            copy = incidents[position]
            incidents.append(digested(dataclasses.replace(copy, data={**copy.data, "id": "new"})))
        expected = fresh_ranking(incidents)  # also what the next ranking starts from
        assert ranking(incidents) == expected
        assert ranking(incidents) == expected  # nothing changed: every row merged


def test_more_tied_copies_than_candidates_rank_the_same_after_an_edit() -> None:
    copies = [
        digested(incident(f"copy-{number:03d}", title="Replica lag broke failover"))
        for number in range(3 * index.CANDIDATES)
    ]
    SimilarityIndex(copies).all_similar()
    after = edited(copies, 5, title="Replica lag broke failover twice")
    assert ranking(after) == fresh_ranking(after)


def test_an_edit_that_retells_another_story_joins_its_matches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows kept from the last ranking take in the changed rows' new scores. (Every word
    weighs the same here, so that an edit changes no other row.)"""
    monkeypatch.setattr(index, "_rounded_frequencies", np.ones_like)
    monkeypatch.setattr(index, "LENGTH_DIGITS", 1)
    before = copied_corpus(3)
    told = ("title", "summary", "trigger", "root_cause", "contributing_factors", "services")
    story = {name: before[7].data[name] for name in told if name in before[7].data}
    SimilarityIndex(before).all_similar()
    after = edited(before, 60, **story)
    ranked = ranked_rows(monkeypatch)
    merged = ranking(after)
    assert sum(ranked) < 5
    assert before[60].id in [match[0] for match in merged[before[7].id][:3]]  # with two copies
    assert merged == fresh_ranking(after)


def test_a_word_that_becomes_too_common_to_name_is_no_longer_named_after_an_edit() -> None:
    """A row can weigh the same though one of its words became too common to name as a reason
    (a story of one word): its matches are described again."""

    def telling(identifier: str, story: str) -> Incident:
        fields = {"title": story, "summary": story, "resolution": story}
        return digested(incident(identifier, **fields, root_cause={"category": "bug"}))

    others = [telling(f"x{number}", f"Quokka{number}.") for number in range(8)]
    before = [telling("a", "Timeout."), telling("b", "Timeout."), *others]
    SimilarityIndex(before).all_similar()
    after = [*before[:-1], telling("x7", "Timeout.")]
    assert ranking(after) == fresh_ranking(after)


def test_an_index_ranks_after_an_empty_one_and_with_repeated_digests() -> None:
    SimilarityIndex([]).all_similar()
    incidents = copied_corpus(1)[:20]
    assert ranking(incidents) == fresh_ranking(incidents)
    twice = [*incidents, dataclasses.replace(incidents[3], data={**incidents[3].data, "id": "z"})]
    assert ranking(twice) == fresh_ranking(twice)


def test_rounded_frequencies_never_make_a_word_weigh_less_than_nothing() -> None:
    everywhere = [incident(f"i{number:03d}", summary="A timeout.") for number in range(105)]
    assert SimilarityIndex(everywhere).idf.min() > 0
