"""Authentication and request signing, as ``docs/api-assumptions.md`` (transport) fixes them."""

from __future__ import annotations

import re

import httpx

from mailform.sandbox.clock import SandboxClock
from mailform.sandbox.inprocess import SandboxTransport
from mailform.sandbox.server import SandboxApp
from tests.sandbox.caller import API, SECRET, TOKEN, Caller, failure, sign_auth, sign_request

USER_SCOPE = """
luxsci:
  users:
    - {user: marketing@example.com, name: Marketing}
    - {user: other@example.com}
sandbox:
  luxsci:
    users:
      - {user: marketing@example.com, password: Known-pass-1}
    integrations:
      - {token: tok-user, secret: sec-user, scope: user}
      - {token: tok-off, secret: sec-off, enabled: false}
      - {token: tok-narrow, secret: sec-narrow, acl: ["Account: Domains - Manage"]}
      - {token: tok-host, secret: sec-host, host: rest.luxsci.com}
"""


def caller(http: httpx.Client, clock: SandboxClock, token: str, secret: str) -> Caller:
    return Caller(http, now=clock.now, token=token, secret=secret)


# POST /auth


def test_auth_returns_201_and_a_token_shaped_like_luxscis(http, clock) -> None:
    response = Caller(http, now=clock.now).authenticate()
    assert response.status_code == 201
    body = response.json()
    assert body["success"] == 1 and "data" not in body
    assert re.fullmatch(r"\d+-\d+-[0-9a-f]{64}", body["auth"])
    assert body["auth"].split("-")[1] == str(int(clock.now()))


def test_auth_accepts_uppercase_hex_and_the_date_as_int_or_string(http, clock) -> None:
    date = str(int(clock.now()))
    signature = sign_auth(SECRET, TOKEN, date).upper()
    assert Caller(http).authenticate(date=date, signature=signature).status_code == 201
    assert Caller(http).authenticate(date=int(date), signature=signature).status_code == 201


def test_auth_with_a_wrong_signature_is_refused(http, clock) -> None:
    response = Caller(http, now=clock.now).authenticate(signature="00" * 32)
    assert failure(response, 401) == "Invalid signature."


def test_auth_with_an_unknown_token_is_refused(http, clock) -> None:
    response = Caller(http, now=clock.now, token="nobody").authenticate()
    assert failure(response, 401) == "Invalid API token."


def test_auth_with_a_stale_or_future_date_is_refused(http, clock) -> None:
    now = int(clock.now())
    assert "date" in failure(Caller(http).authenticate(date=now - 301), 401)
    assert "date" in failure(Caller(http).authenticate(date=now + 301), 401)
    assert Caller(http).authenticate(date=now - 290).status_code == 201


def test_auth_with_missing_fields_or_bad_json_is_invalid(http) -> None:
    assert "token" in failure(http.post(f"{API}/auth", json={"date": 1, "signature": "x"}), 400)
    assert "date" in failure(
        http.post(f"{API}/auth", json={"token": TOKEN, "date": "soon", "signature": "x"}), 400
    )
    assert failure(http.post(f"{API}/auth", content=b"{not json"), 400)


def test_a_disabled_integration_cannot_authenticate(app: SandboxApp, http, clock) -> None:
    app.seed(USER_SCOPE)
    response = caller(http, clock, "tok-off", "sec-off").authenticate()
    assert failure(response, 401) == "This API integration is not enabled."


# User scope


def test_user_scope_needs_the_users_login_and_password(app: SandboxApp, http, clock) -> None:
    app.seed(USER_SCOPE)
    scoped = caller(http, clock, "tok-user", "sec-user")
    assert "user and pass" in failure(scoped.authenticate(), 401)
    assert failure(scoped.authenticate("marketing@example.com", "wrong"), 401) == (
        "Invalid username or password."
    )
    assert scoped.authenticate("marketing@example.com", "Known-pass-1").status_code == 201


def test_a_user_scope_session_acts_only_for_its_user(app: SandboxApp, http, clock) -> None:
    app.seed(USER_SCOPE)
    scoped = caller(http, clock, "tok-user", "sec-user").login(
        "marketing@example.com", "Known-pass-1"
    )
    assert scoped.data(scoped.get("/user/marketing@example.com/templates")) == []
    assert failure(scoped.get("/user/other@example.com/templates"), 403)
    assert "user scope" in failure(scoped.get(f"{scoped.acct}/domains"), 403)


def test_an_account_scope_integration_acts_for_any_user_without_password(
    app: SandboxApp, luxsci: Caller
) -> None:
    app.seed(USER_SCOPE)
    profile = luxsci.data(luxsci.get("/user/other@example.com/profile"))
    assert profile["user"] == "other@example.com"
    assert "_password" not in profile and "password" not in profile
    assert failure(luxsci.get("/user/ghost@example.com/templates"), 404)


# Revocation and expiry


def test_revoke_then_the_auth_is_refused(luxsci: Caller) -> None:
    assert luxsci.data(luxsci.get(f"{luxsci.acct}/domains")) == []
    response = luxsci.delete("/auth")
    assert response.status_code == 200
    assert response.json() == {"success": 1, "comment": "Authentication session revoked."}
    assert "revoked" in failure(luxsci.get(f"{luxsci.acct}/domains"), 401)
    luxsci.login()
    assert luxsci.data(luxsci.get(f"{luxsci.acct}/domains")) == []


def test_an_auth_expires_after_its_lifetime(luxsci: Caller, clock: SandboxClock) -> None:
    clock.advance(3599)
    assert luxsci.get(f"{luxsci.acct}/domains").status_code == 200
    clock.advance(2)
    assert "expired" in failure(luxsci.get(f"{luxsci.acct}/domains"), 401)
    luxsci.login()
    assert luxsci.get(f"{luxsci.acct}/domains").status_code == 200


def test_the_expiry_fault_expires_every_current_auth(app: SandboxApp, luxsci: Caller, http) -> None:
    other = Caller(http, now=app.clock.now).login()
    app.faults.expire_auth()
    assert "expired" in failure(luxsci.get(f"{luxsci.acct}/domains"), 401)
    assert "expired" in failure(other.get(f"{other.acct}/domains"), 401)
    assert luxsci.login().get(f"{luxsci.acct}/domains").status_code == 200


# The signature cookie


def test_requests_without_a_valid_cookie_are_refused(luxsci: Caller) -> None:
    path = f"{luxsci.acct}/domains"
    assert "Missing signature cookie" in failure(luxsci.get(path, cookie="other=1"), 401)
    assert "Malformed" in failure(luxsci.get(path, cookie="signature=nocolon"), 401)
    unknown = "1-2-" + "ab" * 32
    assert "Invalid authentication code" in failure(
        luxsci.get(path, cookie=f"signature={unknown}:{'00' * 32}"), 401
    )


def test_a_tampered_body_is_refused_and_changes_nothing(luxsci: Caller) -> None:
    path = f"{luxsci.acct}/domains"
    signed_for = b'{"domain":"a.example.com"}'
    response = luxsci.post(path, {"domain": "b.example.com"}, sign={"body": signed_for})
    assert failure(response, 401) == "Invalid request signature."
    assert luxsci.data(luxsci.get(path)) == []


def test_a_tampered_query_path_or_method_is_refused(luxsci: Caller, domain: str) -> None:
    users = f"{luxsci.acct}/users"
    assert failure(luxsci.get(f"{users}?status=disabled", sign={"query": "status=enabled"}), 401)
    assert failure(
        luxsci.get(
            f"{users}?status=enabled&domain=example.com",
            sign={"query": "domain=example.com&status=enabled"},
        ),
        401,
    )
    path = f"{API}{luxsci.acct}/dkim"
    assert failure(luxsci.get(f"{luxsci.acct}/domains", sign={"path": path}), 401)
    assert failure(luxsci.delete(f"{luxsci.acct}/domains/{domain}", sign={"method": "GET"}), 401)
    assert [row["domain"] for row in luxsci.data(luxsci.get(f"{luxsci.acct}/domains"))] == [domain]


def test_the_raw_query_string_is_signed_as_sent(luxsci: Caller, domain: str) -> None:
    response = luxsci.get(f"{luxsci.acct}/users?status=enabled&domain=example%2Ecom")
    assert luxsci.data(response) == []


def test_uppercase_hex_signatures_are_accepted(luxsci: Caller) -> None:
    request_path = f"{API}{luxsci.acct}/domains"
    mac = sign_request(SECRET, luxsci.auth or "", "GET", request_path, "", None).upper()
    response = luxsci.get(f"{luxsci.acct}/domains", cookie=f"signature={luxsci.auth}:{mac}")
    assert luxsci.data(response) == []


def test_at_signs_in_paths_are_signed_raw_or_encoded_as_sent(luxsci: Caller, owner: str) -> None:
    assert luxsci.data(luxsci.get("/user/marketing@example.com/templates")) == []
    assert luxsci.data(luxsci.get("/user/marketing%40example.com/templates")) == []
    encoded = f"{API}/user/marketing%40example.com/templates"
    assert failure(luxsci.get("/user/marketing@example.com/templates", sign={"path": encoded}), 401)


def test_a_request_to_another_account_is_forbidden(luxsci: Caller) -> None:
    message = failure(luxsci.get("/account/99999/domains"), 403)
    assert "99999" in message


def test_access_controls_not_granted_are_forbidden(app: SandboxApp, http, clock) -> None:
    app.seed(USER_SCOPE)
    narrow = caller(http, clock, "tok-narrow", "sec-narrow").login()
    assert [row["domain"] for row in narrow.data(narrow.get(f"{narrow.acct}/domains"))] == [
        "example.com"
    ]
    assert "Account: Email Aliases - Manage" in failure(narrow.get(f"{narrow.acct}/aliases"), 403)


def test_an_integration_bound_to_a_host_rejects_other_hosts(app: SandboxApp, clock) -> None:
    app.seed(USER_SCOPE)
    for base, status in (("https://rest.luxsci.com", 201), ("https://api.example.net", 403)):
        with httpx.Client(transport=SandboxTransport(app), base_url=base) as client:
            assert (
                caller(client, clock, "tok-host", "sec-host").authenticate().status_code == status
            )


def test_unknown_paths_and_missing_operations_answer_in_the_envelope(luxsci: Caller) -> None:
    assert "Unknown API endpoint" in failure(luxsci.get("/nothing/here"), 404)
    assert "no such operation" in failure(luxsci.put(f"{luxsci.acct}/dkim/example.com", {}), 405)
