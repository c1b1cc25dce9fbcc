"""Client behaviour that needs exact control of the answers: the bytes sent and signed,
retries, error mapping, duplicate-free creates, the rate limit. Each test scripts a fake
service with ``httpx.MockTransport``; the sandbox integration tests cover the real protocol."""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Iterable

import httpx
import pytest

from mailform.errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    Conflict,
    InvalidRequest,
    NotFound,
    RateLimited,
    ServerError,
    TransportError,
)
from mailform.http import RetryPolicy, SlidingWindow
from mailform.http import client as client_base
from mailform.services.lianamailer import signing
from mailform.services.lianamailer.client import LianaMailerClient, LianaMailerCredentials
from tests.http.faketime import FakeTime

SECRET = "very-secret-value"
CREDENTIALS = LianaMailerCredentials(
    realm="EUR", user_id="123", secret=SECRET, url="https://liana.test"
)
NOW = 1_579_078_800  # 2020-01-15T09:00:00+00:00
EVENTS_PATH = (
    b"/api/v3/events?type=mailopen&at_start=2020-01-10T12:00:00&at_end=2020-01-10T15:00:00"
)

Answer = httpx.Response | Exception


class FakeService:
    """Answers each request with the next scripted answer (the last one repeats); an
    exception is raised as a transport failure. Records every request."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def ok(result: object = None) -> httpx.Response:
    return httpx.Response(200, json={"succeed": True, "result": result})


def refused(message: str, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(
        status, json={"succeed": False, "message": message}, headers=headers or None
    )


def make_client(
    service: FakeService, clock: Callable[[], float] = lambda: NOW, **kwargs: object
) -> tuple[LianaMailerClient, list[float]]:
    slept: list[float] = []
    client = LianaMailerClient(
        CREDENTIALS,
        transport=httpx.MockTransport(service),
        rate_limit=False,
        sleep=slept.append,
        clock=clock,
        **kwargs,  # type: ignore[arg-type]
    )
    return client, slept


def expected_authorization(request: httpx.Request) -> str:
    """The Authorization header recomputed from what the request carries on the wire."""
    body = request.content
    md5 = hashlib.md5(body).hexdigest()
    message = signing.string_to_sign(
        request.method, md5, request.headers["Date"], body, request.url.raw_path.decode()
    )
    return signing.authorization("EUR", "123", signing.signature(SECRET, message))


# -- what is sent ------------------------------------------------------------------------


def test_a_v1_call_sends_a_signed_json_array_byte_for_byte() -> None:
    service = FakeService(ok("example.com"))
    client, _ = make_client(service)
    assert client.call("createSite", "example.com", {"language": "EN", "ssl": True}) == (
        "example.com"
    )
    (request,) = service.requests
    assert request.method == "POST"
    assert request.url.raw_path == b"/api/v1/createSite"
    assert request.content == b'["example.com",{"language":"EN","ssl":true}]'
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Content-MD5"] == hashlib.md5(request.content).hexdigest()
    assert request.headers["Date"] == "2020-01-15T09:00:00+00:00"
    assert request.headers["Authorization"] == expected_authorization(request)


def test_the_documented_echo_request_is_sent_as_documented() -> None:
    service = FakeService(ok("hello"))
    client, _ = make_client(service)
    assert client.read("echoMessage", "hello") == "hello"
    (request,) = service.requests
    assert request.content == b'["hello"]'
    assert request.headers["Content-MD5"] == "1f0bf5038e61951a95c4a2a9db7c400a"
    assert request.headers["Authorization"] == expected_authorization(request)


def test_no_arguments_is_an_empty_array_and_non_ascii_is_sent_as_utf8() -> None:
    service = FakeService(ok([]))
    client, _ = make_client(service)
    client.read("getCustomerProperties")
    client.call("createConsentType", "Uutiskirje: jäsenet", True)
    assert service.requests[0].content == b"[]"
    assert service.requests[1].content == '["Uutiskirje: jäsenet",true]'.encode()
    assert service.requests[1].headers["Authorization"] == expected_authorization(
        service.requests[1]
    )


def test_a_v3_get_signs_the_query_as_sent_and_an_empty_body() -> None:
    items = {"items": [{"id": 1}], "next": None}
    service = FakeService(httpx.Response(200, json=items))
    client, _ = make_client(service)
    answer = client.request(
        "GET",
        "/api/v3/events",
        params={
            "type": "mailopen",
            "at_start": "2020-01-10T12:00:00",
            "at_end": "2020-01-10T15:00:00",
        },
    )
    assert answer == items  # V3 answers have no result member: the whole answer
    (request,) = service.requests
    assert request.method == "GET"
    assert request.url.raw_path == EVENTS_PATH
    assert request.content == b""
    assert request.headers["Content-MD5"] == "d41d8cd98f00b204e9800998ecf8427e"
    assert request.headers["Authorization"] == expected_authorization(request)


def test_query_values_are_percent_encoded_in_the_given_order() -> None:
    service = FakeService(ok([]))
    client, _ = make_client(service)
    client.request("GET", "/api/v3/things", params={"z": "a b&c", "a": None, "flag": True})
    (request,) = service.requests
    assert request.url.raw_path == b"/api/v3/things?z=a%20b%26c&flag=1"
    assert request.headers["Authorization"] == expected_authorization(request)


def test_a_v2_post_sends_its_payload_and_unwraps_the_result() -> None:
    service = FakeService(ok({"list_id": 7}))
    client, _ = make_client(service)
    assert client.request("POST", "/api/v2/import/mailinglist", payload={"name": "N"}) == {
        "list_id": 7
    }
    (request,) = service.requests
    assert request.content == b'{"name":"N"}'
    assert request.headers["Authorization"] == expected_authorization(request)


@pytest.mark.parametrize("result", [60, None, True, "example.com", {"id": 1}, [{"id": 1}]])
def test_the_result_is_unwrapped_whatever_its_type(result: object) -> None:
    client, _ = make_client(FakeService(ok(result)))
    assert client.call("anything") == result


def test_a_call_name_cannot_change_the_path() -> None:
    service = FakeService(ok())
    client, _ = make_client(service)
    with pytest.raises(ValueError, match="call name"):
        client.call("../v2/sites")
    assert service.requests == []


# -- errors ------------------------------------------------------------------------------


def test_401_is_an_authentication_error_and_is_not_retried() -> None:
    service = FakeService(refused("Signature does not match", 401))
    client, _ = make_client(service)
    with pytest.raises(AuthenticationError) as caught:
        client.read("sites")
    assert caught.value.message == "Signature does not match"
    assert (caught.value.service, caught.value.operation) == ("lianamailer", "sites")
    assert caught.value.status_code == 401
    assert len(service.requests) == 1


def test_an_unknown_call_is_not_found() -> None:
    client, _ = make_client(FakeService(refused("Unknown endpoint: /api/v1/nope", 404)))
    with pytest.raises(NotFound, match="Unknown endpoint"):
        client.call("nope")


def test_a_body_that_is_not_json_is_an_invalid_request() -> None:
    client, _ = make_client(FakeService(refused("Request body is not valid JSON", 400)))
    with pytest.raises(InvalidRequest):
        client.call("createSite", "x")


@pytest.mark.parametrize(
    ("message", "error_type"),
    [
        ("Mailinglist not found: 60", NotFound),
        ("Property not found: Plan", NotFound),
        ("Site already exists: example.com", Conflict),
        ("Property already exists: plan", Conflict),
        ("Site example.com is in use by mailinglists [60]", Conflict),
        ("Property name 'email' is reserved", InvalidRequest),
        ("createSite: unknown site settings: colour", InvalidRequest),
    ],
)
def test_a_refused_call_is_typed_from_its_message(message: str, error_type: type[ApiError]) -> None:
    service = FakeService(refused(message))
    client, _ = make_client(service)
    with pytest.raises(error_type) as caught:
        client.call("someCall", 1)
    assert type(caught.value) is error_type
    assert caught.value.message == message
    assert (caught.value.service, caught.value.operation) == ("lianamailer", "someCall")
    assert caught.value.status_code == 200
    assert len(service.requests) == 1


def test_an_answer_that_is_not_json_is_an_error() -> None:
    client, _ = make_client(FakeService(httpx.Response(200, text="<html>oops</html>")))
    with pytest.raises(ApiError, match="not a JSON object"):
        client.read("sites")


def test_a_request_error_names_method_and_path() -> None:
    client, _ = make_client(FakeService(refused("Not found", 404)))
    with pytest.raises(NotFound) as caught:
        client.request("GET", "/api/v3/events", params={"type": "x"})
    assert caught.value.operation == "GET /api/v3/events"


# -- retries -----------------------------------------------------------------------------


def test_429_is_retried_after_retry_after_even_for_a_call() -> None:
    service = FakeService(refused("Rate limit exceeded", 429, **{"Retry-After": "3"}), ok(5))
    client, slept = make_client(service)
    assert client.call("createConsentType", "News", True) == 5
    assert len(service.requests) == 2
    assert slept == [3.0]


def test_429_after_every_attempt_is_rate_limited() -> None:
    service = FakeService(refused("Rate limit exceeded", 429, **{"Retry-After": "1"}))
    client, slept = make_client(service, retry=RetryPolicy(attempts=3))
    with pytest.raises(RateLimited):
        client.call("createConsentType", "News", True)
    assert len(service.requests) == 3
    assert slept == [1.0, 1.0]


def test_every_attempt_is_signed_afresh_with_the_current_date() -> None:
    times = iter([NOW, NOW + 120])
    service = FakeService(refused("slow down", 429, **{"Retry-After": "120"}), ok(1))
    client, _ = make_client(service, clock=lambda: next(times))
    client.call("createConsentType", "News", True)
    first, second = service.requests
    assert first.headers["Date"] == "2020-01-15T09:00:00+00:00"
    assert second.headers["Date"] == "2020-01-15T09:02:00+00:00"
    assert second.headers["Authorization"] == expected_authorization(second)
    assert second.headers["Authorization"] != first.headers["Authorization"]


def test_a_call_is_not_repeated_after_503() -> None:
    service = FakeService(refused("temporarily unavailable", 503), ok(1))
    client, _ = make_client(service)
    with pytest.raises(ServerError, match="temporarily unavailable"):
        client.call("createMailingList", "News")
    assert len(service.requests) == 1


def test_a_read_is_retried_after_503() -> None:
    service = FakeService(refused("temporarily unavailable", 503), ok([{"domain": "a.fi"}]))
    client, _ = make_client(service)
    assert client.read("sites") == [{"domain": "a.fi"}]
    assert len(service.requests) == 2


def test_a_write_sets_values_outright_so_it_is_retried_after_503() -> None:
    service = FakeService(refused("temporarily unavailable", 503), ok(True))
    client, _ = make_client(service)
    assert client.write("updateSite", "a.fi", {"language": "EN"}) is True
    assert len(service.requests) == 2
    assert service.requests[0].content == service.requests[1].content


def test_a_delete_is_retried_and_an_object_already_gone_is_deleted() -> None:
    service = FakeService(
        refused("temporarily unavailable", 503), refused("Mailinglist not found: 4", 200)
    )
    client, _ = make_client(service)
    assert client.delete("deleteMailingList", 4) is None  # the lost first answer had done it
    assert len(service.requests) == 2
    in_use = FakeService(refused("Site a.fi is in use by mailinglists [4]", 200))
    client, _ = make_client(in_use)
    with pytest.raises(Conflict, match="in use"):
        client.delete("deleteSite", "a.fi")


def test_a_read_gives_up_after_the_policy_attempts() -> None:
    service = FakeService(refused("kaput", 500))
    client, _ = make_client(service, retry=RetryPolicy(attempts=3))
    with pytest.raises(ServerError, match="kaput"):
        client.read("sites")
    assert len(service.requests) == 3
    assert client.requests_sent == 3


def test_a_v3_get_is_retried_like_a_read() -> None:
    service = FakeService(refused("busy", 503), httpx.Response(200, json={"items": []}))
    client, _ = make_client(service)
    assert client.request("GET", "/api/v3/events") == {"items": []}
    assert len(service.requests) == 2


def test_a_call_whose_connection_drops_is_not_repeated() -> None:
    service = FakeService(httpx.RemoteProtocolError("peer closed connection"), ok(1))
    client, _ = make_client(service)
    with pytest.raises(TransportError, match="RemoteProtocolError"):
        client.call("createMailingList", "News")
    assert len(service.requests) == 1


def test_a_refused_connection_is_retried_even_for_a_call() -> None:
    service = FakeService(httpx.ConnectError("connection refused"), ok(9))
    client, _ = make_client(service)
    assert client.call("createMailingList", "News") == 9
    assert len(service.requests) == 2


def test_a_read_is_retried_after_a_timeout() -> None:
    service = FakeService(httpx.ReadTimeout("slow"), ok([]))
    client, _ = make_client(service)
    assert client.read("getMailingLists", 0) == []
    assert len(service.requests) == 2


# -- create ------------------------------------------------------------------------------


def test_create_after_a_dropped_connection_returns_what_exists_and_posts_once() -> None:
    service = FakeService(httpx.RemoteProtocolError("peer closed connection"))
    client, _ = make_client(service)
    found = client.create("createMailingList", "News", find_existing=lambda: 60)
    assert found == 60
    assert len(service.requests) == 1


def test_create_after_a_server_error_looks_before_it_repeats() -> None:
    service = FakeService(refused("kaput", 502), ok(61))
    lookups: list[int] = []
    client, _ = make_client(service)
    result = client.create("createMailingList", "News", find_existing=lambda: lookups.append(1))
    assert result == 61
    assert lookups == [1, 1]  # once the gateway gave up, and again just before the repeat
    assert len(service.requests) == 2


def test_create_gives_up_when_the_object_never_appears() -> None:
    service = FakeService(httpx.ReadTimeout("slow"))
    client, _ = make_client(service, retry=RetryPolicy(attempts=2))
    with pytest.raises(TransportError, match="ReadTimeout"):
        client.create("createMailingList", "News", find_existing=lambda: None)
    assert len(service.requests) == 2


def test_create_does_not_look_up_after_a_plain_refusal() -> None:
    service = FakeService(refused("Site already exists: a.fi"))
    client, _ = make_client(service)

    def never() -> object:
        raise AssertionError("find_existing must not be asked")

    with pytest.raises(Conflict):
        client.create("createSite", "a.fi", find_existing=never)


# -- secrets -----------------------------------------------------------------------------


def test_the_secret_and_signature_appear_in_no_repr_error_or_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    service = FakeService(refused("busy", 503), refused("Signature does not match", 401), ok(1))
    client, _ = make_client(service)
    with pytest.raises(AuthenticationError) as caught:
        client.read("sites")
    signatures = [r.headers["Authorization"].rpartition(":")[2] for r in service.requests]
    texts = [str(caught.value), repr(caught.value), repr(client), repr(CREDENTIALS), caplog.text]
    for text in texts:
        assert SECRET not in text
        assert not any(mac in text for mac in signatures)
    assert "sites -> 503" in caplog.text


# -- credentials -------------------------------------------------------------------------


def test_from_env_names_every_missing_variable() -> None:
    with pytest.raises(ConfigurationError) as caught:
        LianaMailerCredentials.from_env({"LIANAMAILER_USER_ID": "123"})
    message = str(caught.value)
    assert "LIANAMAILER_REALM" in message
    assert "LIANAMAILER_API_SECRET" in message
    assert "LIANAMAILER_USER_ID" not in message


def test_from_env_reads_every_variable_and_defaults_the_url() -> None:
    env = {
        "LIANAMAILER_REALM": "PV",
        "LIANAMAILER_USER_ID": "42",
        "LIANAMAILER_API_SECRET": SECRET,
    }
    credentials = LianaMailerCredentials.from_env(env)
    assert (credentials.realm, credentials.user_id, credentials.secret) == ("PV", "42", SECRET)
    assert credentials.base_url == "https://rest.lianamailer.com"
    local = LianaMailerCredentials.from_env({**env, "LIANAMAILER_API_URL": "http://127.0.0.1:9/"})
    assert local.base_url == "http://127.0.0.1:9"
    assert LianaMailerCredentials("EUR", "1", "s", url="rest.example").base_url == (
        "https://rest.example"
    )


def test_the_client_sends_to_the_credentials_url() -> None:
    service = FakeService(ok([]))
    client, _ = make_client(service)
    client.read("sites")
    assert str(service.requests[0].url) == "https://liana.test/api/v1/sites"


# -- rate limit --------------------------------------------------------------------------


def request_times(client: LianaMailerClient, fake: FakeTime, count: int) -> list[float]:
    times = []
    for _ in range(count):
        client.read("sites")
        times.append(fake.now)
    return times


def most_in_one_second(times: Iterable[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + 1.0 - 1e-9) for start in times)


def test_the_default_limiter_keeps_to_four_requests_per_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeTime()
    monkeypatch.setattr(
        client_base,
        "SlidingWindow",
        functools.partial(SlidingWindow, clock=fake.clock, sleep=fake.sleep),
    )
    client = LianaMailerClient(
        CREDENTIALS, transport=httpx.MockTransport(FakeService(ok([]))), clock=lambda: NOW
    )
    times = request_times(client, fake, 12)
    assert most_in_one_second(times) == 4
    assert times[-1] == pytest.approx(2.0)  # 4 at 0 s, 4 at 1 s, 4 at 2 s: the whole window


def test_rate_limit_false_sends_without_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeTime()
    monkeypatch.setattr(
        client_base,
        "SlidingWindow",
        functools.partial(SlidingWindow, clock=fake.clock, sleep=fake.sleep),
    )
    client = LianaMailerClient(
        CREDENTIALS,
        transport=httpx.MockTransport(FakeService(ok([]))),
        clock=lambda: NOW,
        rate_limit=False,
    )
    assert request_times(client, fake, 10) == [0.0] * 10


def test_a_given_limiter_is_used_for_every_attempt() -> None:
    fake = FakeTime()
    limiter = SlidingWindow(1, 0.5, clock=fake.clock, sleep=fake.sleep)
    service = FakeService(refused("busy", 503), ok([]))
    client = LianaMailerClient(
        CREDENTIALS,
        transport=httpx.MockTransport(service),
        limiter=limiter,
        sleep=lambda _: None,
        clock=lambda: NOW,
    )
    client.read("sites")
    assert fake.now == pytest.approx(0.5)
    assert client.requests_sent == 2
