"""What the retry policy repeats, and how long it waits."""

import random

import httpx

from mailform.http import RetryPolicy
from mailform.http.retry import parse_retry_after


def test_backoff_grows_exponentially_with_full_jitter_and_a_cap() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, rng=random.Random(1))
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)]:
        assert 0 <= policy.backoff(attempt) <= ceiling


def test_retry_after_wins_over_backoff_but_is_capped() -> None:
    policy = RetryPolicy(max_delay=10.0)
    assert policy.delay_for(1, httpx.Response(429, headers={"Retry-After": "3"})) == 3
    assert policy.delay_for(1, httpx.Response(429, headers={"Retry-After": "600"})) == 10


def test_only_idempotent_requests_repeat_after_server_errors() -> None:
    policy = RetryPolicy()
    assert policy.may_retry_status(503, idempotent=True)
    assert policy.may_retry_status(502, idempotent=True)
    assert not policy.may_retry_status(503, idempotent=False)
    assert policy.may_retry_status(429, idempotent=False)
    assert not policy.may_retry_status(404, idempotent=True)


def test_unsent_requests_repeat_always_sent_ones_only_if_idempotent() -> None:
    policy = RetryPolicy()
    request = httpx.Request("POST", "https://x.test/")
    assert policy.may_retry_error(httpx.ConnectError("no", request=request), idempotent=False)
    assert not policy.may_retry_error(httpx.ReadTimeout("slow", request=request), idempotent=False)
    assert policy.may_retry_error(httpx.ReadTimeout("slow", request=request), idempotent=True)


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
