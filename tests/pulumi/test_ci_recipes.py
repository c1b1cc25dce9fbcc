"""The CI recipes, as far as this machine can check them: valid workflows that use
``pulumi/actions`` as documented, run the documented commands, and are the ones
``docs/pulumi.md`` shows."""

from __future__ import annotations

from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.accounts import REPO

CI = REPO / "examples" / "ci"


def workflow(name: str) -> dict[str, Any]:
    """A workflow file, parsed as GitHub would (``on`` stays a string key)."""
    return YAML(typ="safe").load((CI / name).read_text(encoding="utf-8"))


def steps(flow: dict[str, Any]) -> list[dict[str, Any]]:
    """Every step of every job."""
    return [step for job in flow["jobs"].values() for step in job["steps"]]


def pulumi_action(flow: dict[str, Any]) -> dict[str, Any]:
    """The ``pulumi/actions`` step."""
    return next(
        step for step in steps(flow) if str(step.get("uses", "")).startswith("pulumi/actions@")
    )


@pytest.mark.parametrize("name", ["preview.yml", "up.yml", "drift.yml"])
def test_each_recipe_installs_mailform_into_the_projects_virtualenv(name: str) -> None:
    flow = workflow(name)
    runs = " ".join(str(step.get("run", "")) for step in steps(flow))
    assert "python -m venv .venv" in runs and ".venv/bin/pip install -e ." in runs
    assert pulumi_action(flow)["uses"] == "pulumi/actions@v6"
    assert "virtualenv: .venv" in (REPO / "Pulumi.yaml").read_text(encoding="utf-8")


def test_preview_on_pull_request_comments_the_plan() -> None:
    flow = workflow("preview.yml")
    assert "pull_request" in flow["on"]
    assert flow["permissions"]["pull-requests"] == "write"
    action = pulumi_action(flow)["with"]
    assert action["command"] == "preview"
    assert action["comment-on-pr"] is True
    assert action["github-token"] == "${{ secrets.GITHUB_TOKEN }}"


def test_up_on_merge_to_main() -> None:
    flow = workflow("up.yml")
    assert flow["on"]["push"]["branches"] == ["main"]
    assert pulumi_action(flow)["with"]["command"] == "up"
    assert flow["concurrency"]["cancel-in-progress"] is False


def test_nightly_drift_job_fails_on_changes() -> None:
    flow = workflow("drift.yml")
    assert flow["on"]["schedule"][0]["cron"]
    assert "with" not in pulumi_action(flow)  # installs the CLI only
    run = next(str(step["run"]) for step in steps(flow) if "pulumi refresh" in step.get("run", ""))
    command = run.split()
    assert command[:4] == ["pulumi", "refresh", "--preview-only", "--expect-no-changes"]


@pytest.mark.parametrize("name", ["preview.yml", "up.yml", "drift.yml"])
def test_the_docs_show_the_recipes_as_they_are(name: str) -> None:
    docs = (REPO / "docs" / "pulumi.md").read_text(encoding="utf-8")
    assert (CI / name).read_text(encoding="utf-8") in docs


def test_the_example_stack_config_holds_no_secret() -> None:
    config = YAML(typ="safe").load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())["config"]
    assert set(config) == {"luxsci:apiHost"}
