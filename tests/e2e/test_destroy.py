"""``pulumi destroy`` under the real CLI: it takes the account back to what it was before
the first ``up``, except what the API cannot delete, which the output names; what destroys
data (users and their mail, marketing lists and their contacts, templates) is deleted only
with the opt-in naming its kind."""

from __future__ import annotations

from typing import Any

from tests.accounts import Account
from tests.e2e.project import PulumiProject

#: Only the dedicated server (which LuxSci provisions) exists before the first ``up``.
BEFORE = """
sandbox:
  dns: {bounce.news.example.com: bounces.luxsci.net}
  luxsci:
    servers: [{host: rs101, server_id: 197101, sending_rate: 500}]
"""

#: What the API cannot delete: it stays in the account, released from the stack.
CANNOT_DELETE = (
    "CustomField ann@example.com/first_name stays in the account",
    "CustomField ann@example.com/plan stays in the account",
    "BounceDomain bounce.news.example.com stays in the account",
    "ServerSendingRate rs101 stays in the account",
)


def objects(state: dict[str, Any]) -> dict[str, Any]:
    """The account's objects, without the sandbox's bookkeeping (sessions, id counters,
    the 24-hour create log) and without what the API cannot delete."""
    luxsci = {
        name: value
        for name, value in state["luxsci"].items()
        if isinstance(value, dict)
        and name not in ("sessions", "next_id", "created_log", "custom_fields", "servers")
    }
    liana = state["lianamailer"]
    return {
        "luxsci": luxsci,
        "lianamailer": {
            "sites": liana["sites"],
            "properties": liana["properties"],
            "consent_types": liana["consent_types"],
            "lists": [row for row in liana["lists"] if not row["deleted"]],
        },
    }


def test_destroy_restores_the_account_and_destroys_data_only_when_allowed(
    project: PulumiProject, account: Account
) -> None:
    account.seed(BEFORE)
    before = objects(account.state())
    project.init_stack("dev", rateLimit="0")
    text = project.stack_file.read_text(encoding="utf-8")
    # Every object is created by Pulumi here: Ann gets a password to be created with.
    ann = "    - user: ann@example.com\n      name: Ann Example\n"
    text = text.replace(ann, ann + "      password: {env: BOB_PASSWORD}\n")
    project.stack_file.write_text(text, encoding="utf-8")
    project.up()

    # The first refusals (the leaves: a list and a template) stop Pulumi before it reaches
    # the users, which stay too.
    refused = project.destroy(expect=None)
    assert refused.code != 0
    for refusal in (
        "MarketingList ann@example.com/Customers EU was not deleted: deleting it destroys its "
        "contacts; add lists to the stack config luxsci:allowDestructive",
        "EmailTemplate ann@example.com/Monthly newsletter was not deleted: deleting it "
        "destroys its content",
    ):
        assert refusal in refused.output
    live = account.state()
    assert set(live["luxsci"]["users"]) == {"ann@example.com", "bob@example.com"}
    assert live["luxsci"]["lists"] and live["luxsci"]["templates"]

    # The opt-in, and the protected domain unprotected, as Pulumi asks: both reach the
    # stack through an `up` (destroy uses the provider settings and protection recorded by
    # the last update).
    project.set_config(
        {
            "luxsci:allowDestructive": "users,templates,lists",
            "lianamailer:allowDestructive": "lists,properties",
        }
    )
    unprotected = text.replace(
        "    - domain: example.com\n      protected: true\n", "    - domain: example.com\n"
    )
    project.stack_file.write_text(unprotected, encoding="utf-8")
    project.up()
    done = project.destroy()
    for released in CANNOT_DELETE:  # named when each is reached, by one destroy or the other
        assert released in refused.output + done.output
    assert project.resources() == {}

    after = account.state()
    assert objects(after) == before
    assert set(after["luxsci"]["custom_fields"]) and set(after["luxsci"]["servers"]) == {"rs101"}
