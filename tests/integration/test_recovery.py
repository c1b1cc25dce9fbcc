"""Recovery needs no human: an apply stopped between the calls of a two-call create (a
LianaMailer consent type is created, then offered on its sites) is finished by the next
unattended apply, without ``--force``."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

SITES = ("join.example.com", "shop.example.com")
CONSENT_TYPES = ("Newsletter", "Offers", "Surveys", "Partners")


def stack_file(path: Path, *, offered: bool) -> Path:
    """Two sites, two properties, two lists and four consent types: ten objects, so that
    the four consent types are more than 30 % of them. ``offered``: the consent types
    name their sites."""
    sites = f", sites: [{', '.join(SITES)}]" if offered else ""
    consent_types = "".join(
        f"    - {{name: {name}, is_revokable: true{sites}}}\n" for name in CONSENT_TYPES
    )
    path.write_text(
        "lianamailer:\n"
        "  sites:\n"
        f"    - {{domain: {SITES[0]}, language: EN}}\n"
        f"    - {{domain: {SITES[1]}, language: EN}}\n"
        "  properties:\n"
        "    - {name: firstname, type: text}\n"
        "    - {name: plan, type: select, choices: [free, pro]}\n"
        "  lists:\n"
        f"    - {{name: News, site: {SITES[0]}}}\n"
        f"    - {{name: Deals, site: {SITES[1]}}}\n"
        "  consent_types:\n" + consent_types
    )
    return path


def test_a_rerun_finishes_consent_types_created_without_their_sites(  # type: ignore[no-untyped-def]
    run, tmp_path: Path
) -> None:
    # The state a kill -9 leaves between createConsentType and the updateSite calls, made
    # deterministically: the consent types exist, no site offers them.
    half_made = stack_file(tmp_path / "half-made.yaml", offered=False)
    assert run("apply", half_made, "--yes").exit_code == 0

    full = stack_file(tmp_path / "stack.yaml", offered=True)
    planned = run("plan", full)
    assert planned.exit_code == 2
    assert "Plan: 0 to create, 4 to update, 0 to replace, 0 to delete." in planned.output
    assert planned.output.count("(finishes an earlier create)") == 4

    applied = run("apply", full, "--yes")  # no --force
    assert applied.exit_code == 0, applied.output
    assert "Applied: 4 done, 0 failed, 0 skipped." in applied.output
    assert run("plan", full).exit_code == 0


def test_a_rerun_still_refuses_many_changes_that_undo_a_value(  # type: ignore[no-untyped-def]
    run, tmp_path: Path
) -> None:
    assert run("apply", stack_file(tmp_path / "stack.yaml", offered=True), "--yes").exit_code == 0
    only_join = stack_file(tmp_path / "join.yaml", offered=False)
    only_join.write_text(
        only_join.read_text().replace(
            "is_revokable: true}", f"is_revokable: true, sites: [{SITES[0]}]}}"
        )
    )
    applied = run("apply", only_join, "--yes")
    assert applied.exit_code == 1
    assert "changes 4 of 10 existing objects" in applied.output
    assert run("apply", only_join, "--yes", "--force").exit_code == 0
