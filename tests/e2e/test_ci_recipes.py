"""The CI recipes (``examples/ci/``): valid GitHub workflows, and commands that work.

- Every workflow validates against GitHub's workflow JSON Schema (SchemaStore's, as the
  PyPI package ``check-jsonschema`` vendors it).
- Every ``pulumi`` command a recipe runs (a ``run:`` line, or a ``pulumi/actions`` step
  with its inputs) is one the end-to-end tests run under the real CLI
  (``tests/e2e/recipes.py``).
- Every ``mailform`` command a recipe runs is run here, as written, against the sandbox,
  with the exit codes the recipe relies on.
"""

from __future__ import annotations

import importlib.resources
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from tests.accounts import REPO, Account
from tests.e2e.recipes import RECIPE_COMMANDS
from tests.e2e.test_dev_stack import SERVER

CI = REPO / "examples" / "ci"
WORKFLOWS = sorted(CI.glob("*.yml"))
#: ``pulumi/actions`` inputs that are flags of the command, by input name.
ACTION_FLAGS = {
    "diff": "--diff",
    "refresh": "--refresh",
    "expect-no-changes": "--expect-no-changes",
}
#: Commands the end-to-end tests cannot run here: `pulumi install` needs the Python language
#: host, which cannot be built on these machines (docs/pulumi.md).
NOT_RUN_HERE = frozenset({"pulumi install"})
MAILFORM = re.compile(r"(?:\.venv/bin/)?\bmailform ([a-z]+)((?: [^\s>|;&]+)*)")


def workflow_schema() -> dict[str, Any]:
    vendor = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads(vendor.joinpath("github-workflows.json").read_text(encoding="utf-8"))


def load(path: Path) -> dict[str, Any]:
    """A workflow as GitHub reads it (YAML 1.2: ``on`` is a string key)."""
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def steps(flow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in flow["jobs"].values() for step in job["steps"]]


def run_lines(flow: dict[str, Any]) -> list[str]:
    """Each shell command of the workflow, with folded lines joined."""
    lines = []
    for step in steps(flow):
        script = str(step.get("run", ""))
        lines += [" ".join(line.split()) for line in script.replace("\\\n", " ").splitlines()]
    return [line for line in lines if line]


def pulumi_commands(flow: dict[str, Any]) -> set[str]:
    """The workflow's pulumi commands as typed, ``--stack NAME`` left out."""
    commands = set()
    for line in run_lines(flow):
        if line.startswith("pulumi "):
            commands.add(re.sub(r" --stack \S+", "", line))
    for step in steps(flow):
        if str(step.get("uses", "")).startswith("pulumi/actions@") and "with" in step:
            inputs = step["with"]
            flags = [flag for name, flag in ACTION_FLAGS.items() if inputs.get(name) is True]
            commands.add(" ".join(["pulumi", inputs["command"], *sorted(flags)]))
    return commands


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_each_recipe_is_a_valid_github_workflow(path: Path) -> None:
    jsonschema.validate(load(path), workflow_schema())


def test_the_schema_check_can_fail() -> None:
    broken = {"on": "push", "jobs": {"plan": {"runs-on": "ubuntu-latest", "stepz": []}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, workflow_schema())


def test_the_recipes_cover_pulumi_and_the_cli_and_many_accounts() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"pulumi-preview.yml", "pulumi-up.yml", "pulumi-drift.yml"} <= names
    assert {"mailform-plan.yml", "mailform-apply.yml", "mailform-drift.yml"} <= names
    matrix = load(CI / "pulumi-many-accounts.yml")["jobs"]["account"]["strategy"]
    assert matrix["fail-fast"] is False and len(matrix["matrix"]["stack"]) > 1


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_each_recipe_uses_current_actions(path: Path) -> None:
    for step in steps(load(path)):
        uses = step.get("uses")
        if uses:
            action, _, major = uses.partition("@")
            assert (
                major
                == {
                    "actions/checkout": "v7",
                    "actions/setup-python": "v7",
                    "actions/upload-artifact": "v7",
                    "pulumi/actions": "v7",
                }[action]
            ), uses


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_each_pulumi_command_is_one_the_end_to_end_tests_run(path: Path) -> None:
    commands = pulumi_commands(load(path)) - NOT_RUN_HERE
    assert commands <= RECIPE_COMMANDS, commands - RECIPE_COMMANDS


def test_the_pulumi_drift_recipe_also_catches_objects_added_by_hand() -> None:
    lines = run_lines(load(CI / "pulumi-drift.yml"))
    assert any(line.startswith(".venv/bin/mailform drift ") for line in lines)


def test_the_mailform_commands_of_the_recipes_work_as_written(
    tmp_path: Path, account: Account
) -> None:
    """Each recipe's ``mailform`` lines, in the order a repository meets them (plan on the
    pull request, apply on merge, drift at night), against the sandbox."""
    account.seed(SERVER)
    (tmp_path / "stacks").mkdir()
    shutil.copy(REPO / "stacks" / "dev.yaml", tmp_path / "stacks" / "prod.yaml")
    environ = {
        "PATH": f"{REPO / '.venv' / 'bin'}:/usr/bin:/bin",
        "BOB_PASSWORD": "Recipe-Passw0rd",
        "MAILFORM_RATE_LIMIT": "0",  # the sandbox has no limit to respect
        **account.environ(),
    }
    (tmp_path / ".venv").symlink_to(REPO / ".venv")
    expected = {"validate": {0}, "plan": {2}, "apply": {0}, "drift": {0, 2}}
    ran = []
    for name in ("mailform-plan.yml", "mailform-apply.yml", "mailform-drift.yml"):
        for line in run_lines(load(CI / name)):
            for match in MAILFORM.finditer(line):
                verb = match.group(1)
                command = f"mailform {verb}{match.group(2)}".split()
                done = subprocess.run(
                    command, cwd=tmp_path, env=environ, capture_output=True, text=True, check=False
                )
                assert done.returncode in expected[verb], (line, done.stdout, done.stderr)
                ran.append(verb)
    assert ran == ["validate", "plan", "apply", "drift"]
