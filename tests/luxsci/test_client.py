"""Client behaviour that needs exact control of the answers: retries, re-authentication,
error mapping, duplicate-free creates. Each test scripts a fake service with
``httpx.MockTransport``; the sandbox integration tests cover the real protocol."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import httpx
import pytest

from mailform.errors import (
    AuthenticationError,
    ConfigurationError,
    Conflict,
    NotFound,
    PermissionDenied,
    ServerError,
    TransportError,
)
from mailform.http import RetryPolicy
from mailform.http.encoding import encode_query
from mailform.services.luxsci import signing
from mailform.services.luxsci.client import LuxSciClient, LuxSciCredentials

SECRET = "very-secret-value"
CREDENTIALS = LuxSciCredentials(token="tok", secret=SECRET, account_id="42", host="api.test")

Handler = Callable[[httpx.Request], httpx.Response]


class FakeService:
    """Answers auth itself and hands every other request to ``handler``; records traffic."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []
        self.auth_count = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/perl/api/v2/auth" and request.method == "POST":
            self.auth_count += 1
            return httpx.Response(201, json={"success": 1, "auth": f"1-2-{self.auth_count:064x}"})
        if request.url.path == "/perl/api/v2/auth" and request.method == "DELETE":
            return httpx.Response(200, json={"success": 1, "comment": "revoked"})
        return self.handler(request)

    def calls(self, method: str, path: str) -> int:
        return sum(1 for r in self.requests if r.method == method and r.url.path == path)


def make_client(service: FakeService, **kwargs: object) -> tuple[LuxSciClient, list[float]]:
    slept: list[float] = []
    client = LuxSciClient(
        CREDENTIALS,
        transport=httpx.MockTransport(service),
        rate_limit=False,
        sleep=slept.append,
        clock=lambda: 1_700_000_000,
        **kwargs,  # type: ignore[arg-type]
    )
    return client, slept


def ok(data: object = None) -> httpx.Response:
    body: dict[str, object] = {"success": 1}
    if data is not None:
        body["data"] = data
    return httpx.Response(200, json=body)


def fail(status: int, message: str) -> httpx.Response:
    return httpx.Response(status, json={"success": 0, "error_message": message})


DOMAINS = "/perl/api/v2/account/42/domains"


def test_requests_are_signed_over_what_is_sent() -> None:
    service = FakeService(lambda request: ok([]))
    client, _ = make_client(service)
    client.get(client.account_path("users"), {"status": "enabled", "domain": "ex ample.com"})
    request = service.requests[-1]
    auth, _, mac = request.headers["Cookie"].removeprefix("signature=").partition(":")
    path, _, query = request.url.raw_path.decode().partition("?")
    assert query == "status=enabled&domain=ex%20ample.com"
    assert mac == signing.request_signature(SECRET, auth, "GET", path, query)


def test_auth_request_carries_token_date_and_signature() -> None:
    service = FakeService(lambda request: ok([]))
    client, _ = make_client(service)
    client.get(DOMAINS)
    body = json.loads(service.requests[0].content)
    assert body == {
        "token": "tok",
        "date": 1_700_000_000,
        "signature": signing.auth_signature(SECRET, "tok", 1_700_000_000),
    }


def test_user_paths_keep_the_at_sign_raw() -> None:
    service = FakeService(lambda request: ok([]))
    client, _ = make_client(service)
    client.get(client.user_path("ann@example.com", "templates"))
    assert service.requests[-1].url.raw_path == b"/perl/api/v2/user/ann@example.com/templates"


def test_get_is_retried_after_503_and_429_honouring_retry_after() -> None:
    answers = iter(
        [
            fail(503, "busy"),
            httpx.Response(429, headers={"Retry-After": "7"}, json={"success": 0}),
            ok([{"domain": "example.com"}]),
        ]
    )
    service = FakeService(lambda request: next(answers))
    client, slept = make_client(service)
    assert client.get(DOMAINS) == [{"domain": "example.com"}]
    assert service.calls("GET", DOMAINS) == 3
    assert slept[1] == 7


def test_get_gives_up_after_the_policy_attempts() -> None:
    service = FakeService(lambda request: fail(500, "kaput"))
    client, _ = make_client(service, retry=RetryPolicy(attempts=3))
    with pytest.raises(ServerError, match="kaput"):
        client.get(DOMAINS)
    assert service.calls("GET", DOMAINS) == 3


def test_a_create_is_not_repeated_after_a_server_error_when_it_was_done() -> None:
    service = FakeService(lambda request: fail(500, "kaput"))
    client, _ = make_client(service)
    found = {"domain": "example.com"}
    assert client.create(DOMAINS, {"domain": "example.com"}, find_existing=lambda: found) == found
    assert service.calls("POST", DOMAINS) == 1


def test_a_create_is_repeated_after_429_because_nothing_happened() -> None:
    answers = iter([httpx.Response(429, json={"success": 0}), ok()])
    service = FakeService(lambda request: next(answers))
    client, _ = make_client(service)
    client.create(DOMAINS, {"domain": "example.com"}, find_existing=lambda: None)
    assert service.calls("POST", DOMAINS) == 2


def test_create_after_a_dropped_connection_looks_up_instead_of_repeating() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("peer closed connection", request=request)

    service = FakeService(handler)
    client, _ = make_client(service)
    found = client.create(DOMAINS, {"domain": "example.com"}, find_existing=lambda: {"id": 1})
    assert found == {"id": 1}
    assert service.calls("POST", DOMAINS) == 1


def test_create_repeats_when_the_lookup_finds_nothing() -> None:
    answers = iter([httpx.ReadTimeout("slow"), ok({"domain_id": 5})])

    def handler(request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    lookups: list[int] = []
    service = FakeService(handler)
    client, _ = make_client(service)
    result = client.create(DOMAINS, {"domain": "x.com"}, find_existing=lambda: lookups.append(1))
    assert result == {"domain_id": 5}
    assert lookups == [1, 1]  # after the timeout, and again just before the second POST
    assert service.calls("POST", DOMAINS) == 2


def test_a_refused_auth_token_is_renewed_once() -> None:
    answers = iter([fail(401, "Authentication expired."), ok([])])
    service = FakeService(lambda request: next(answers))
    client, _ = make_client(service)
    assert client.get(DOMAINS) == []
    assert service.auth_count == 2


def auth_of(request: httpx.Request) -> str:
    """The auth token a request was signed with."""
    cookie = request.headers["Cookie"].removeprefix("signature=")
    return cookie.rpartition(":")[0]


def test_a_token_expiring_in_a_retry_chain_is_renewed_once() -> None:
    """The first try meets a server error, the retry an expired token: one new token, and
    the request goes on retrying with it."""
    expired: set[str] = set()
    answers = iter([fail(503, "busy"), fail(503, "busy again"), ok([])])

    def handler(request: httpx.Request) -> httpx.Response:
        if auth_of(request) in expired:
            return fail(401, "Authentication expired.")
        answer = next(answers)
        if answer.status_code == 503 and not expired:
            expired.add(auth_of(request))  # the token expires while the client backs off
        return answer

    service = FakeService(handler)
    client, _ = make_client(service)
    assert client.get(DOMAINS) == []
    assert service.auth_count == 2
    assert service.calls("GET", DOMAINS) == 4


def test_a_token_expiring_while_a_create_is_looked_up_is_renewed_once() -> None:
    """A create times out; the token expires before the look-up. The look-up renews it, and
    the second look-up and the repeated create use the new one: one renewal in the chain."""
    expired: set[str] = set()
    posts = iter([httpx.ReadTimeout("slow"), ok({"domain_id": 5})])

    def handler(request: httpx.Request) -> httpx.Response:
        if auth_of(request) in expired:
            return fail(401, "Authentication expired.")
        if request.method == "GET":
            return ok([])
        answer = next(posts)
        if isinstance(answer, Exception):
            expired.add(auth_of(request))
            raise answer
        return answer

    service = FakeService(handler)
    client, slept = make_client(service, timeout=2.0)
    lookups: list[object] = []

    def find() -> object:
        lookups.append(client.get(DOMAINS))
        return None

    assert client.create(DOMAINS, {"domain": "x.com"}, find_existing=find) == {"domain_id": 5}
    assert service.auth_count == 2
    assert lookups == [[], []] and slept[:2] == [1.0, 1.0]  # the timeout, before looking
    assert service.calls("POST", DOMAINS) == 2


def test_threads_meeting_one_expired_token_renew_it_once() -> None:
    expired: set[str] = set()
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def handler(request: httpx.Request) -> httpx.Response:
        if auth_of(request) in expired:
            return fail(401, "Authentication expired.")
        return ok([])

    service = FakeService(handler)
    client, _ = make_client(service)
    assert client.get(DOMAINS) == []
    expired.add(auth_of(service.requests[-1]))
    answers: list[object] = []

    def read() -> None:
        barrier.wait()
        result = client.get(DOMAINS)
        with lock:
            answers.append(result)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [[]] * 4
    assert service.auth_count == 2


def test_wrong_credentials_raise_authentication_error_without_the_secret() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return fail(401, "Invalid signature.")

    client = LuxSciClient(
        CREDENTIALS,
        transport=httpx.MockTransport(refuse),
        rate_limit=False,
        sleep=lambda _: None,
    )
    with pytest.raises(AuthenticationError) as caught:
        client.get(DOMAINS)
    assert "Invalid signature." in str(caught.value)
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(client)
    assert SECRET not in repr(CREDENTIALS)


@pytest.mark.parametrize(
    ("status", "error_type", "method"),
    # (a DELETE answered 404 is done: test_a_delete_of_an_object_already_gone_succeeds)
    [(403, PermissionDenied, "DELETE"), (404, NotFound, "GET"), (409, Conflict, "DELETE")],
)
def test_statuses_map_to_typed_errors_with_the_operation(
    status: int, error_type: type, method: str
) -> None:
    service = FakeService(lambda request: fail(status, "Domain is in use and cannot be deleted."))
    client, _ = make_client(service)
    call = client.delete if method == "DELETE" else client.get
    with pytest.raises(error_type) as caught:
        call(client.account_path("domains", "example.com"))
    assert caught.value.operation == f"{method} /perl/api/v2/account/42/domains/example.com"
    assert caught.value.message == "Domain is in use and cannot be deleted."


def test_unknown_fields_in_answers_are_kept() -> None:
    service = FakeService(lambda request: ok([{"domain": "a.com", "brand_new": {"x": 1}}]))
    client, _ = make_client(service)
    assert client.get(DOMAINS) == [{"domain": "a.com", "brand_new": {"x": 1}}]


def test_connection_refused_is_retried_then_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    service = FakeService(handler)
    client, _ = make_client(service, retry=RetryPolicy(attempts=2))
    with pytest.raises(TransportError, match="ConnectError"):
        client.get(DOMAINS)


def test_report_pages_until_total_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [{"list_id": n} for n in range(12)]

    def handler(request: httpx.Request) -> httpx.Response:
        first = int(request.url.params["first_row"])
        body = {"success": 1, "data": rows[first : first + 5], "total_matches": len(rows)}
        return httpx.Response(200, json=body)

    service = FakeService(handler)
    client, _ = make_client(service)
    monkeypatch.setattr("mailform.services.luxsci.client.REPORT_PAGE_SIZE", 5)
    assert client.get_report("/perl/api/v2/user/a@b.c/marketing/lists") == rows
    assert service.calls("GET", "/perl/api/v2/user/a@b.c/marketing/lists") == 3


def test_close_revokes_the_session() -> None:
    service = FakeService(lambda request: ok([]))
    client, _ = make_client(service)
    client.get(DOMAINS)
    client.close()
    assert service.calls("DELETE", "/perl/api/v2/auth") == 1


def test_query_encoding_keeps_order_and_skips_none() -> None:
    assert encode_query({"b": "x y", "a": None, "c": True}) == "b=x%20y&c=1"


def test_credentials_from_env_name_what_is_missing() -> None:
    with pytest.raises(ConfigurationError, match="LUXSCI_API_SECRET"):
        LuxSciCredentials.from_env({"LUXSCI_API_TOKEN": "t", "LUXSCI_ACCOUNT_ID": "1"})


def test_a_delete_of_an_object_already_gone_succeeds() -> None:
    """A retried DELETE whose first attempt was done (its answer lost) finds nothing: the
    goal, the object gone, holds, so the change is done, as LianaMailer's deletes are."""
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) == 1:
            return httpx.Response(502, json={"success": 0, "error_message": "bad gateway"})
        return fail(404, "No such alias")

    service = FakeService(handler)
    client, _ = make_client(service)

    assert client.delete(client.account_path("aliases", "a@example.com")) is None
    assert len(attempts) == 2
