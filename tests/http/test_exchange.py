"""What the shared exchange repeats and what it does not: a fake service scripted with
``httpx.MockTransport`` answers, a fake sleep records every wait, and nothing is sent twice
that may have been done once."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from mailform.errors import (
    ApiError,
    ServerError,
    ServiceUnavailable,
    TransportError,
    api_error_for_status,
)
from mailform.http import (
    AmbiguousOutcome,
    CircuitBreaker,
    Exchange,
    RetryPolicy,
    SlidingWindow,
    json_object,
)

Answer = httpx.Response | Exception


class FakeService:
    """Answers each request with the next scripted answer (the last one repeats); an
    exception is raised as a transport failure. Records every request."""

    def __init__(self, *answers: Answer, events: list[str] | None = None) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.events = events if events is not None else []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.events.append("send")
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class RecordingLimiter(SlidingWindow):
    """A limiter that never waits and notes each place taken and given back."""

    def __init__(self, events: list[str]) -> None:
        super().__init__(1000, 1.0)
        self.events = events

    def acquire(self) -> float:
        self.events.append("acquire")
        return super().acquire()

    def release(self) -> None:
        self.events.append("release")
        super().release()


class CutOff(httpx.SyncByteStream):
    """A body that breaks half-way: the status and headers arrived, the rest did not."""

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"id":'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


def parse(response: httpx.Response, operation: str) -> dict[str, Any]:
    if response.status_code >= 400:
        raise api_error_for_status(response.status_code)(
            "refused", service="test", operation=operation, status_code=response.status_code
        )
    return response.json()


def make_exchange(
    service: FakeService, **kwargs: Any
) -> tuple[Exchange, list[float], Callable[[], httpx.Request]]:
    slept: list[float] = []
    exchange = Exchange(
        "https://service.test",
        service="test",
        parse=parse,
        transport=httpx.MockTransport(service),
        sleep=slept.append,
        **kwargs,
    )

    def build() -> httpx.Request:
        service.events.append("build")
        return exchange.http.build_request("POST", "/things", content=b'{"name":"a"}')

    return exchange, slept, build


def test_a_429_is_retried_after_the_wait_the_service_asked_for() -> None:
    service = FakeService(
        httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json={"id": 1})
    )
    exchange, slept, build = make_exchange(service)
    assert exchange.send(build, operation="POST /things", idempotent=False) == {"id": 1}
    assert slept == [2.0]
    assert len(service.requests) == 2


def test_an_idempotent_request_is_retried_after_a_server_error() -> None:
    service = FakeService(httpx.Response(503), httpx.Response(200, json={"ok": True}))
    exchange, slept, build = make_exchange(service)
    assert exchange.send(build, operation="PUT /things", idempotent=True) == {"ok": True}
    assert len(service.requests) == 2
    assert len(slept) == 1


def test_a_non_idempotent_request_is_not_repeated_after_a_server_error() -> None:
    service = FakeService(httpx.Response(503), httpx.Response(200, json={"id": 1}))
    exchange, slept, build = make_exchange(service)
    with pytest.raises(AmbiguousOutcome) as caught:
        exchange.send(build, operation="POST /things", idempotent=False)
    assert isinstance(caught.value.error, ServerError)
    assert caught.value.error.operation == "POST /things"
    assert len(service.requests) == 1
    assert slept == []


def test_a_non_idempotent_request_dropped_after_sending_is_ambiguous() -> None:
    service = FakeService(httpx.ReadTimeout("slow"))
    exchange, _, build = make_exchange(service)
    with pytest.raises(AmbiguousOutcome) as caught:
        exchange.send(build, operation="POST /things", idempotent=False)
    assert isinstance(caught.value.error, TransportError)
    assert isinstance(caught.value.error.__cause__, httpx.ReadTimeout)
    assert len(service.requests) == 1


def test_a_connection_never_made_is_retried_even_for_a_non_idempotent_request() -> None:
    service = FakeService(httpx.ConnectError("refused"), httpx.Response(200, json={"id": 1}))
    exchange, slept, build = make_exchange(service)
    assert exchange.send(build, operation="POST /things", idempotent=False) == {"id": 1}
    assert len(service.requests) == 2
    assert len(slept) == 1


def test_when_retries_run_out_the_plain_error_is_raised() -> None:
    service = FakeService(httpx.ConnectError("refused"))
    exchange, _, build = make_exchange(service, retry=RetryPolicy(attempts=3))
    with pytest.raises(TransportError) as caught:
        exchange.send(build, operation="POST /things", idempotent=False)
    assert caught.value.operation == "POST /things"
    assert len(service.requests) == 3


def test_an_ambiguous_outcome_raises_the_error_it_wraps_for_a_caller_that_does_not_look() -> None:
    service = FakeService(httpx.Response(502))
    exchange, _, build = make_exchange(service)
    with pytest.raises(ServerError):
        try:
            exchange.send(build, operation="POST /things", idempotent=False)
        except AmbiguousOutcome as ambiguous:
            ambiguous.raise_error()


def test_create_once_returns_what_find_existing_finds_and_posts_only_once() -> None:
    service = FakeService(httpx.Response(500), httpx.Response(200, json={"id": 2}))
    exchange, _, build = make_exchange(service)
    found = {"id": 1, "name": "a"}
    result = exchange.create_once(
        lambda: exchange.send(build, operation="POST /things", idempotent=False),
        find_existing=lambda: found,
        operation="POST /things",
    )
    assert result is found
    assert len(service.requests) == 1


def test_create_once_tries_again_when_the_object_is_not_there() -> None:
    service = FakeService(httpx.ReadTimeout("slow"), httpx.Response(200, json={"id": 2}))
    exchange, slept, build = make_exchange(service, timeout=1.5)
    looked: list[int] = []
    result = exchange.create_once(
        lambda: exchange.send(build, operation="POST /things", idempotent=False),
        find_existing=lambda: looked.append(1),
        operation="POST /things",
    )
    assert result == {"id": 2}
    assert len(looked) == 2
    assert len(service.requests) == 2
    assert len(slept) == 3 and slept[:2] == [1.0, 0.5]  # the timeout, in steps; the backoff


def test_after_a_timeout_the_create_is_given_the_timeout_to_finish_then_looked_up_twice() -> None:
    """The service may still be working on a create the client gave up on: the first look
    comes a whole timeout later, the second immediately before the create is sent again."""
    events: list[str] = []
    service = FakeService(
        httpx.ReadTimeout("slow"), httpx.Response(200, json={"id": 2}), events=events
    )
    exchange = Exchange(
        "https://service.test",
        service="test",
        parse=parse,
        transport=httpx.MockTransport(service),
        timeout=2.0,
        retry=RetryPolicy(base_delay=0.0),
        sleep=lambda seconds: events.append(f"sleep {seconds:.1f}"),
    )

    def post() -> Any:
        return exchange.send(
            lambda: exchange.http.build_request("POST", "/things"),
            operation="POST /things",
            idempotent=False,
        )

    def find() -> None:
        events.append("look")

    assert exchange.create_once(post, find_existing=find, operation="POST /things") == {"id": 2}
    assert events == [
        *("send", "sleep 1.0", "sleep 1.0", "look"),  # the timeout, checking the breaker
        *("sleep 0.0", "look", "send"),  # the backoff (none, here), a second look, the repeat
    ]


def test_the_wait_before_the_lookup_ends_when_the_service_is_found_down() -> None:
    service = FakeService(httpx.ReadTimeout("slow"))
    breaker = CircuitBreaker(service="test", threshold=1)
    exchange, slept, build = make_exchange(service, timeout=30.0, breaker=breaker)

    def find() -> Any:
        return exchange.send(build, operation="GET /things", idempotent=True)

    with pytest.raises(ServiceUnavailable):
        exchange.create_once(
            lambda: exchange.send(build, operation="POST /things", idempotent=False),
            find_existing=find,
            operation="POST /things",
        )
    assert slept == [] and len(service.requests) == 1


@pytest.mark.parametrize(
    ("answer", "settled"),
    [
        (httpx.Response(200, stream=CutOff()), True),
        (httpx.Response(503), True),
        (httpx.Response(500), True),
        (httpx.Response(504), False),
        (httpx.Response(502), False),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), False),
        (httpx.ReadError("connection reset"), False),
        (httpx.WriteTimeout("slow"), False),
    ],
)
def test_an_ambiguous_outcome_says_whether_the_service_had_finished(
    answer: Answer, settled: bool
) -> None:
    """An answer that arrived, even cut off, or a service's own error, means it had finished
    with the request; no answer, or a gateway's, means it may still be working on it."""
    exchange, _, build = make_exchange(FakeService(answer))
    with pytest.raises(AmbiguousOutcome) as caught:
        exchange.send(build, operation="POST /things", idempotent=False)
    assert caught.value.settled is settled


def test_a_settled_outcome_is_looked_up_at_once() -> None:
    service = FakeService(httpx.Response(200, stream=CutOff()))
    exchange, slept, build = make_exchange(service, timeout=30.0)
    found = {"id": 1}
    result = exchange.create_once(
        lambda: exchange.send(build, operation="POST /things", idempotent=False),
        find_existing=lambda: found,
        operation="POST /things",
    )
    assert result is found and slept == [] and len(service.requests) == 1


def test_create_once_raises_the_last_error_when_the_attempts_run_out() -> None:
    service = FakeService(httpx.Response(503))
    exchange, _, build = make_exchange(service, retry=RetryPolicy(attempts=2))
    with pytest.raises(ServerError):
        exchange.create_once(
            lambda: exchange.send(build, operation="POST /things", idempotent=False),
            find_existing=lambda: None,
            operation="POST /things",
        )
    assert len(service.requests) == 2


def test_every_attempt_waits_for_a_place_then_is_built_afresh() -> None:
    events: list[str] = []
    service = FakeService(
        httpx.Response(429), httpx.Response(503), httpx.Response(200, json={}), events=events
    )
    exchange, _, build = make_exchange(service, limiter=RecordingLimiter(events))
    exchange.send(build, operation="GET /things", idempotent=True)
    assert events == ["acquire", "build", "send", "release"] * 3


def test_requests_sent_counts_every_attempt_failed_ones_included() -> None:
    service = FakeService(
        httpx.ConnectError("refused"), httpx.Response(429), httpx.Response(200, json={})
    )
    exchange, _, build = make_exchange(service)
    exchange.send(build, operation="GET /things", idempotent=True)
    assert exchange.requests_sent == 3
    exchange.send(build, operation="GET /things", idempotent=True)
    assert exchange.requests_sent == 4


def test_a_refused_request_raises_the_error_parse_chose_without_retrying() -> None:
    service = FakeService(httpx.Response(404))
    exchange, slept, build = make_exchange(service)
    with pytest.raises(ApiError) as caught:
        exchange.send(build, operation="GET /things", idempotent=True)
    assert caught.value.status_code == 404
    assert len(service.requests) == 1
    assert slept == []


def test_an_answer_that_is_not_a_json_object_is_an_error_typed_by_its_status() -> None:
    page = httpx.Response(
        502, text="<html>Bad gateway</html>", headers={"Content-Type": "text/html"}
    )
    with pytest.raises(ServerError, match="not a JSON object"):
        json_object(page, service="test", operation="GET /things")
    with pytest.raises(ApiError):
        json_object(httpx.Response(200, json=[1]), service="test", operation="GET /things")
    assert json_object(httpx.Response(200, json={"a": 1}), service="t", operation="x") == {"a": 1}


def test_a_dead_service_opens_the_breaker_and_later_requests_are_not_sent() -> None:
    service = FakeService(httpx.ConnectError("refused"))
    breaker = CircuitBreaker(service="test", threshold=4, cool_down=60)
    exchange, _, build = make_exchange(service, retry=RetryPolicy(attempts=3), breaker=breaker)
    with pytest.raises(TransportError):
        exchange.send(build, operation="GET /things", idempotent=True)
    with pytest.raises(ServiceUnavailable, match="the last 4 attempts failed"):
        exchange.send(build, operation="GET /things", idempotent=True)
    assert len(service.requests) == exchange.requests_sent == 4
    with pytest.raises(ServiceUnavailable):
        exchange.send(build, operation="POST /things", idempotent=False)
    assert len(service.requests) == 4


def test_any_answer_but_a_server_error_closes_the_breakers_count() -> None:
    service = FakeService(
        httpx.Response(503), httpx.Response(503), httpx.Response(404), httpx.Response(503)
    )
    breaker = CircuitBreaker(service="test", threshold=3)
    exchange, _, build = make_exchange(service, retry=RetryPolicy(attempts=1), breaker=breaker)
    for _ in range(4):
        with pytest.raises(ApiError):
            exchange.send(build, operation="GET /things", idempotent=True)
    assert not breaker.is_open


def test_an_https_client_verifies_certificates_and_a_plain_http_one_loads_none() -> None:
    """The certificate store costs tens of milliseconds to load; a client of a plain-http
    base URL (the local sandbox) opens no TLS connection, so it does without."""
    secure = Exchange("https://api.example.com", service="luxsci", parse=lambda r, o: {})
    context = secure.http._transport._pool._ssl_context  # type: ignore[attr-defined]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    plain = Exchange("http://127.0.0.1:8080", service="luxsci", parse=lambda r, o: {})
    context = plain.http._transport._pool._ssl_context  # type: ignore[attr-defined]
    assert context.verify_mode == ssl.CERT_NONE
