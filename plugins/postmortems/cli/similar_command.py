"""``postmortems similar``: incidents that tell the same story as one incident, or as each
incident file changed in a branch (Markdown for a pull-request comment).

``--changed`` compares with ``--base`` (default ``origin/main``; when that ref does not exist,
``main``, then ``HEAD~1``), reading ``git diff --name-only`` from the merge base of BASE and
``HEAD`` (edits not yet committed count) plus untracked files in the incidents folder. With no
usable base at all (a repository without commits), only untracked files count; a ``--base``
given that names no commit, or a base that shares no commit with ``HEAD`` (a shallow clone), is
a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from ..core.collection import INCIDENT_SUFFIXES, Collection, load_one
from ..core.model import Incident
from ..core.problems import Problem, ProjectError
from ..core.project import ProjectPaths
from ..core.vocabulary import titles
from ..similarity import DEFAULT_THRESHOLD, Match, Recurrence, SimilarityIndex
from ..site.markdown import inline
from . import git
from .common import load_project
from .printer import OK, PROBLEMS, USAGE, CommandExit, failure, usage_error

DEFAULT_BASE = "origin/main"
FALLBACK_BASES = ("main", "HEAD~1")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "similar",
        help="find incidents that look like one incident, a symptom, or each changed file",
        description=(
            "Rank incidents by how much they fail the same way (failure modes, the root-cause "
            "story, then category, services and tags), with the reasons for each match."
        ),
    )
    parser.add_argument(
        "incident", nargs="?", metavar="ID_OR_PATH", help="an incident id or a YAML file"
    )
    parser.add_argument(
        "--text",
        metavar="TEXT",
        help='a symptom or story in your own words, e.g. "replica promoted while it was behind"',
    )
    parser.add_argument(
        "--top", type=_positive, default=5, metavar="N", help="matches to show (default: 5)"
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--threshold",
        type=_score,
        default=DEFAULT_THRESHOLD,
        metavar="SCORE",
        help=f"lowest score shown, 0 to 1 (default: {DEFAULT_THRESHOLD})",
    )
    parser.add_argument(
        "--changed",
        action="store_true",
        help="report every incident file added or changed since --base, as Markdown",
    )
    parser.add_argument(
        "--base",
        metavar="REF",
        help=f"git ref to compare with for --changed (default: {DEFAULT_BASE}, else main, HEAD~1)",
    )
    parser.set_defaults(handler=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return value


def _score(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:  # also refuses nan
        raise argparse.ArgumentTypeError(f"not a score from 0 to 1: {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    misuse = _misuse(args)
    if misuse is not None:
        raise CommandExit(USAGE, f"postmortems similar: {misuse}")
    project, collection = load_project("similar")
    if args.changed:
        return _run_changed(args, project, collection)
    if args.text is not None:
        return _run_text(args, collection)
    return _run_one(args, project, collection)


def _misuse(args: argparse.Namespace) -> str | None:
    """Why the options given do not go together; ``None`` when they do."""
    if sum((bool(args.incident), args.text is not None, args.changed)) != 1:
        return "give one of ID_OR_PATH, --text or --changed"
    if args.text is not None and not args.text.strip():
        return "--text needs some words"
    if args.base and not args.changed:
        return "--base only goes with --changed"
    if args.changed and args.format == "json":
        return "--changed writes Markdown; --format json is for one incident"
    return None


def _run_text(args: argparse.Namespace, collection: Collection) -> int:
    """Rank the incidents for a symptom or story written in the reader's own words."""
    query = Incident(
        data={"id": "", "title": "", "root_cause": {"summary": args.text}}, source="<--text>"
    )
    index = _index(collection, collection.incidents)
    matches = index.query(query, top=args.top, threshold=args.threshold)
    if args.format == "json":
        print(json.dumps([_as_json(match) for match in matches], indent=2, ensure_ascii=False))
        return OK
    print(f"Incidents like: {args.text}")
    closest = [] if matches else index.query(query, top=CLOSEST, threshold=0.0)
    if closest:  # a few words score low: show what comes nearest rather than nothing
        print(f"  no incident scores {args.threshold:g} or more (--threshold); the closest:")
        matches = closest
    _print_matches(matches)
    return OK


CLOSEST = 3
"""Incidents shown below the threshold when none reaches it (``similar --text``)."""


def _print_matches(matches: list[Match]) -> None:
    if not matches:
        print("  no similar incident found")
    for rank, match in enumerate(matches, start=1):
        print(f"  {rank}. {match.score:.3f}  {match.id}: {match.title}")
        for reason in match.reasons:
            print(f"       - {reason}")


def _run_one(args: argparse.Namespace, project: ProjectPaths, collection: Collection) -> int:
    incident = collection.get(args.incident)
    if incident is None:
        path = Path(args.incident)
        if not (path.suffix in INCIDENT_SUFFIXES or path.exists()):
            raise failure(f"postmortems similar: no incident with id {args.incident!r}")
        if not path.is_file():
            reason = "a folder, not an incident file" if path.is_dir() else "no such file"
            raise failure(f"postmortems similar: {args.incident}: {reason}")
        incident, problems = load_one(path, project)
        if incident is None or any(problem.level == "error" for problem in problems):
            raise failure(*(problems or [_unreadable(path)]))
    index = _index_with(collection, [incident])
    matches = index.similar(incident.id, top=args.top, threshold=args.threshold)
    if args.format == "json":
        print(json.dumps([_as_json(match) for match in matches], indent=2, ensure_ascii=False))
        return OK
    print(f"{incident.id}: {incident.title}")
    recurrence = index.recurrence(incident.id)
    if recurrence is not None:
        print(f"  {recurrence.reason}")
    _print_matches(matches)
    return OK


def _run_changed(args: argparse.Namespace, project: ProjectPaths, collection: Collection) -> int:
    try:
        files, note = changed_files(project, args.base)
    except ProjectError as error:
        raise usage_error("similar", str(error)) from None
    header: list[str] = ["## Postmortem check: problems and similar past incidents", ""]
    if note:
        header += [f"_{inline(note)}_", ""]
    if not files:
        header.append("No incident file was added or changed.")
    checked = [_checked(path, project) for path in files]
    valid = [incident for _, incident, _ in checked if incident is not None]
    # One index of the branch's collection, every changed incident in it as changed.
    index = _index_with(collection, valid) if valid else None
    sources = _sources(project, [*collection.incidents, *valid])
    sections: list[list[str]] = []
    for path, incident, problems in checked:
        if incident is None:
            sections.append(_problem_section(path, problems or [_unreadable(path)]))
            continue
        assert index is not None  # made of every incident that passes
        matches = index.similar(incident.id, top=args.top, threshold=args.threshold)
        recurrence = index.recurrence(incident.id)
        sections.append(_match_section(incident, matches, recurrence, project, sources))
    print(_comment(header, sections))
    return PROBLEMS if len(valid) < len(checked) else OK


def _checked(path: Path, project: ProjectPaths) -> tuple[Path, Incident | None, list[Problem]]:
    """A changed file, its incident when it passes the site's build (no error, nor a warning
    when the site sets ``fail_on_warnings``), and its problems."""
    incident, problems = load_one(path, project)
    return path, None if project.fails_build(problems) else incident, problems


def _comment(header: list[str], sections: list[list[str]]) -> str:
    """The comment: ``header``, then each file's section while the whole stays within
    ``COMMENT_LIMIT`` (GitHub refuses a longer comment, and the job's later steps would not
    run), keeping room for a last line that counts the files left out."""
    text = "\n".join(header)
    for shown, section in enumerate(sections):
        more = "\n".join(["", *section])
        rest = len(sections) - shown - 1
        room = COMMENT_LIMIT - (len(_left_out(rest)) + 2 if rest else 0)
        if len(text) + len(more.rstrip()) > room:
            return f"{text.rstrip()}\n\n{_left_out(len(sections) - shown)}"
        text += more
    return text.rstrip()


def _left_out(count: int) -> str:
    return (
        f"_{count} changed file{'s are' if count != 1 else ' is'} not shown: the comment would "
        "be too long for GitHub. `postmortems validate` and `postmortems similar FILE` show "
        "every problem and match._"
    )


COMMENT_LIMIT = 60_000
"""Most characters in the comment (GitHub's limit is 65,536)."""


def changed_files(project: ProjectPaths, base: str | None) -> tuple[list[Path], str]:
    """Incident files added or changed since ``base`` (plus untracked ones), and a note on
    which base was used. Raises ``ProjectError`` when ``base`` is given but is no commit, or
    when the base shares no commit with ``HEAD``: neither may pass for "nothing changed"."""
    top = git.toplevel(project.root)
    if top is None and base:
        raise ProjectError(f"--base {base}: not a git repository")
    if top is None:
        return _untracked(project, project.root), "not a git repository: untracked files only"
    candidates = (base,) if base else (DEFAULT_BASE, *FALLBACK_BASES)
    used = next((ref for ref in candidates if git.is_commit(ref, top)), None)
    if base and used is None:
        raise ProjectError(f"--base {base}: no such commit in this repository")
    names: list[Path] = []
    if used is not None:
        changed = git.changed_since(used, top)
        if changed is None:
            raise ProjectError(
                f"cannot compare with {used}: no common commit with HEAD (a shallow clone? "
                "check out with fetch-depth: 0)"
            )
        names, note = changed, f"compared with {used}"
    else:
        note = f"no git ref {' / '.join(candidates)} found: untracked files only"
    files = [path for path in names if _is_incident_file(path, project)]
    files += _untracked(project, top)
    unique = sorted({path.resolve(): path for path in files if path.is_file()}.values())
    return unique, note


def _untracked(project: ProjectPaths, top: Path) -> list[Path]:
    paths = git.untracked(project.incidents_dir, top)
    if paths is None:
        paths = list(project.incidents_dir.rglob("*"))
    return [path for path in paths if _is_incident_file(path, project)]


def _is_incident_file(path: Path, project: ProjectPaths) -> bool:
    inside = path.resolve().is_relative_to(project.incidents_dir.resolve())
    return inside and path.suffix in INCIDENT_SUFFIXES and not path.name.startswith("_")


def _index_with(collection: Collection, incidents: list[Incident]) -> SimilarityIndex:
    """An index of the collection in which ``incidents`` replace any incident with their ids
    (the last of one id counts)."""
    changed = {incident.id: incident for incident in incidents}
    others = [known for known in collection.incidents if known.id not in changed]
    return _index(collection, [*others, *changed.values()])


def _index(collection: Collection, incidents: list[Incident]) -> SimilarityIndex:
    """An index of ``incidents`` that names failure modes as the site's vocabulary does."""
    return SimilarityIndex(incidents, titles(dict(collection.schema), "failureMode"))


def _as_json(match: Match) -> dict[str, Any]:
    return {
        "id": match.id,
        "title": match.title,
        "score": match.score,
        "reasons": list(match.reasons),
    }


def _unreadable(path: Path) -> Problem:
    return Problem(str(path), 1, 1, "", "not a valid incident file")


def _comment_text(text: object) -> str:
    """Incident text for the pull-request comment: inert Markdown, and a word joiner after
    ``@``, in ``://`` and ``www.``, so GitHub makes no mention or link of it."""
    quiet = str(text).replace("@", "@\u2060").replace("://", ":\u2060//")
    return inline(quiet.replace("www.", "www\u2060."))


def _problem_section(path: Path, problems: list[Problem]) -> list[str]:
    lines = [f"### {_comment_text(path.name)}", "", "This file has problems; fix them first:", ""]
    lines += [f"- {_comment_text(problem)}" for problem in problems]
    return [*lines, ""]


def _match_section(
    incident: Incident,
    matches: list[Match],
    recurrence: Recurrence | None,
    project: ProjectPaths,
    sources: dict[str, str],
) -> list[str]:
    lines = [f"### {inline(incident.id)}: {_comment_text(incident.title)}", ""]
    if recurrence is not None:
        lines += [f"**Possible repeat.** {_comment_text(recurrence.reason)}", ""]
    if not matches:
        return [*lines, "No similar incident found.", ""]
    lines += ["| # | Incident | Score | Why |", "|---|---|---|---|"]
    for rank, match in enumerate(matches, start=1):
        target = project.incident_link(match.id, sources.get(match.id))
        name = f"[{inline(match.id)}](<{target}>)" if target else inline(match.id)
        why = "; ".join(_comment_text(reason) for reason in match.reasons)
        title = _comment_text(match.title)
        lines.append(f"| {rank} | {name}<br>{title} | {match.score:.3f} | {why} |")
    return [*lines, ""]


def _sources(project: ProjectPaths, incidents: list[Incident]) -> dict[str, str]:
    """Each incident's file by its id, relative to the project root (the last of one id)."""
    return {
        incident.id: Path(
            os.path.relpath(project.incidents_dir / incident.source_uri, project.root)
        ).as_posix()
        for incident in incidents
    }
