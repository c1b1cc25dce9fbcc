"""The plan tells the truth: what the API would refuse is refused by ``plan`` (exit 1, the
rule and the stack-file line) and by ``apply`` before anything is sent, on an account the
sandbox holds in the state that breaks the rule."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stack.yaml"
    path.write_text(text, encoding="utf-8")
    return path


#: The collections of the sandbox's state that hold account objects.
OBJECTS = {
    "luxsci": (
        *("domains", "dkim", "aliases", "users", "servers"),
        *("template_groups", "templates", "content_tags", "custom_fields", "list_groups", "lists"),
    ),
    "lianamailer": ("sites", "properties", "lists", "consent_types"),
}


def writes(control: httpx.Client) -> dict[str, object]:
    """The account's objects as the sandbox holds them (to show that nothing was written)."""
    state = control.get("/state").json()
    return {
        f"{service}.{name}": state[service].get(name)
        for service, names in OBJECTS.items()
        for name in names
    }


def refused(run, path: Path, control: httpx.Client, *texts: str) -> None:  # type: ignore[no-untyped-def]
    """``plan`` and ``apply`` both refuse ``path``, naming each of ``texts``; the account
    is unchanged."""
    before = writes(control)
    planned = run("plan", path)
    assert planned.exit_code == 1, planned.output
    applied = run("apply", path, "--yes")
    assert applied.exit_code == 1, applied.output
    for text in texts:
        assert text in planned.output and text in applied.output
    assert writes(control) == before


def test_a_domain_in_use_is_not_deleted(run, control, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    control.post(
        "/seed",
        content="luxsci:\n  domains: [{domain: old.example.com}]\n"
        "  users: [{user: ann@old.example.com, password: Ann-Passw0rd-1}]\n",
    ).raise_for_status()
    path = write(tmp_path, "luxsci:\n  domains: []\nmailform:\n  prune: [luxsci.domains]\n")
    refused(
        run,
        path,
        control,
        "luxsci.domains[old.example.com]: cannot be deleted: the API refuses while it is in use",
        "luxsci.users[ann@old.example.com]",
    )


def test_a_user_that_does_not_exist_needs_a_password(run, control, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    control.post(
        "/seed", content="luxsci:\n  domains: [{domain: example.com}]\n"
    ).raise_for_status()
    path = write(
        tmp_path,
        "luxsci:\n  domains: [{domain: example.com}]\n"
        "  users:\n    - {user: ann@example.com, name: Ann}\n",
    )
    refused(
        run,
        path,
        control,
        "stack.yaml:4:7: luxsci.users[ann@example.com]: does not exist, and creating it needs "
        "password, not declared",
    )


def test_a_secret_that_is_not_set_is_found_before_anything_is_applied(  # type: ignore[no-untyped-def]
    run, control, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CAROL_PASSWORD", raising=False)
    path = write(
        tmp_path,
        "luxsci:\n  domains: [{domain: example.com}]\n  users:\n"
        "    - {user: carol@example.com, password: {env: CAROL_PASSWORD}}\n",
    )
    refused(
        run,
        path,
        control,
        "password: the environment variable CAROL_PASSWORD is not set; it is needed to create it",
    )


def test_an_address_is_a_user_or_an_alias_in_the_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        "luxsci:\n  domains: [{domain: example.com}]\n"
        "  users:\n    - {user: sales@example.com, password: {env: BOB_PASSWORD}}\n"
        "  aliases:\n    - {alias: Sales@example.com, dest: [ann@example.com]}\n",
    )
    result = run("validate", path)
    assert result.exit_code == 1
    assert (
        "stack.yaml:6:8: luxsci.aliases[0].alias: sales@example.com is declared as a User too "
        "(line 4); Alias and User objects share one namespace" in result.output
    )


def test_an_address_taken_in_the_account_is_refused_unless_the_plan_frees_it(  # type: ignore[no-untyped-def]
    run, control, tmp_path: Path
) -> None:
    control.post(
        "/seed",
        content="luxsci:\n  domains: [{domain: example.com}]\n"
        "  users: [{user: ann@example.com}, {user: sales@example.com}]\n",
    ).raise_for_status()
    declared = (
        "luxsci:\n  domains: [{domain: example.com}]\n  users: [{user: ann@example.com}]\n"
        "  aliases:\n    - {alias: sales@example.com, dest: [ann@example.com]}\n"
    )
    refused(
        run,
        write(tmp_path, declared),
        control,
        "stack.yaml:5:7: luxsci.aliases[sales@example.com]: cannot be created: "
        "sales@example.com exists in the account as a User (luxsci.users[sales@example.com])",
    )
    # Pruning users frees the address: the user is deleted first, then the alias created.
    path = write(tmp_path, declared + "mailform:\n  prune: [luxsci.users]\n")
    applied = run("apply", path, "--yes", "--allow-delete-users")
    assert applied.exit_code == 0, applied.output
    state = control.get("/state").json()["luxsci"]
    assert "sales@example.com" not in state["users"]
    assert "sales@example.com" in state["aliases"]


def test_creates_beyond_the_integrations_24_hour_budget_are_refused_as_a_whole(  # type: ignore[no-untyped-def]
    run, control, limited_integration, tmp_path: Path
) -> None:
    limited_integration(aliases=2)  # what the integration's configuration page says
    control.post(
        "/seed", content="luxsci:\n  domains: [{domain: example.com}]\n"
    ).raise_for_status()
    aliases = "".join(
        f"    - {{alias: a{n}@example.com, dest: [x@example.net]}}\n" for n in range(3)
    )
    declared = "luxsci:\n  domains: [{domain: example.com}]\n  aliases:\n" + aliases
    path = write(tmp_path, declared + "mailform:\n  create_limits: {luxsci.aliases: 2}\n")
    refused(
        run,
        path,
        control,
        "the plan creates 3 aliases, 0 were added in the past 24 hours, and the API adds at "
        "most 2 in any 24 hours",
    )
    # Two today (declared as such), the third tomorrow: each plan applies in full.
    two = write(tmp_path, declared.replace(aliases.splitlines()[-1] + "\n", ""))
    assert run("apply", two, "--yes").exit_code == 0


def test_a_domain_holds_100_aliases_plus_10_per_user(run, control, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    aliases = "".join(
        f"    - {{alias: a{n}@example.com, dest: [x@example.net]}}\n" for n in range(101)
    )
    path = write(tmp_path, "luxsci:\n  domains: [{domain: example.com}]\n  aliases:\n" + aliases)
    refused(
        run,
        path,
        control,
        "luxsci.domains[example.com]: would hold 101 aliases after the plan, and a domain "
        "holds at most 100 (100 plus 10 per user, 0 users)",
    )
    with_user = (
        path.read_text()
        + "  users:\n    - {user: ann@example.com, password: {env: BOB_PASSWORD}}\n"
    )
    path.write_text(with_user)
    applied = run("apply", path, "--yes")
    assert applied.exit_code == 0, applied.output
    assert len(control.get("/state").json()["luxsci"]["aliases"]) == 101


def test_a_user_disabled_and_rotated_in_one_run_gets_its_password_first(  # type: ignore[no-untyped-def]
    run, control, tmp_path: Path
) -> None:
    control.post(
        "/seed",
        content="luxsci:\n  domains: [{domain: example.com}]\n"
        "  users: [{user: ann@example.com, password: Old-Passw0rd-1}]\n",
    ).raise_for_status()
    before = control.get("/state").json()["luxsci"]["users"]["ann@example.com"]["_password"]
    path = write(
        tmp_path,
        "luxsci:\n  domains: [{domain: example.com}]\n  users:\n"
        "    - {user: ann@example.com, status: disabled, password: {env: BOB_PASSWORD}}\n",
    )
    applied = run("apply", path, "--yes", "--rotate-password", "ann@example.com")
    assert applied.exit_code == 0, applied.output
    ann = control.get("/state").json()["luxsci"]["users"]["ann@example.com"]
    assert ann["status"] == "disabled"
    assert ann["_password"] != before, "the rotation was not lost"

    # Rotating the password of a user that stays disabled is refused at plan time.
    rotate = run("plan", path, "--rotate-password", "ann@example.com")
    assert rotate.exit_code == 1
    assert "the password of a disabled user cannot be changed" in rotate.output


def test_a_code_word_taken_by_a_kept_template_is_refused(  # type: ignore[no-untyped-def]
    run, control, tmp_path: Path
) -> None:
    control.post(
        "/seed",
        content="luxsci:\n  domains: [{domain: example.com}]\n"
        "  users: [{user: ann@example.com}]\n  templates:\n"
        "    - {owner: ann@example.com, name: Monthly, code_word: monthly, subject: Hi}\n",
    ).raise_for_status()
    renamed = (
        "luxsci:\n  domains: [{domain: example.com}]\n  users: [{user: ann@example.com}]\n"
        "  templates:\n"
        "    - {owner: ann@example.com, name: Monthly news, code_word: monthly, subject: Hi}\n"
    )
    refused(
        run,
        write(tmp_path, renamed),
        control,
        "luxsci.templates[ann@example.com/Monthly news]: code_word 'monthly' is taken by "
        "luxsci.templates[ann@example.com/Monthly]",
    )
    # Deleting the old template in the same plan frees the code word: delete, then create.
    path = write(tmp_path, renamed + "mailform:\n  prune: [luxsci.templates]\n")
    unallowed = run("apply", path, "--yes")
    assert unallowed.exit_code == 1
    assert "pass --allow-destructive luxsci.templates to apply it" in unallowed.output
    assert run("apply", path, "--yes", "--allow-destructive", "luxsci.templates").exit_code == 0
    assert run("plan", path).exit_code == 0


def test_two_templates_of_one_owner_cannot_share_a_code_word(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(
        tmp_path,
        "luxsci:\n  domains: [{domain: example.com}]\n  users: [{user: ann@example.com}]\n"
        "  templates:\n"
        "    - {owner: ann@example.com, name: A, code_word: monthly}\n"
        "    - {owner: ann@example.com, name: B, code_word: monthly}\n",
    )
    result = run("validate", path)
    assert result.exit_code == 1
    assert "'monthly' is also the code_word of EmailTemplate ann@example.com / A (line 5)" in (
        result.output
    )


def test_a_bounce_domain_needs_its_cname_published(  # type: ignore[no-untyped-def]
    run, control, tmp_path: Path
) -> None:
    control.post(
        "/seed",
        content="luxsci:\n  domains: [{domain: news.example.com}]\n"
        "  dkim: [{domain: news.example.com}]\n",
    ).raise_for_status()
    path = write(
        tmp_path,
        "luxsci:\n  domains: [{domain: news.example.com}]\n  dkim: [{domain: news.example.com}]\n"
        "  bounce_domains:\n"
        "    - {bounce_domain: bounce.news.example.com, from_domain: news.example.com}\n",
    )
    refused(
        run,
        path,
        control,
        "luxsci.bounce_domains[bounce.news.example.com]: has no CNAME record, and LuxSci "
        "creates a bounce domain only once it has: publish `bounce.news.example.com. CNAME",
    )
    # Once the owner publishes the record (here, in the sandbox's DNS), the plan passes.
    control.post(
        "/seed", content="sandbox:\n  dns:\n    bounce.news.example.com: bounces.luxsci.net\n"
    ).raise_for_status()
    assert run("apply", path, "--yes").exit_code == 0


#: The access controls a plan and a settings change need; not "User Settings - Change
#: Password".
EVERY_ACCESS_CONTROL_BUT_PASSWORDS = [
    "Account: Domains - Manage",
    "Account: Email Aliases - Manage",
    "Account: Users - Add",
    "User Settings: Read Access",
    "Account: Users - Modify",
    "Account: Users - Enable/Disable/Delete",
    "Account: Servers - Report",
    "User Settings - Read",
    "User Email: Templates",
    "User Email: Custom Fields",
    "Marketing - List Management",
    "Marketing - Reports",
]


def test_a_password_lost_after_the_other_changes_is_reported_with_the_rerun(  # type: ignore[no-untyped-def]
    run, control, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The settings change goes through, the password change is refused (this integration
    may not change passwords): the report says the rotation must be run again, since no
    later plan can see a write-only value."""
    control.post(
        "/seed",
        content="luxsci:\n  domains: [{domain: example.com}]\n"
        "  users: [{user: ann@example.com, name: Ann, password: Old-Passw0rd-1}]\n"
        "sandbox:\n  luxsci:\n    integrations:\n"
        "      - token: tok-no-passwords\n        secret: no-passwords-s3cr3t\n"
        f"        acl: {EVERY_ACCESS_CONTROL_BUT_PASSWORDS}\n",
    ).raise_for_status()
    monkeypatch.setenv("LUXSCI_API_TOKEN", "tok-no-passwords")
    monkeypatch.setenv("LUXSCI_API_SECRET", "no-passwords-s3cr3t")
    path = write(
        tmp_path,
        "luxsci:\n  domains: [{domain: example.com}]\n  users:\n"
        "    - {user: ann@example.com, name: Ann Example, password: {env: BOB_PASSWORD}}\n",
    )
    applied = run("apply", path, "--yes", "--rotate-password", "ann@example.com")
    assert applied.exit_code == 1, applied.output
    assert "the other changes were made, but the password was not set" in applied.output
    assert "run apply again with --rotate-password ann@example.com" in applied.output
    ann = control.get("/state").json()["luxsci"]["users"]["ann@example.com"]
    assert ann["name"] == "Ann Example"


def test_only_a_regular_alias_is_managed(run, control, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    control.post(
        "/seed",
        content="luxsci:\n  domains: [{domain: example.com}]\n"
        "  aliases: [{alias: all@example.com, type: catchall, dest: [ann@example.org]}]\n",
    ).raise_for_status()
    path = write(
        tmp_path,
        "luxsci:\n  domains: [{domain: example.com}]\n"
        "  aliases: [{alias: all@example.com, dest: [bob@example.org]}]\n",
    )
    refused(
        run,
        path,
        control,
        "luxsci.aliases[all@example.com]: exists, but is of a kind the API cannot manage",
    )


def test_a_site_used_by_lists_is_not_deleted(run, control, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    control.post(
        "/seed",
        content="lianamailer:\n  sites: [{domain: join.example.com}]\n"
        "  lists: [{name: Newsletter, site: join.example.com}]\n",
    ).raise_for_status()
    path = write(tmp_path, "lianamailer:\n  sites: []\nmailform:\n  prune: [lianamailer.sites]\n")
    refused(run, path, control, "lianamailer.sites[join.example.com]", "Newsletter")
