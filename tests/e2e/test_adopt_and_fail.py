"""Objects that already exist, and creates the API refuses, under the real Pulumi CLI.

Pulumi cannot import dynamic resources, so an object that exists already is adopted by
its natural key when it is as declared (never created twice), and refused, with each
difference, when it is not. A refused create fails ``pulumi up`` with the API's own message
and the place in the stack file that declares the object; once the cause is gone, the next
``up`` converges.
"""

from __future__ import annotations

from typing import Any

from mailform.services.luxsci.objects.alias import ALIASES
from tests.accounts import Account
from tests.e2e.project import PulumiProject
from tests.e2e.test_dev_stack import SERVER

EXISTING = """
luxsci:
  domains: [{domain: example.com}]
  users: [{user: ann@example.com, name: Ann Example}]
  aliases:
    - {alias: sales@example.com, dest: [ann@example.com, bob@example.com]}
lianamailer:
  sites: [{domain: join.example.com, language: EN, ssl: true}]
  lists:
    - name: Newsletter EN
      description: Monthly news in English
      self_service: true
      site: join.example.com
sandbox:
  dns: {bounce.news.example.com: bounces.luxsci.net}
  luxsci:
    servers: [{host: rs101, server_id: 197101}]
"""


def location(project: PulumiProject, line_text: str) -> str:
    """``stacks/dev.yaml:LINE:COL`` of the object declared by the line holding
    ``line_text`` (the column of its first field, after ``- ``)."""
    lines = project.stack_file.read_text(encoding="utf-8").splitlines()
    number, line = next((n, line) for n, line in enumerate(lines, 1) if line_text in line)
    column = line.index("- ") + 3
    return f"stacks/{project.stack_file.name}:{number}:{column}"


def live_lists(account: Account) -> list[dict[str, Any]]:
    return [row for row in account.state()["lianamailer"]["lists"] if not row["deleted"]]


def test_existing_objects_are_adopted_by_natural_key_never_duplicated(
    project: PulumiProject, account: Account
) -> None:
    account.seed(EXISTING)
    list_id = next(row["id"] for row in live_lists(account) if row["name"] == "Newsletter EN")
    project.init_stack("dev", rateLimit="0")

    project.up()
    live = account.state()
    assert set(live["luxsci"]["aliases"]) == {"sales@example.com", "info@news.example.com"}
    assert set(live["lianamailer"]["sites"]) == {"join.example.com"}
    names = [row["name"] for row in live_lists(account)]
    assert sorted(names) == ["Newsletter EN", "Pro customers"]
    assert next(r["id"] for r in live_lists(account) if r["name"] == "Newsletter EN") == list_id
    project.preview(expect_no_changes=True)


def test_an_existing_object_that_differs_is_refused_with_each_difference(
    project: PulumiProject, account: Account
) -> None:
    account.seed(SERVER)
    account.seed("luxsci:\n  aliases: [{alias: sales@example.com, dest: [ann@example.com]}]\n")
    project.init_stack("dev", rateLimit="0")

    failed = project.up(expect=None)
    assert failed.code != 0
    where = location(project, "alias: sales@example.com")
    assert f"{where}: Alias sales@example.com exists already and differs (dest:" in failed.output
    assert account.state()["luxsci"]["aliases"]["sales@example.com"]["dest"] == ["ann@example.com"]

    # Made as declared (here by hand), the next up adopts it and converges.
    ALIASES.api(account.session()).update(
        "sales@example.com", {"dest": ["ann@example.com", "bob@example.com"]}
    )
    project.up()
    project.preview(expect_no_changes=True)


def test_a_refused_create_fails_up_with_the_api_message_and_the_declaration(
    project: PulumiProject, account: Account
) -> None:
    # The stack's integration may add one alias in any 24 hours (another run spent the rest
    # of its budget, say): a refusal no preview can foresee.
    account.seed(
        SERVER + "    integrations:\n"
        "      - {token: tok-limited, secret: limited-s3cr3t, create_limits: {aliases: 1}}\n"
    )
    project.init_stack("dev", rateLimit="0")
    project.set_config(
        {"luxsci:apiToken": "tok-limited", "luxsci:apiSecret": "limited-s3cr3t"}, secret=True
    )

    failed = project.up(expect=None)
    assert failed.code != 0
    assert "Your API create limit for aliases has been reached" in failed.output
    declarations = [
        f"{location(project, f'alias: {address}')}: Alias {address}: luxsci: POST"
        for address in ("sales@example.com", "info@news.example.com")
    ]
    assert sum(declaration in failed.output for declaration in declarations) == 1
    assert len(account.state()["luxsci"]["aliases"]) == 1

    # With the budget of the account's main integration, the next up converges.
    credentials = account.app.credentials
    project.set_config(
        {"luxsci:apiToken": credentials.token, "luxsci:apiSecret": credentials.secret},
        secret=True,
    )
    project.up()
    assert len(account.state()["luxsci"]["aliases"]) == 2
    project.preview(expect_no_changes=True)
