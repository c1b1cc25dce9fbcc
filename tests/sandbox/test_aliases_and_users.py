"""Aliases and users: operations, the shared address namespace, caps and create limits."""

from __future__ import annotations

from mailform.sandbox.clock import SandboxClock
from mailform.sandbox.server import SandboxApp
from tests.sandbox.caller import Caller, failure
from tests.sandbox.test_domains import DAY, limits


def alias(local: str, *dest: str, **extra: object) -> dict[str, object]:
    return {"user": local, "domain": "example.com", "dest": list(dest), **extra}


# Aliases


def test_create_and_read_an_alias(luxsci: Caller, domain: str) -> None:
    body = alias("sales", "bob@example.com", "alice@example.com", action="email", colour="blue")
    row = luxsci.data(luxsci.post(f"{luxsci.acct}/aliases", body))
    assert row == {
        "alias_id": row["alias_id"],
        "alias": "sales@example.com",
        "user": "sales",
        "domain": "example.com",
        "dest": ["alice@example.com", "bob@example.com"],
        "action": "email",
        "bounce": "",
        "status": "enabled",
        "type": "regular",
        "created": row["created"],
    }
    assert luxsci.data(luxsci.get(f"{luxsci.acct}/aliases/sales@example.com")) == row
    assert luxsci.data(luxsci.get(f"{luxsci.acct}/aliases")) == [row]


def test_dest_may_be_a_comma_separated_string(luxsci: Caller, domain: str) -> None:
    body = {"user": "info", "domain": domain, "dest": "b@x.net, a@x.net", "action": "email"}
    assert luxsci.data(luxsci.post(f"{luxsci.acct}/aliases", body))["dest"] == [
        "a@x.net",
        "b@x.net",
    ]


def test_null_optional_fields_count_as_not_given(luxsci: Caller, domain: str) -> None:
    body = alias("sales", "a@x.net", action="email", status=None, bounce=None)
    row = luxsci.data(luxsci.post(f"{luxsci.acct}/aliases", body))
    assert (row["status"], row["bounce"]) == ("enabled", "")
    user = {"user": "a@example.com", "password": "p", "status": None, "name": "A"}
    assert luxsci.data(luxsci.post(f"{luxsci.acct}/users", user))["status"] == "enabled"
    changed = luxsci.data(luxsci.put(f"{luxsci.acct}/users/a@example.com", {"status": None}))
    assert (changed["status"], changed["name"]) == ("enabled", "A")


def test_alias_create_validation(luxsci: Caller, domain: str) -> None:
    path = f"{luxsci.acct}/aliases"
    assert failure(luxsci.post(path, alias("x", "a@x.net") | {"domain": "other.example"}), 404)
    assert "dest" in failure(luxsci.post(path, alias("x")), 400)
    assert failure(luxsci.post(path, alias("x", "not an address")), 400)
    assert failure(luxsci.post(path, alias("x", "a@x.net", action="forward")), 400)
    bounced = luxsci.data(luxsci.post(path, alias("gone", action="bounce", bounce="Moved.")))
    assert (bounced["action"], bounced["bounce"], bounced["dest"]) == ("bounce", "Moved.", [])


def test_users_and_aliases_share_one_namespace(luxsci: Caller, domain: str) -> None:
    users, aliases = f"{luxsci.acct}/users", f"{luxsci.acct}/aliases"
    luxsci.data(luxsci.post(users, {"user": "alice@example.com", "password": "pw"}))
    assert "user" in failure(luxsci.post(aliases, alias("alice", "a@x.net")), 409)
    luxsci.data(luxsci.post(aliases, alias("sales", "a@x.net")))
    assert "alias" in failure(luxsci.post(aliases, alias("sales", "b@x.net")), 409)
    assert "alias" in failure(
        luxsci.post(users, {"user": "sales@example.com", "password": "p"}), 409
    )


def test_update_is_partial_and_only_for_regular_aliases(app: SandboxApp, luxsci: Caller) -> None:
    app.seed(
        "luxsci:\n  aliases:\n    - {alias: sales@example.com, dest: [a@x.net]}\n"
        "sandbox:\n  luxsci:\n    aliases:\n"
        "      - {alias: all@example.com, type: catchall, dest: [a@x.net]}\n"
    )
    path = f"{luxsci.acct}/aliases"
    row = luxsci.data(luxsci.put(f"{path}/sales@example.com", {"status": "disabled"}))
    assert (row["status"], row["dest"]) == ("disabled", ["a@x.net"])
    row = luxsci.data(luxsci.put(f"{path}/sales@example.com", {"dest": ["b@x.net", "a@x.net"]}))
    assert (row["status"], row["dest"]) == ("disabled", ["a@x.net", "b@x.net"])
    assert "regular" in failure(luxsci.put(f"{path}/all@example.com", {"status": "disabled"}), 403)
    assert failure(luxsci.put(f"{path}/none@example.com", {"status": "disabled"}), 404)
    assert luxsci.data(luxsci.delete(f"{path}/sales@example.com")) is None
    assert failure(luxsci.get(f"{path}/sales@example.com"), 404)


def test_a_domain_holds_100_aliases_plus_10_per_user(app: SandboxApp, luxsci: Caller) -> None:
    entries = "".join(f"    - {{alias: a{n}@example.com, dest: [x@x.net]}}\n" for n in range(100))
    app.seed(f"luxsci:\n  aliases:\n{entries}")
    path = f"{luxsci.acct}/aliases"
    assert "maximum of 100" in failure(luxsci.post(path, alias("one-more", "x@x.net")), 409)
    luxsci.data(luxsci.post(f"{luxsci.acct}/users", {"user": "u@example.com", "password": "p"}))
    for n in range(10):
        luxsci.data(luxsci.post(path, alias(f"more{n}", "x@x.net")))
    assert "maximum of 110" in failure(luxsci.post(path, alias("more10", "x@x.net")), 409)


def test_alias_create_limit_is_a_rolling_24_hours(
    app: SandboxApp, luxsci: Caller, domain: str, clock: SandboxClock
) -> None:
    limits(app, aliases=2)
    path = f"{luxsci.acct}/aliases"
    luxsci.data(luxsci.post(path, alias("a", "x@x.net")))
    luxsci.data(luxsci.post(path, alias("b", "x@x.net")))
    assert "create limit for aliases" in failure(luxsci.post(path, alias("c", "x@x.net")), 403)
    clock.advance(DAY + 1)
    luxsci.login().data(luxsci.post(path, alias("c", "x@x.net")))


# Users


def test_create_list_and_filter_users(luxsci: Caller, domain: str) -> None:
    path = f"{luxsci.acct}/users"
    alice = luxsci.data(
        luxsci.post(path, {"user": "Alice@Example.com", "password": "pw", "name": "Alice"})
    )
    assert set(alice) == {
        "user_id", "user", "domainname", "name", "status", "disk_quota", "company",
        "custom1", "custom2", "custom3", "created", "modified",
    }  # fmt: skip
    assert (alice["user"], alice["domainname"], alice["status"]) == (
        "alice@example.com", "example.com", "enabled",
    )  # fmt: skip
    bob = luxsci.data(luxsci.post(path, {"user": "bob@example.com", "password": "pw"}))
    assert bob["user_id"] == alice["user_id"] + 1
    luxsci.data(luxsci.put(f"{path}/bob@example.com", {"status": "disabled"}))
    enabled = luxsci.data(luxsci.get(f"{path}?status=enabled"))
    assert [row["user"] for row in enabled] == ["alice@example.com"]
    assert len(luxsci.data(luxsci.get(f"{path}?domain=example.com"))) == 2
    assert luxsci.data(luxsci.get(f"{path}?domain=other.example")) == []
    assert failure(luxsci.get(f"{path}?status=sleeping"), 400)


def test_user_create_validation(luxsci: Caller, domain: str) -> None:
    path = f"{luxsci.acct}/users"
    assert "password" in failure(luxsci.post(path, {"user": "a@example.com"}), 400)
    assert failure(luxsci.post(path, {"user": "not-an-address", "password": "p"}), 400)
    assert failure(luxsci.post(path, {"user": "a@other.example", "password": "p"}), 404)
    luxsci.data(luxsci.post(path, {"user": "a@example.com", "password": "p"}))
    assert failure(luxsci.post(path, {"user": "a@example.com", "password": "p"}), 409)


def test_user_update_is_partial(luxsci: Caller, domain: str) -> None:
    path = f"{luxsci.acct}/users"
    luxsci.data(luxsci.post(path, {"user": "a@example.com", "password": "p", "name": "A"}))
    row = luxsci.data(luxsci.put(f"{path}/a@example.com", {"company": "ACME", "disk_quota": 2048}))
    assert (row["name"], row["company"], row["disk_quota"]) == ("A", "ACME", 2048)
    assert failure(luxsci.put(f"{path}/a@example.com", {"status": "maybe"}), 400)
    assert failure(luxsci.put(f"{path}/nobody@example.com", {"name": "x"}), 404)


def test_rename_a_user(luxsci: Caller, domain: str, owner: str) -> None:
    path = f"{luxsci.acct}/users/marketing@example.com/rename"
    luxsci.data(luxsci.post(f"{owner}/templates", {"name": "Welcome"}))
    assert failure(luxsci.put(path, {"new_address": "m@unknown.example"}), 404)
    luxsci.data(luxsci.post(f"{luxsci.acct}/aliases", alias("taken", "x@x.net")))
    assert failure(luxsci.put(path, {"new_address": "taken@example.com"}), 409)
    row = luxsci.data(luxsci.put(path, {"new_address": "news@example.com"}))
    assert row["user"] == "news@example.com"
    templates = luxsci.data(luxsci.get("/user/news@example.com/templates"))
    assert [t["name"] for t in templates] == ["Welcome"]
    assert failure(luxsci.get(f"{owner}/templates"), 404)


def test_administrators_cannot_be_renamed_or_deleted(app: SandboxApp, luxsci: Caller) -> None:
    app.seed("sandbox:\n  luxsci:\n    admins: [admin@example.com]\n")
    path = f"{luxsci.acct}/users/admin@example.com"
    assert failure(luxsci.put(f"{path}/rename", {"new_address": "boss@example.com"}), 403)
    assert "not currently deletable" in failure(luxsci.delete(path), 403)


def test_delete_a_user_and_its_assets(luxsci: Caller, owner: str) -> None:
    luxsci.data(luxsci.post(f"{owner}/marketing/list", {"name": "EU"}))
    assert luxsci.data(luxsci.delete(f"{luxsci.acct}/users/marketing@example.com")) is None
    assert luxsci.data(luxsci.get(f"{luxsci.acct}/users")) == []
    assert failure(luxsci.delete(f"{luxsci.acct}/users/marketing@example.com"), 404)


def test_change_password_answers_201_and_not_for_disabled_users(
    app: SandboxApp, luxsci: Caller, owner: str, http, clock: SandboxClock
) -> None:
    app.seed("sandbox:\n  luxsci:\n    integrations: [{token: u, secret: s, scope: user}]\n")
    response = luxsci.put(f"{owner}/password", {"password": "New-pass-2"})
    assert luxsci.data(response, 201) is None
    user = Caller(http, now=clock.now, token="u", secret="s")
    assert user.authenticate("marketing@example.com", "New-pass-2").status_code == 201
    luxsci.data(luxsci.put(f"{luxsci.acct}/users/marketing@example.com", {"status": "disabled"}))
    assert "disabled" in failure(luxsci.put(f"{owner}/password", {"password": "x"}), 403)


def test_user_create_limit_is_a_rolling_24_hours(
    app: SandboxApp, luxsci: Caller, domain: str, clock: SandboxClock
) -> None:
    limits(app, users=1)
    path = f"{luxsci.acct}/users"
    luxsci.data(luxsci.post(path, {"user": "a@example.com", "password": "p"}))
    assert "create limit for users" in failure(
        luxsci.post(path, {"user": "b@example.com", "password": "p"}), 403
    )
    clock.advance(DAY + 1)
    luxsci.login().data(luxsci.post(path, {"user": "b@example.com", "password": "p"}))
