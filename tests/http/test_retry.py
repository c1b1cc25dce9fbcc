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


def test_only_idempotent_methods_repeat_after_server_errors() -> None:
    policy = RetryPolicy()
    assert policy.may_retry_status("GET", 503)
    assert policy.may_retry_status("DELETE", 502)
    assert not policy.may_retry_status("POST", 503)
    assert policy.may_retry_status("POST", 429)
    assert not policy.may_retry_status("GET", 404)


def test_unsent_requests_repeat_for_any_method_sent_ones_only_if_idempotent() -> None:
    policy = RetryPolicy()
    request = httpx.Request("POST", "https://x.test/")
    assert policy.may_retry_error("POST", httpx.ConnectError("no", request=request))
    assert not policy.may_retry_error("POST", httpx.ReadTimeout("slow", request=request))
    assert policy.may_retry_error("PUT", httpx.ReadTimeout("slow", request=request))


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
