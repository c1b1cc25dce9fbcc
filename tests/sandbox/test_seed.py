"""Seeding from a stack file: an account that already exists, plus sandbox-only facts."""

from __future__ import annotations

import httpx
import pytest

from mailform.sandbox.seed import SeedError
from mailform.sandbox.server import SandboxApp
from tests.sandbox.caller import Caller, failure
from tests.sandbox.test_domains import limits

STACK = """\
mailform:
  prune: [luxsci.aliases]
luxsci:
  domains:
    - domain: example.com
      settings: {spam_filter: high}
      protected: true
  dkim:
    - domain: example.com
  bounce_domains:
    - bounce_domain: bounce.example.com
      from_domain: example.com
  aliases:
    - alias: sales@example.com
      dest: [alice@example.com, bob@example.com]
      action: email
      status: enabled
  users:
    - user: alice@example.com
      name: Alice Example
      status: enabled
      password: {env: ALICE_PASSWORD}
      password_version: 1
  servers:
    - host: rs999
      rate: 1000
      auto_warmup: false
  custom_fields:
    - owner: marketing@example.com
      code_word: first_name
      name: First name
      type: text
  template_groups:
    - {owner: marketing@example.com, name: Newsletters}
  templates:
    - owner: marketing@example.com
      name: Monthly newsletter
      code_word: monthly
      group: Newsletters
      subject: News
      body_html: <p>Hello</p>
  content_tags:
    - {owner: marketing@example.com, code_word: footer, name: Footer, content: "..."}
  list_groups:
    - {owner: marketing@example.com, name: Customers}
  lists:
    - owner: marketing@example.com
      name: Customers EU
      group: Customers
      from_email: news@example.com
      custom_fields: [first_name]
sandbox:
  luxsci:
    admins: [alice@example.com]
    servers: [{host: rs999, server_id: 197890}]
"""


def test_seed_the_stack_file_example(app: SandboxApp, luxsci: Caller) -> None:
    counts = app.seed(STACK, source="stacks/prod.yaml")
    assert counts["luxsci.domains"] == 1 and counts["luxsci.lists"] == 1
    acct, owner = luxsci.acct, "/user/marketing@example.com"
    domain = luxsci.data(luxsci.get(f"{acct}/domains/example.com"))
    assert domain["settings"] == {"spam_filter": "high"}
    assert domain["bounce_domain"] == "bounce.example.com"
    assert [row["domain"] for row in luxsci.data(luxsci.get(f"{acct}/dkim"))] == ["example.com"]
    sales = luxsci.data(luxsci.get(f"{acct}/aliases/sales@example.com"))
    assert sales["dest"] == ["alice@example.com", "bob@example.com"]
    users = {row["user"]: row for row in luxsci.data(luxsci.get(f"{acct}/users"))}
    assert set(users) == {"alice@example.com", "marketing@example.com"}
    assert users["alice@example.com"]["name"] == "Alice Example"
    server = luxsci.data(luxsci.get(f"{acct}/server/999"))
    assert (server["server_id"], server["sending_rate"]) == (197890, 1000)
    group = luxsci.data(luxsci.get(f"{owner}/template_groups"))[0]
    template = luxsci.data(luxsci.get(f"{owner}/template/monthly"))
    assert template["template_group_id"] == group["template_group_id"]
    lists = luxsci.get(f"{owner}/marketing/lists").json()["data"]
    assert lists[0]["custom_fields"] == ["first_name"] and lists[0]["list_group_id"] > 0
    assert failure(luxsci.delete(f"{acct}/users/alice@example.com"), 403)


def test_seeded_passwords_are_unknown(app: SandboxApp, http: httpx.Client, clock) -> None:
    app.seed(STACK + "    integrations: [{token: u, secret: s, scope: user}]\n")
    user = Caller(http, now=clock.now, token="u", secret="s")
    for guess in ("", "ALICE_PASSWORD", "{env: ALICE_PASSWORD}", "password"):
        assert user.authenticate("alice@example.com", guess).status_code == 401


def test_seeding_twice_is_an_upsert(app: SandboxApp, luxsci: Caller) -> None:
    app.seed(STACK)
    app.seed(STACK.replace("rate: 1000", "rate: 2000"))
    assert len(luxsci.data(luxsci.get(f"{luxsci.acct}/aliases"))) == 1
    assert len(luxsci.data(luxsci.get("/user/marketing@example.com/templates"))) == 1
    assert luxsci.data(luxsci.get(f"{luxsci.acct}/servers"))[0]["sending_rate"] == 2000


def test_seeding_bypasses_and_does_not_count_against_create_limits(
    app: SandboxApp, luxsci: Caller
) -> None:
    limits(app, domains=1)
    app.seed("luxsci:\n  domains: [{domain: a.example}, {domain: b.example}, {domain: c.example}]")
    luxsci.data(luxsci.post(f"{luxsci.acct}/domains", {"domain": "d.example"}))
    assert failure(luxsci.post(f"{luxsci.acct}/domains", {"domain": "e.example"}), 403)


def test_a_dangling_reference_names_file_and_line(app: SandboxApp) -> None:
    stack = "luxsci:\n  templates:\n    - {owner: m@example.com, name: T, group: Missing}\n"
    with pytest.raises(SeedError, match=r"stack\.yaml:3: luxsci\.templates\[0\]: group 'Missing'"):
        app.seed(stack, source="stack.yaml")
    assert app.store.snapshot()["luxsci"]["users"] == {}


def test_invalid_files_are_refused(app: SandboxApp) -> None:
    with pytest.raises(SeedError, match="invalid YAML"):
        app.seed("luxsci: [")
    with pytest.raises(SeedError, match="unknown top-level keys"):
        app.seed("luxscii: {}")
    with pytest.raises(SeedError, match="missing 'domain'"):
        app.seed("luxsci:\n  domains: [{settings: {}}]")
    with pytest.raises(SeedError, match="not a valid email address"):
        app.seed("luxsci:\n  users: [{user: not-an-address}]")


def test_seed_through_the_control_endpoint(control: httpx.Client, luxsci: Caller) -> None:
    response = control.post("/seed", content=STACK.encode())
    assert response.status_code == 200
    assert response.json()["seeded"]["luxsci.users"] == 1
    assert len(luxsci.data(luxsci.get(f"{luxsci.acct}/domains"))) == 1
    bad = control.post("/seed", content=b"luxsci:\n  domains: 5\n")
    assert bad.status_code == 400 and "must be a list" in bad.json()["error"]
