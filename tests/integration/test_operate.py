"""Operating mailform as with Terraform or octoDNS: a saved plan applied exactly (and
refused when stale), ``--target``, and the stack file's ``ignore`` rules."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from mailform.services.luxsci.client import LuxSciClient
from mailform.services.luxsci.objects.alias import ALIASES
from mailform.services.luxsci.objects.rest import RestApi

pytestmark = pytest.mark.integration

STACK = """\
luxsci:
  domains: [{domain: example.com}]
  aliases:
    - {alias: sales@example.com, dest: [ann@example.org]}
    - {alias: info@example.com, dest: [ann@example.org]}
"""


def write(tmp_path: Path, text: str, name: str = "stack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def aliases(control: httpx.Client) -> dict[str, object]:
    return control.get("/state").json()["luxsci"]["aliases"]


# -- saved plans ------------------------------------------------------------------------


def test_a_saved_plan_is_applied_exactly(run, control, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = write(tmp_path, STACK)
    saved = tmp_path / "plan.json"
    planned = run("plan", stack, "--format", "json", "-o", saved)
    assert planned.exit_code == 2, planned.output
    document = json.loads(saved.read_text())
    assert document["summary"]["create"] == 3
    assert document["saved"]["stack"]["path"] == str(stack)
    assert document["checksum"] == json.loads(planned.stdout)["checksum"]

    applied = run("apply", saved, "--yes")
    assert applied.exit_code == 0, applied.output
    assert set(aliases(control)) == {"sales@example.com", "info@example.com"}
    assert run("plan", stack).exit_code == 0
    # Applied once, the plan is stale: the objects it creates exist now.
    again = run("apply", saved, "--yes")
    assert again.exit_code == 1
    assert "luxsci.aliases[sales@example.com]: no longer changed by the plan" in again.output


def test_a_saved_plan_is_refused_when_the_stack_file_changed(run, control, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = write(tmp_path, STACK)
    saved = tmp_path / "plan.json"
    assert run("plan", stack, "-o", saved).exit_code == 2
    stack.write_text(STACK.replace("info@", "help@"), encoding="utf-8")
    refused = run("apply", saved, "--yes")
    assert refused.exit_code == 1
    assert f"the stack file {stack} changed since the plan was saved" in refused.output
    assert aliases(control) == {}


def test_a_saved_plan_is_refused_when_a_live_object_it_changes_moved(  # type: ignore[no-untyped-def]
    run, control, client: LuxSciClient, tmp_path: Path
) -> None:
    control.post(
        "/seed",
        content="luxsci:\n  domains: [{domain: example.com}]\n"
        "  aliases: [{alias: sales@example.com, dest: [bob@example.org]}]\n",
    ).raise_for_status()
    stack = write(tmp_path, STACK)
    saved = tmp_path / "plan.json"
    assert run("plan", stack, "-o", saved).exit_code == 2
    RestApi(client, ALIASES.endpoint).update("sales@example.com", {"dest": ["eve@example.org"]})
    refused = run("apply", saved, "--yes")
    assert refused.exit_code == 1
    assert (
        "luxsci.aliases[sales@example.com]: changed in the account since the plan was saved"
        in refused.output
    )
    assert set(aliases(control)) == {"sales@example.com"}


def test_a_saved_plan_keeps_its_targets(run, control, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = write(tmp_path, STACK)
    saved = tmp_path / "plan.json"
    target = "luxsci.aliases[sales@example.com]"
    assert run("plan", stack, "--target", target, "-o", saved).exit_code == 2
    mixed = run("apply", saved, "--yes", "--target", target)
    assert mixed.exit_code == 1
    assert "a saved plan applies the targets" in mixed.output
    assert run("apply", saved, "--yes").exit_code == 0
    assert set(aliases(control)) == {"sales@example.com"}


# -- targets ----------------------------------------------------------------------------


def test_a_target_limits_the_plan_to_it_and_what_it_needs(run, control, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = write(tmp_path, STACK)
    planned = run(
        "plan", stack, "--format", "json", "--target", "luxsci.aliases[SALES@example.com]"
    )
    assert planned.exit_code == 2, planned.output
    ids = [change["id"] for change in json.loads(planned.stdout)["changes"]]
    assert ids == ["luxsci.domains[example.com]", "luxsci.aliases[sales@example.com]"]

    wildcard = run("plan", stack, "--format", "json", "--target", "luxsci.aliases[*]")
    assert len(json.loads(wildcard.stdout)["changes"]) == 3

    applied = run("apply", stack, "--yes", "--target", "luxsci.domains")
    assert applied.exit_code == 0, applied.output
    assert aliases(control) == {}
    assert run("plan", stack).exit_code == 2  # the aliases are still to create


def test_a_target_naming_no_object_type_is_a_usage_error(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = write(tmp_path, STACK)
    result = run("plan", stack, "--target", "luxsci.alias[sales@example.com]")
    assert result.exit_code == 1
    assert "names no object type; allowed types: " in result.output


# -- ignore rules ------------------------------------------------------------------------


IGNORING = (
    STACK
    + """\
mailform:
  prune: [luxsci.aliases]
  ignore: ["luxsci.aliases[test-*@example.com]"]
"""
)


def test_ignored_live_objects_are_neither_drift_nor_pruned(run, control, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = write(tmp_path, IGNORING)
    assert run("apply", stack, "--yes").exit_code == 0
    control.post(
        "/seed",
        content="luxsci:\n  aliases: [{alias: test-1@example.com, dest: [qa@example.org]},"
        " {alias: old@example.com, dest: [qa@example.org]}]\n",
    ).raise_for_status()
    planned = run("plan", stack, "--format", "json")
    changes = json.loads(planned.stdout)["changes"]
    assert [(c["action"], c["id"]) for c in changes] == [
        ("delete", "luxsci.aliases[old@example.com]")
    ]
    assert run("apply", stack, "--yes").exit_code == 0
    assert set(aliases(control)) == {"sales@example.com", "info@example.com", "test-1@example.com"}
    assert run("drift", stack).exit_code == 0


def test_an_ignore_rule_cannot_name_a_declared_object(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = write(tmp_path, STACK + 'mailform:\n  ignore: ["luxsci.aliases[sales@*]", "x.y"]\n')
    result = run("validate", stack)
    assert result.exit_code == 1
    assert "is declared, and mailform.ignore names it (luxsci.aliases[sales@*])" in result.output
    assert "'x.y' names no object type" in result.output


# -- editor support ----------------------------------------------------------------------


def test_export_names_the_schema_that_schema_write_writes(run, control, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    control.post("/seed", content=STACK).raise_for_status()
    exported = tmp_path / "prod.yaml"
    assert run("export", "--service", "luxsci", "-o", exported).exit_code == 0
    first = exported.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=mailform.schema.json"
    assert run("schema", "--write", tmp_path / "mailform.schema.json").exit_code == 0
    schema = json.loads((tmp_path / "mailform.schema.json").read_text())
    assert schema["title"] == "mailform stack file"
    assert run("validate", exported).exit_code == 0
    bare = tmp_path / "bare.yaml"
    assert run("export", "--service", "luxsci", "-o", bare, "--schema", "").exit_code == 0
    assert "yaml-language-server" not in bare.read_text()


# -- what the CLI says while it works ----------------------------------------------------


def test_progress_lines_when_piped_and_none_when_quiet(run, control, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = write(tmp_path, STACK)
    planned = run("plan", stack)
    assert "read luxsci.aliases: 0" in planned.stderr
    applied = run("apply", stack, "--yes")
    assert "done: create luxsci.aliases[sales@example.com]" in applied.stderr
    quiet = run("-q", "plan", stack)
    assert quiet.stderr == "" and "Plan: no changes." in quiet.stdout


def test_the_log_file_traces_requests_without_secrets(run, env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = write(tmp_path, STACK)
    log = tmp_path / "mailform.log"
    assert run("--log-file", log, "apply", stack, "--yes").exit_code == 0
    text = log.read_text()
    assert "POST" in text and "-> 200" in text and " ms " in text
    for name in ("LUXSCI_API_SECRET", "LUXSCI_API_TOKEN", "LIANAMAILER_API_SECRET"):
        assert env[name] not in text


def test_drift_with_only_unmanaged_objects_says_so(run, control, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = write(tmp_path, STACK)
    assert run("apply", stack, "--yes").exit_code == 0
    control.post(
        "/seed", content="luxsci:\n  aliases: [{alias: old@example.com, dest: [x@example.org]}]\n"
    ).raise_for_status()
    drift = run("drift", stack)
    assert drift.exit_code == 2
    assert "Drift: no changes." not in drift.output
    assert "Drift: no changes to the declared objects; 1 live object(s) are not declared" in (
        drift.output
    )
