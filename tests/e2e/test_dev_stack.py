"""The repository's project under the real Pulumi CLI: ``Pulumi.yaml`` + ``__main__.py`` +
``stacks/dev.yaml`` (LuxSci and LianaMailer in one stack), from the first ``preview`` to
``destroy``, with credentials only in stack config."""

from __future__ import annotations

import json

from mailform.services.luxsci.objects.alias import ALIASES
from tests.accounts import Account
from tests.e2e.project import PulumiProject, steps_by_op
from tests.e2e.recipes import DRIFT, PREVIEW, UP

#: What the account holds before the first ``up``: the dedicated server, which only LuxSci
#: can provision (Pulumi adopts it and sets its rate), and Ann, whom the stack file
#: declares without a password (so she must exist: Pulumi adopts her as she is); and the
#: bounce domain's CNAME, published in DNS (the sandbox's).
SERVER = """
luxsci:
  domains: [{domain: example.com}]
  users: [{user: ann@example.com, name: Ann Example}]
sandbox:
  dns: {bounce.news.example.com: bounces.luxsci.net}
  luxsci:
    servers: [{host: rs101, server_id: 197101}]
"""

#: Every object of stacks/dev.yaml, as "Type name" (the resource name is the natural key).
DEV_OBJECTS = {
    "Domain example.com",
    "Domain news.example.com",
    "Dkim example.com",
    "Dkim news.example.com",
    "BounceDomain bounce.news.example.com",
    "User ann@example.com",
    "User bob@example.com",
    "Alias sales@example.com",
    "Alias info@news.example.com",
    "ServerSendingRate rs101",
    "CustomField ann@example.com/first_name",
    "CustomField ann@example.com/plan",
    "TemplateGroup ann@example.com/Newsletters",
    "EmailTemplate ann@example.com/Monthly newsletter",
    "ContentTag ann@example.com/footer",
    "ListGroup ann@example.com/Customers",
    "MarketingList ann@example.com/Customers EU",
    "Site join.example.com",
    "Property firstname",
    "Property plan",
    "ConsentType Newsletter",
    "MailingList Newsletter EN",
    "MailingList Pro customers",
}


def test_preview_up_and_a_second_preview_with_no_changes(
    project: PulumiProject, account: Account
) -> None:
    account.seed(SERVER)
    project.init_stack("dev", rateLimit="0")

    shown = project.command(PREVIEW)
    for name in ("sales@example.com", "ann@example.com/Customers EU", "Newsletter EN"):
        assert name in shown.stdout
    assert steps_by_op(project.preview_json())["create"] == DEV_OBJECTS
    assert account.state()["luxsci"]["aliases"] == {}, "a preview changes nothing"

    project.up()
    live = account.state()
    assert set(live["luxsci"]["aliases"]) == {"sales@example.com", "info@news.example.com"}
    assert live["luxsci"]["servers"]["rs101"]["sending_rate"] == 2000
    lists = live["lianamailer"]["lists"]
    assert {row["name"] for row in lists if not row["deleted"]} == {
        "Newsletter EN",
        "Pro customers",
    }
    assert set(project.resources()) == {name.split(" ", 1)[1] for name in DEV_OBJECTS}

    project.preview(expect_no_changes=True)
    outputs = json.loads(project.pulumi("stack", "output", "--json").stdout)
    assert outputs["dkim"]["news.example.com"]["dns_value"].startswith("v=DKIM1")


def test_config_secrets_reach_the_provider_and_never_the_state(
    project: PulumiProject, account: Account
) -> None:
    account.seed(SERVER)
    project.init_stack("dev", rateLimit="0")
    config = (project.directory / "stacks" / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    project.up()

    exported = project.export()
    for secret in project.secrets():
        assert secret not in exported
        assert secret not in config
    bob = project.resources()["bob@example.com"]
    assert "password" not in bob["outputs"]
    assert bob["inputs"]["password"]["4dabf18193072939515e22adb298388d"]  # a secret value
    assert "ciphertext" in json.dumps(bob["inputs"]["password"])


def test_refresh_names_a_change_made_by_hand_and_up_restores_it(
    project: PulumiProject, account: Account
) -> None:
    account.seed(SERVER)
    project.init_stack("dev", rateLimit="0")
    project.up()

    ALIASES.api(account.session()).update("sales@example.com", {"dest": ["ann@example.com"]})
    drift = project.command(DRIFT, expect=None)
    assert drift.code != 0
    assert "sales@example.com" in drift.output and "dest" in drift.output

    project.command(UP)
    live = account.state()["luxsci"]["aliases"]["sales@example.com"]
    assert sorted(live["dest"]) == ["ann@example.com", "bob@example.com"]
    project.command(DRIFT)
