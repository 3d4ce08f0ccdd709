"""CI workflows, pre-commit hooks and editor settings: well-formed and pointing at real things."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from sitebuild import BIN, run

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    """The workflow's ``on:`` (YAML 1.1 reads the bare key ``on`` as ``True``)."""
    return workflow.get("on", workflow.get(True))


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def commands(workflow: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


def step_using(workflow: dict[str, Any], action: str) -> dict[str, Any]:
    matching = [step for step in steps(workflow) if step.get("uses", "").startswith(action + "@")]
    assert matching, f"no step uses {action}"
    return matching[0]


@pytest.mark.parametrize("name", ["validate.yml", "publish.yml", "tests.yml"])
def test_workflow_passes_the_github_workflow_schema(name: str) -> None:
    checker = BIN / "check-jsonschema"
    assert checker.is_file(), "install check-jsonschema into the venv (pip install .[test])"
    result = run([checker, "--builtin-schema", "vendor.github-workflows", WORKFLOWS / name])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["validate.yml", "publish.yml", "tests.yml"])
def test_every_action_is_pinned_to_a_version(name: str) -> None:
    for step in steps(load_yaml(WORKFLOWS / name)):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v?\d[\w.]*", step["uses"]), step["uses"]


def test_pull_requests_are_checked_with_full_history_on_python_311() -> None:
    workflow = load_yaml(WORKFLOWS / "validate.yml")
    assert "pull_request" in triggers(workflow)
    assert step_using(workflow, "actions/checkout")["with"]["fetch-depth"] == 0
    assert str(step_using(workflow, "actions/setup-python")["with"]["python-version"]) == "3.11"
    run = commands(workflow)
    assert "pip install --constraint constraints.txt ." in run
    assert re.search(r'postmortems similar --changed --base "origin/\$BASE_REF" > comment.md', run)
    assert re.search(r"^postmortems validate$", run, re.MULTILINE)


def test_the_comment_is_posted_before_the_job_fails_on_an_invalid_file() -> None:
    """An invalid file must not stop the job before its problems reach the comment."""
    workflow = load_yaml(WORKFLOWS / "validate.yml")
    (job,) = workflow["jobs"].values()
    names = [step.get("uses", step.get("run", "")) for step in job["steps"]]
    check = next(
        i for i, step in enumerate(job["steps"]) if "similar --changed" in step.get("run", "")
    )
    comment = next(i for i, name in enumerate(names) if "sticky-pull-request-comment" in name)
    fail = next(i for i, step in enumerate(job["steps"]) if step.get("run") == "exit 1")
    assert check < comment < fail
    assert "set +e" in job["steps"][check]["run"]
    assert "steps.check.outputs.status" in job["steps"][fail]["if"]


def test_similar_incidents_are_posted_with_least_privilege() -> None:
    workflow = load_yaml(WORKFLOWS / "validate.yml")
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    comment = step_using(workflow, "marocchino/sticky-pull-request-comment")
    assert comment["with"]["path"] == "comment.md"
    assert comment["with"]["header"]  # one comment per pull request, updated in place
    check = next(step for step in steps(workflow) if "similar" in step.get("run", ""))
    assert check["env"]["BASE_REF"] == "${{ github.base_ref }}"


def test_the_starter_kit_workflow_is_this_repositorys_but_for_the_install_step() -> None:
    starter = (
        ROOT / "plugins" / "postmortems" / "authoring" / "starter" / "dot-github" / "workflows"
    )
    ours = (WORKFLOWS / "validate.yml").read_text(encoding="utf-8")
    theirs = (starter / "validate.yml").read_text(encoding="utf-8")
    assert ours.replace("--constraint constraints.txt .", "-r requirements.txt") == theirs


def test_pushes_to_main_build_strictly_and_deploy_to_pages() -> None:
    workflow = load_yaml(WORKFLOWS / "publish.yml")
    assert triggers(workflow)["push"]["branches"] == ["main"]
    assert "mkdocs build --strict" in commands(workflow)
    assert step_using(workflow, "actions/upload-pages-artifact")["with"]["path"] == "site"
    step_using(workflow, "actions/deploy-pages")
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow["jobs"]["deploy"]["needs"] == "build"


def test_pre_commit_hook_runs_the_validate_command_on_incident_files() -> None:
    (hook,) = load_yaml(ROOT / ".pre-commit-hooks.yaml")
    assert hook["id"] == "validate-incidents"
    assert hook["entry"] == "postmortems validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("incidents/2024/2024-07-30-db.yaml")
    assert files.search("incidents/x.yml")
    assert not files.search("docs/incidents.md")
    assert not files.search("schema/incident.schema.json")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert scripts["scripts"]["postmortems"] == "postmortems.cli:main"


def test_pre_commit_config_has_the_local_validate_hook_and_ruff() -> None:
    config = load_yaml(ROOT / ".pre-commit-config.yaml")
    by_repo = {repo["repo"]: repo for repo in config["repos"]}
    local_ids = [hook["id"] for hook in by_repo["local"]["hooks"]]
    assert "validate-incidents" in local_ids
    ruff = by_repo["https://github.com/astral-sh/ruff-pre-commit"]
    assert re.fullmatch(r"v\d+\.\d+\.\d+", ruff["rev"])
    assert {hook["id"] for hook in ruff["hooks"]} == {"ruff-check", "ruff-format"}


def test_editor_maps_incident_files_and_the_catalog_to_schemas_that_exist() -> None:
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    schemas = settings["yaml.schemas"]
    for schema in schemas:
        assert (ROOT / schema).is_file(), schema
    incident_patterns = schemas["./plugins/postmortems/schemas/incident.schema.json"]
    matched = {
        path for pattern in incident_patterns if pattern[0] != "!" for path in ROOT.glob(pattern)
    }
    excluded = {
        path
        for pattern in incident_patterns
        if pattern[0] == "!"
        for path in ROOT.glob(pattern[1:])
    }
    incidents = {path for path in (ROOT / "incidents").rglob("*.y*ml") if path.name[0] != "_"}
    assert incidents, "the repository has example incidents"
    assert matched - excluded == incidents
    assert schemas["./plugins/postmortems/schemas/services.schema.json"] == [
        "incidents/_services.yaml"
    ]
    assert (ROOT / "incidents" / "_services.yaml").is_file()


def test_editor_recommends_the_yaml_extension() -> None:
    extensions = json.loads((ROOT / ".vscode" / "extensions.json").read_text(encoding="utf-8"))
    assert "redhat.vscode-yaml" in extensions["recommendations"]


def test_the_tests_run_pinned_like_ci_and_at_the_lowest_allowed_versions() -> None:
    workflow = load_yaml(WORKFLOWS / "tests.yml")
    assert {"push", "pull_request"} <= set(triggers(workflow))
    pinned, lowest = workflow["jobs"]["pinned"], workflow["jobs"]["lowest"]
    assert any(step.get("run") == "make test" for step in pinned["steps"])
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci_script, re.MULTILINE)
    lowest_commands = "\n".join(step.get("run", "") for step in lowest["steps"])
    assert "--resolution lowest-direct" in lowest_commands
    assert "pytest" in lowest_commands


def test_every_dependency_is_pinned_in_the_constraints_file() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    pinned = {
        re.split(r"==", line)[0].lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    for requirement in wanted:
        name = re.split(r"[<>=!~\[ ;]", requirement)[0].lower().replace("_", "-")
        assert name in pinned, f"{name} is not pinned in constraints.txt (run make lock)"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--constraint $(CONSTRAINTS)" in makefile
