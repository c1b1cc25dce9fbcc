"""The client against the sandbox over real HTTP: every operation, every documented failure,
and every fault kind."""

from __future__ import annotations

import httpx
import pytest

from mailform.engine.session import Session
from mailform.errors import AuthenticationError, Conflict, InvalidRequest, NotFound
from mailform.http import SlidingWindow
from mailform.services.luxsci.client import LuxSciClient, LuxSciCredentials
from mailform.services.luxsci.objects.alias import ALIASES, Alias
from mailform.services.luxsci.objects.bounce_domain import BOUNCE_DOMAINS
from mailform.services.luxsci.objects.content_tag import CONTENT_TAGS
from mailform.services.luxsci.objects.custom_field import CUSTOM_FIELDS
from mailform.services.luxsci.objects.dkim import DKIM
from mailform.services.luxsci.objects.domain import DOMAINS
from mailform.services.luxsci.objects.email_template import TEMPLATES
from mailform.services.luxsci.objects.group import LIST_GROUPS, TEMPLATE_GROUPS
from mailform.services.luxsci.objects.marketing_list import MARKETING_LISTS
from mailform.services.luxsci.objects.rest import RestApi
from mailform.services.luxsci.objects.server import SERVERS, set_sending_rate
from mailform.services.luxsci.objects.user import USERS, change_password, rename_user

pytestmark = pytest.mark.integration

OWNER = "ann@example.com"


@pytest.fixture
def account(client: LuxSciClient) -> LuxSciClient:
    """A domain with one user, the owner of user-scope objects."""
    RestApi(client, DOMAINS.endpoint).create({"domain": "example.com"})
    RestApi(client, USERS.endpoint).create(
        {"user": OWNER, "password": "Secret-pass-1", "name": "Ann"}
    )
    return client


def test_domains_create_list_update_delete(client: LuxSciClient) -> None:
    api = RestApi(client, DOMAINS.endpoint)
    row = api.create({"domain": "example.com", "settings": {"spam_filter": "high"}})
    assert row["domain"] == "example.com"
    api.update("example.com", {"settings": {"spam_filter": "low", "archive": True}})
    assert api.get("example.com")["settings"] == {"spam_filter": "low", "archive": True}
    assert [r["domain"] for r in api.list()] == ["example.com"]
    api.delete("example.com")
    assert api.get("example.com") is None


def test_a_domain_with_users_cannot_be_deleted(account: LuxSciClient) -> None:
    with pytest.raises(Conflict, match="in use"):
        RestApi(account, DOMAINS.endpoint).delete("example.com")


def test_dkim_and_bounce_domain_rules(account: LuxSciClient, control: httpx.Client) -> None:
    bounce = RestApi(account, BOUNCE_DOMAINS.endpoint)
    wanted = {"bounce_domain": "bounce.example.com", "from_domain": "example.com"}
    with pytest.raises(InvalidRequest, match="DKIM"):
        bounce.create(wanted)
    dkim = RestApi(account, DKIM.endpoint)
    dkim.create({"domain": "example.com"})
    assert dkim.get("example.com")["dns_value"]
    with pytest.raises(Conflict):
        dkim.create({"domain": "example.com"})
    with pytest.raises(InvalidRequest, match="subdomain"):
        bounce.create({**wanted, "bounce_domain": "bounce.other.com"})
    with pytest.raises(InvalidRequest, match="must already be a CNAME"):
        bounce.create(wanted)
    control.post("/seed", content="sandbox:\n  dns: {bounce.example.com: b.luxsci.net}\n")
    bounce.create(wanted)
    rows = RestApi(account, DOMAINS.endpoint).list()
    assert [row.get("bounce_domain") for row in rows] == ["bounce.example.com"]
    dkim.delete("example.com")
    assert dkim.get("example.com") is None


def test_aliases_and_users_share_one_namespace(account: LuxSciClient) -> None:
    aliases = RestApi(account, ALIASES.endpoint)
    with pytest.raises(Conflict):
        aliases.create({"user": "ann", "domain": "example.com", "dest": ["x@example.com"]})
    aliases.create(
        {"user": "sales", "domain": "example.com", "dest": ["b@example.com", "a@example.com"]}
    )
    assert aliases.get("sales@example.com")["dest"] == ["a@example.com", "b@example.com"]
    aliases.update("sales@example.com", {"status": "disabled"})
    assert aliases.get("sales@example.com")["status"] == "disabled"
    with pytest.raises(Conflict):
        RestApi(account, USERS.endpoint).create(
            {"user": "sales@example.com", "password": "Secret-pass-1"}
        )
    aliases.delete("sales@example.com")
    assert aliases.get("sales@example.com") is None


def test_users_update_rename_password_delete(account: LuxSciClient, control: httpx.Client) -> None:
    users = RestApi(account, USERS.endpoint)
    users.create({"user": "bob@example.com", "password": "Secret-pass-1", "name": "Bob"})
    users.update("bob@example.com", {"name": "Robert", "status": "enabled"})
    change_password(account, "bob@example.com", "Other-pass-2")
    rename_user(account, "bob@example.com", "rob@example.com")
    state = control.get("/state").json()["luxsci"]["users"]
    assert "bob@example.com" not in state
    assert state["rob@example.com"]["name"] == "Robert"
    row = next(row for row in users.list() if row["user"] == "rob@example.com")
    assert "password" not in row and "_password" not in row
    with pytest.raises(NotFound):
        rename_user(account, "rob@example.com", "rob@unknown.com")
    users.delete("rob@example.com")
    assert "rob@example.com" not in control.get("/state").json()["luxsci"]["users"]


def test_templates_groups_and_full_replace(account: LuxSciClient) -> None:
    groups = RestApi(account, TEMPLATE_GROUPS.endpoint)
    group = groups.create({"name": "News"}, OWNER)
    templates = RestApi(account, TEMPLATES.endpoint)
    row = templates.create(
        {"name": "Monthly", "subject": "Hi", "template_group_id": group["template_group_id"]},
        OWNER,
    )
    templates.update(row["template_id"], {"name": "Monthly", "body_text": "x"}, OWNER)
    (live,) = templates.list(OWNER)
    assert live["subject"] == "" and live["body_text"] == "x"
    groups.update(group["template_group_id"], {"name": "Letters"}, OWNER)
    assert [row["name"] for row in groups.list(OWNER)] == ["Letters"]
    groups.delete(group["template_group_id"], OWNER)
    templates.delete(row["template_id"], OWNER)
    assert templates.list(OWNER) == []


def test_content_tags_custom_fields_lists(account: LuxSciClient) -> None:
    tags = RestApi(account, CONTENT_TAGS.endpoint)
    tag = tags.create({"code_word": "footer", "name": "Footer", "content": "Bye"}, OWNER)
    tags.update(tag["tag_id"], {"code_word": "footer", "content": "Ciao"}, OWNER)
    assert tags.get("footer", OWNER)["content"] == "Ciao"
    tags.delete("footer", OWNER)
    fields = RestApi(account, CUSTOM_FIELDS.endpoint)
    fields.create({"code_word": "plan", "name": "Plan", "type": "text"}, OWNER)
    with pytest.raises(Conflict):
        fields.create({"code_word": "plan", "name": "Plan", "type": "text"}, OWNER)
    lists = RestApi(account, MARKETING_LISTS.endpoint)
    with pytest.raises(InvalidRequest, match="must exist"):
        lists.create({"name": "EU", "custom_fields": ["nope"]}, OWNER)
    groups = RestApi(account, LIST_GROUPS.endpoint)
    group = groups.create({"name": "Customers"}, OWNER)
    row = lists.create(
        {"name": "EU", "custom_fields": ["plan"], "list_group_id": group["list_group_id"]}, OWNER
    )
    lists.update(row["list_id"], {"from_name": "News"}, OWNER)
    groups.delete(group["list_group_id"], OWNER)
    (live,) = lists.list(OWNER)
    assert live["from_name"] == "News" and live["list_group_id"] == 0
    lists.delete(row["list_id"], OWNER)
    assert lists.list(OWNER) == []


def test_marketing_list_report_pages(account: LuxSciClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lists = RestApi(account, MARKETING_LISTS.endpoint)
    for n in range(7):
        lists.create({"name": f"L{n}"}, OWNER)
    monkeypatch.setattr("mailform.services.luxsci.client.REPORT_PAGE_SIZE", 3)
    before = account.requests_sent
    assert [row["name"] for row in lists.list(OWNER)] == [f"L{n}" for n in range(7)]
    assert account.requests_sent - before == 3


def test_servers_by_id_or_short_host(client: LuxSciClient, control: httpx.Client) -> None:
    seed = "sandbox:\n  luxsci:\n    servers: [{host: rs999, server_id: 197890}]\n"
    control.post("/seed", content=seed).raise_for_status()
    set_sending_rate(client, 999, 1000, auto_warmup=True)
    (row,) = RestApi(client, SERVERS.endpoint).list()
    assert (row["server_id"], row["sending_rate"], row["auto_warmup"]) == (197890, 1000, True)


def test_a_create_whose_connection_drops_after_commit_is_not_duplicated(
    account: LuxSciClient, control: httpx.Client
) -> None:
    control.put("/faults", json={"drop_next": 1}).raise_for_status()
    ALIASES.create(Session(account), Alias(alias="sales@example.com", dest=[OWNER]))
    rows = [
        r for r in control.get("/state").json()["luxsci"]["aliases"] if r == "sales@example.com"
    ]
    assert len(rows) == 1
    assert control.get("/faults").json()["drop_next"] == 0


def test_429_is_honoured_and_retried(account: LuxSciClient, control: httpx.Client) -> None:
    control.put("/faults", json={"rate_limit": "2/1s"}).raise_for_status()
    for _ in range(5):
        assert RestApi(account, DOMAINS.endpoint).list()


def test_the_limiter_never_draws_a_429_from_a_strict_server(
    env: dict[str, str], control: httpx.Client
) -> None:
    """The sandbox counts 10 requests in any second, strictly; a client limited to the same
    sends 31 requests (the auth and 30 reads) without one refusal: no request is repeated."""
    control.put("/faults", json={"rate_limit": "10/1s", "latency": 0.01}).raise_for_status()
    credentials = LuxSciCredentials.from_env(env)
    with LuxSciClient(credentials, limiter=SlidingWindow(10, 1.0)) as strict:
        for _ in range(30):
            RestApi(strict, DOMAINS.endpoint).list()
        assert strict.requests_sent == 31


def test_server_errors_on_reads_are_retried(account: LuxSciClient, control: httpx.Client) -> None:
    control.put("/faults", json={"error_rate": 0.3, "seed": 7}).raise_for_status()
    for _ in range(10):
        assert RestApi(account, DOMAINS.endpoint).list()


def test_expired_auth_is_renewed(account: LuxSciClient, control: httpx.Client) -> None:
    control.put("/faults", json={"expire_auth": True}).raise_for_status()
    assert RestApi(account, DOMAINS.endpoint).list()


def test_a_wrong_secret_is_refused_without_showing_it(env: dict[str, str]) -> None:
    credentials = LuxSciCredentials.from_env({**env, "LUXSCI_API_SECRET": "not-the-secret"})
    with (
        LuxSciClient(credentials, rate_limit=False) as wrong,
        pytest.raises(AuthenticationError) as caught,
    ):
        RestApi(wrong, DOMAINS.endpoint).list()
    assert "not-the-secret" not in str(caught.value)
