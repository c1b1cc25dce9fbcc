"""Every verb against the sandbox over HTTP, as a user runs them: exit codes, convergence,
a partial failure and its re-run, and the export round trip."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).parents[2] / "examples"
DESIRED = EXAMPLES / "accounts.yaml"


@pytest.fixture
def seeded(control: httpx.Client) -> None:
    control.post(
        "/seed", content=(EXAMPLES / "existing-account.yaml").read_text()
    ).raise_for_status()


def test_plan_apply_plan_drift_converge(run, seeded) -> None:  # type: ignore[no-untyped-def]
    planned = run("plan", DESIRED)
    assert planned.exit_code == 2
    assert "Plan: 13 to create, 3 to update, 0 to replace, 0 to delete." in planned.output
    applied = run("apply", DESIRED, "--yes")
    assert applied.exit_code == 0, applied.output
    assert "Applied: 16 done, 0 failed, 0 skipped." in applied.output
    assert run("plan", DESIRED).exit_code == 0
    drift = run("drift", DESIRED)
    assert drift.exit_code == 2
    assert "luxsci.aliases: legacy@example.com" in drift.output
    assert "lianamailer.lists: Spring promo 2025" in drift.output
    assert run("drift", DESIRED, "--ignore-unmanaged").exit_code == 0


def test_drift_after_a_change_by_hand(run, seeded, env, client) -> None:  # type: ignore[no-untyped-def]
    assert run("apply", DESIRED, "--yes").exit_code == 0
    from mailform.services.luxsci.objects.alias import ALIASES
    from mailform.services.luxsci.objects.rest import RestApi

    RestApi(client, ALIASES.endpoint).update("sales@example.com", {"dest": ["ann@example.com"]})
    drift = run("drift", DESIRED, "--ignore-unmanaged", "--format", "json")
    assert drift.exit_code == 2
    assert '"id": "luxsci.aliases[sales@example.com]"' in drift.output


def test_export_then_plan_shows_no_changes(run, seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    exported = tmp_path / "exported.yaml"
    assert run("export", "-o", exported).exit_code == 0
    text = exported.read_text()
    assert "legacy@example.com" in text and "password:" not in text
    result = run("plan", exported)
    assert result.exit_code == 0, result.output
    assert "no changes" in result.output
    edited = text.replace("name: Ann Example", "name: Ann E. Example")
    exported.write_text(edited.replace("- alias: sales@example.com", "- alias: deals@example.com"))
    planned = run("plan", exported)
    assert planned.exit_code == 2
    assert "1 to create, 1 to update" in planned.output
    assert run("apply", exported, "--yes").exit_code == 0
    assert run("plan", exported).exit_code == 0


def test_a_partial_failure_reports_and_a_rerun_converges(  # type: ignore[no-untyped-def]
    run, seeded, env, limited_integration, monkeypatch, tmp_path: Path
) -> None:
    limited_integration(aliases=1)  # the second alias create is refused
    stack = tmp_path / "stack.yaml"
    stack.write_text(
        "luxsci:\n"
        "  domains:\n    - domain: example.com\n    - domain: shop.example.com\n"
        "  aliases:\n"
        "    - {alias: team@example.com, dest: [x@example.com]}\n"
        "    - {alias: orders@shop.example.com, dest: [ann@example.com]}\n"
    )
    failed = run("apply", stack, "--yes")
    assert failed.exit_code == 1
    assert "Applied: 2 done, 1 failed, 0 skipped." in failed.output
    assert "Your API create limit for aliases has been reached" in failed.output
    # With the budget of the account's main integration, the re-run does what is left.
    monkeypatch.setenv("LUXSCI_API_TOKEN", env["LUXSCI_API_TOKEN"])
    monkeypatch.setenv("LUXSCI_API_SECRET", env["LUXSCI_API_SECRET"])
    assert run("apply", stack, "--yes").exit_code == 0
    assert run("plan", stack).exit_code == 0


def test_a_failed_parent_skips_its_children(  # type: ignore[no-untyped-def]
    run, seeded, limited_integration, tmp_path: Path
) -> None:
    limited_integration(users=1)  # carl is created first (one at a time), sales is refused
    stack = tmp_path / "stack.yaml"
    stack.write_text(
        "luxsci:\n"
        "  domains:\n    - domain: example.com\n"
        "  users:\n"
        "    - {user: sales2@example.com, name: Sales, password: {env: BOB_PASSWORD}}\n"
        "    - {user: carl@example.com, name: Carl, password: {env: BOB_PASSWORD}}\n"
        "  template_groups:\n"
        "    - {owner: sales2@example.com, name: Offers}\n"
        "    - {owner: carl@example.com, name: Offers}\n"
    )
    result = run("apply", stack, "--yes", "--workers", "1")
    assert result.exit_code == 1
    assert "failed create luxsci.users[sales2@example.com]" in result.output
    assert (
        "skipped create luxsci.template_groups[sales2@example.com/Offers]: needs "
        "luxsci.users[sales2@example.com], which failed" in result.output
    )
    assert "Applied: 2 done, 1 failed, 1 skipped." in result.output


def test_apply_checks_the_reviewed_checksum_and_needs_yes_off_a_terminal(run, seeded) -> None:  # type: ignore[no-untyped-def]
    assert run("apply", DESIRED, "--checksum", "0" * 64).exit_code == 1
    result = run("apply", DESIRED)
    assert result.exit_code == 1
    assert "pass --yes" in result.output
    import json

    reviewed = json.loads(run("plan", DESIRED, "--format", "json").stdout)["checksum"]
    applied = run("apply", DESIRED, "--yes", "--checksum", reviewed.upper())  # any case
    assert applied.exit_code == 0, applied.output


def test_validate_reports_every_problem_without_network(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "luxsci:\n  aliases:\n    - {alias: a@example.com, action: forward}\n"
        "    - {alias: b@example.com}\n"
    )
    result = run("validate", bad)
    assert result.exit_code == 1
    assert "bad.yaml: 2 problem(s)" in result.output
    assert "bad.yaml:3:30: luxsci.aliases[0].action: not an allowed value" in result.output
    assert "luxsci.aliases[1].alias: refers to Domain 'example.com'" in result.output
    assert run("validate", DESIRED).exit_code == 0


def test_schema_is_json_schema(run) -> None:  # type: ignore[no-untyped-def]
    import json

    schema = json.loads(run("schema").output)
    assert "aliases" in schema["properties"]["luxsci"]["properties"]
    assert "consent_types" in schema["properties"]["lianamailer"]["properties"]


def test_lianamailer_export_edit_apply_round_trip(run, seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    exported = tmp_path / "liana.yaml"
    assert run("export", "--service", "lianamailer", "-o", exported).exit_code == 0
    text = exported.read_text()
    assert "luxsci:" not in text and "Spring promo 2025" in text
    assert run("plan", exported).exit_code == 0
    exported.write_text(
        text.replace("description: One-off campaign", "description: Spring 2025 campaign")
    )
    planned = run("plan", exported, "--format", "json")
    assert planned.exit_code == 2
    assert '"id": "lianamailer.lists[Spring promo 2025]"' in planned.output
    assert run("apply", exported, "--yes").exit_code == 0
    assert run("plan", exported).exit_code == 0


def test_lianamailer_problems_name_the_line_and_what_is_allowed(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "lianamailer:\n"
        "  properties:\n"
        "    - {name: email}\n"
        "    - {name: size, type: dropdown}\n"
        "  lists:\n"
        "    - {name: News, site: join.example.com}\n"
    )
    result = run("validate", bad)
    assert result.exit_code == 1
    assert "bad.yaml: 3 problem(s)" in result.output
    assert "bad.yaml:3:" in result.output and "reserves" in result.output
    assert "bad.yaml:4:" in result.output and "checkbox" in result.output
    assert "lianamailer.lists[0].site: refers to Site 'join.example.com'" in result.output


def test_lianamailer_rename_keeps_the_list(run, seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = tmp_path / "stack.yaml"
    stack.write_text(
        "lianamailer:\n"
        "  sites: [{domain: join.example.com}]\n"
        "  lists:\n"
        "    - {name: Newsletter, renamed_from: Newsletter EN, site: join.example.com}\n"
    )
    planned = run("plan", stack)
    assert planned.exit_code == 2
    assert "name: Newsletter EN → Newsletter" in planned.output
    assert "0 to create, 1 to update" in planned.output
    assert run("apply", stack, "--yes").exit_code == 0
    drift = run("drift", stack)
    assert "lianamailer.lists: Newsletter EN" not in drift.output
    assert run("plan", stack).exit_code == 0


def test_export_says_what_it_leaves_out(run, seeded, env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from mailform.services.lianamailer.service import LIANAMAILER

    session = LIANAMAILER.connect(environ=env, rate_limit=0)
    duplicate = session.client.call("createMailingList", "Spring promo 2025", "made by hand")
    session.close()
    exported = tmp_path / "liana.yaml"
    result = run("export", "--service", "lianamailer", "-o", exported)
    assert result.exit_code == 0
    named = f"lianamailer.lists[Spring promo 2025] #{duplicate}, a duplicate of #"
    assert (
        f"not exported, a duplicate of a managed object's name, which no stack file can "
        f"declare: {named}" in result.output
    )
    text = exported.read_text()
    assert f"\n#   {named}" in text  # the file says so too
    assert text.count("name: Spring promo 2025") == 1
    assert run("plan", exported).exit_code == 0


def test_export_of_every_service_means_every_service_with_credentials(
    run,  # type: ignore[no-untyped-def]
    seeded,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("LIANAMAILER_REALM", "LIANAMAILER_USER_ID", "LIANAMAILER_API_SECRET"):
        monkeypatch.delenv(name)
    exported = tmp_path / "luxsci-only.yaml"
    assert run("export", "-o", exported).exit_code == 0
    text = exported.read_text()
    assert "luxsci:" in text and "lianamailer:" not in text
    named = run("export", "--service", "lianamailer")
    assert named.exit_code == 1
    assert "set LIANAMAILER_REALM" in named.output


def test_both_services_converge_in_one_apply_through_faults(
    run,  # type: ignore[no-untyped-def]
    seeded,
    control: httpx.Client,
) -> None:
    # 15 % of answers are 503s and 20 % of changes are committed but answered with a dropped
    # connection: retries, look-ups after ambiguous creates and idempotent sets absorb them.
    faults = {"error_rate": 0.15, "drop_rate": 0.2, "seed": 3}
    control.put("/faults", json=faults).raise_for_status()
    applied = run("apply", DESIRED, "--yes")
    assert "Applied: 16 done, 0 failed, 0 skipped." in applied.output, applied.output
    control.put("/faults", json={}).raise_for_status()
    assert run("plan", DESIRED).exit_code == 0
    state = control.get("/state").json()["lianamailer"]
    names = sorted(entry["name"] for entry in state["lists"] if not entry["deleted"])
    assert names == ["Newsletter EN", "Pro customers", "Spring promo 2025"]  # no duplicate
    assert len(state["consent_types"]) == 1
