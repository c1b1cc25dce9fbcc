"""Domains, DKIM and custom bounce domains: operations and documented rules."""

from __future__ import annotations

import httpx

from mailform.sandbox.clock import SandboxClock
from mailform.sandbox.inprocess import SandboxTransport
from mailform.sandbox.luxsci.account import new_state
from mailform.sandbox.luxsci.service import LuxSciCredentials
from mailform.sandbox.server import SandboxApp
from mailform.sandbox.store import StateStore
from tests.sandbox.caller import ACCOUNT, SECRET, TOKEN, Caller, failure

DAY = 24 * 3600


def limits(app: SandboxApp, **values: int) -> None:
    """Give the test integration other 24 h create limits."""
    entries = ", ".join(f"{name}: {value}" for name, value in values.items())
    app.seed(
        "sandbox:\n  luxsci:\n    integrations:\n"
        f"      - {{token: {TOKEN}, secret: {SECRET}, create_limits: {{{entries}}}}}\n"
    )


def test_create_get_and_list_domains_with_server_assigned_ids(luxsci: Caller) -> None:
    first = luxsci.data(
        luxsci.post(f"{luxsci.acct}/domains", {"domain": "Example.COM", "settings": {"a": 1}})
    )
    second = luxsci.data(
        luxsci.post(f"{luxsci.acct}/domains", {"domain": "example.org", "unknown_key": True})
    )
    assert first == {
        "domain_id": first["domain_id"],
        "domain": "example.com",
        "status": "enabled",
        "bounce_domain": "",
        "settings": {"a": 1},
    }
    assert second["domain_id"] == first["domain_id"] + 1
    assert luxsci.data(luxsci.get(f"{luxsci.acct}/domains/example.com")) == first
    assert luxsci.data(luxsci.get(f"{luxsci.acct}/domains")) == [first, second]


def test_domain_create_refuses_duplicates_and_invalid_names(luxsci: Caller, domain: str) -> None:
    assert "already exists" in failure(
        luxsci.post(f"{luxsci.acct}/domains", {"domain": domain}), 409
    )
    assert failure(luxsci.post(f"{luxsci.acct}/domains", {"domain": "not a domain"}), 400)
    assert failure(luxsci.post(f"{luxsci.acct}/domains", {}), 400)
    assert failure(luxsci.get(f"{luxsci.acct}/domains/unknown.example"), 404)


def test_domain_update_is_partial(luxsci: Caller) -> None:
    path = f"{luxsci.acct}/domains"
    luxsci.data(luxsci.post(path, {"domain": "example.com", "settings": {"a": 1, "b": 2}}))
    updated = luxsci.data(luxsci.put(f"{path}/example.com", {"settings": {"b": 3, "c": 4}}))
    assert updated["settings"] == {"a": 1, "b": 3, "c": 4}
    assert failure(luxsci.put(f"{path}/example.com", {"settings": [1]}), 400)


def test_a_domain_with_users_or_aliases_cannot_be_deleted(luxsci: Caller, domain: str) -> None:
    path = f"{luxsci.acct}/domains/{domain}"
    luxsci.data(luxsci.post(f"{luxsci.acct}/users", {"user": "a@example.com", "password": "p"}))
    assert failure(luxsci.delete(path), 409).startswith("Domain is in use and cannot be deleted.")
    luxsci.data(luxsci.delete(f"{luxsci.acct}/users/a@example.com"))
    alias = {"user": "sales", "domain": domain, "dest": ["x@elsewhere.net"]}
    luxsci.data(luxsci.post(f"{luxsci.acct}/aliases", alias))
    assert failure(luxsci.delete(path), 409).startswith("Domain is in use")
    luxsci.data(luxsci.delete(f"{luxsci.acct}/aliases/sales@{domain}"))
    luxsci.data(luxsci.post(f"{luxsci.acct}/dkim", {"domain": domain}))
    assert luxsci.data(luxsci.delete(path)) is None
    assert luxsci.data(luxsci.get(f"{luxsci.acct}/domains")) == []
    assert luxsci.data(luxsci.get(f"{luxsci.acct}/dkim")) == []


def test_domain_create_limit_is_a_rolling_24_hours(
    app: SandboxApp, luxsci: Caller, clock: SandboxClock
) -> None:
    limits(app, domains=2)
    path = f"{luxsci.acct}/domains"
    luxsci.data(luxsci.post(path, {"domain": "one.example.com"}))
    clock.advance(DAY / 2)
    luxsci.login().data(luxsci.post(path, {"domain": "two.example.com"}))
    luxsci.data(luxsci.delete(f"{path}/one.example.com"))
    message = failure(luxsci.post(path, {"domain": "three.example.com"}), 403)
    assert "create limit" in message and "24 hours" in message
    clock.advance(DAY / 2 + 1)
    luxsci.login().data(luxsci.post(path, {"domain": "three.example.com"}))
    assert failure(luxsci.post(path, {"domain": "four.example.com"}), 403)


def test_a_create_log_an_earlier_sandbox_kept_still_counts(clock: SandboxClock) -> None:
    store = StateStore()
    with store.change() as state:  # as a state file from an earlier sandbox has it
        earlier = [clock.now() - 100, clock.now() - DAY - 1]
        state["luxsci"] = {**new_state(ACCOUNT), "created_log": {"domains": earlier}}
    app = SandboxApp(
        store=store, clock=clock, credentials=LuxSciCredentials(TOKEN, SECRET, ACCOUNT)
    )
    limits(app, domains=2)
    with httpx.Client(transport=SandboxTransport(app), base_url="https://rest.luxsci.com") as http:
        luxsci = Caller(http, now=clock.now).login()
        path = f"{luxsci.acct}/domains"
        luxsci.data(luxsci.post(path, {"domain": "one.example.com"}))
        assert "create limit" in failure(luxsci.post(path, {"domain": "two.example.com"}), 403)
    assert len(store.snapshot()["luxsci"]["created_log"]) == 2  # the expired one forgotten


def test_dkim_needs_an_account_domain_and_exists_once(luxsci: Caller, domain: str) -> None:
    path = f"{luxsci.acct}/dkim"
    assert "not found" in failure(luxsci.post(path, {"domain": "other.example"}), 404)
    created = luxsci.data(luxsci.post(path, {"domain": domain}))
    assert created["domain"] == domain
    assert created["dns_name"] == f"{created['selector']}._domainkey.{domain}"
    assert created["dns_value"].startswith("v=DKIM1; k=rsa; p=")
    assert set(created) == {"domain", "selector", "dns_name", "dns_value", "created"}
    assert failure(luxsci.post(path, {"domain": domain}), 409)
    assert luxsci.data(luxsci.get(f"{path}/{domain}")) == created
    assert luxsci.data(luxsci.get(path)) == [created]


def test_dkim_has_no_update_and_can_be_deleted(luxsci: Caller, domain: str) -> None:
    path = f"{luxsci.acct}/dkim"
    luxsci.data(luxsci.post(path, {"domain": domain}))
    assert failure(luxsci.put(f"{path}/{domain}", {"selector": "x"}), 405)
    assert luxsci.data(luxsci.delete(f"{path}/{domain}")) is None
    assert failure(luxsci.get(f"{path}/{domain}"), 404)
    assert failure(luxsci.delete(f"{path}/{domain}"), 404)


def test_a_bounce_domain_needs_dkim_a_subdomain_and_its_cname(
    luxsci: Caller, domain: str, app: SandboxApp
) -> None:
    path = f"{luxsci.acct}/bounce_domain"
    body = {"bounce_domain": "bounce.example.com", "from_domain": domain}
    assert "DKIM" in failure(luxsci.post(path, body), 400)
    luxsci.data(luxsci.post(f"{luxsci.acct}/dkim", {"domain": domain}))
    not_sub = {"bounce_domain": "bounce.example.org", "from_domain": domain}
    assert "subdomain" in failure(luxsci.post(path, not_sub), 400)
    same = {"bounce_domain": domain, "from_domain": domain}
    assert "subdomain" in failure(luxsci.post(path, same), 400)
    missing = {"bounce_domain": "b.other.example", "from_domain": "other.example"}
    assert failure(luxsci.post(path, missing), 404)
    assert "must already be a CNAME" in failure(luxsci.post(path, body), 400)
    app.seed("sandbox:\n  dns: {bounce.example.com: bounces.luxsci.net}\n")  # published
    assert luxsci.data(luxsci.post(path, body)) == body
    row = luxsci.data(luxsci.get(f"{luxsci.acct}/domains/{domain}"))
    assert row["bounce_domain"] == "bounce.example.com"
    assert failure(luxsci.post(path, {**body, "bounce_domain": "b2.example.com"}), 409)


def test_a_bounce_domain_is_create_only(luxsci: Caller) -> None:
    for method in ("GET", "PUT", "DELETE"):
        assert failure(luxsci.send(method, f"{luxsci.acct}/bounce_domain", None), 405)
