"""The circuit breaker: failures in a row across a client open it, an open breaker refuses
without sending for its cool-down, and an answer closes it."""

from __future__ import annotations

import pytest

from mailform.errors import ServiceUnavailable, TransportError
from mailform.http.breaker import COOL_DOWN_SECONDS, FAILURES_TO_OPEN, CircuitBreaker
from mailform.http.retry import RetryPolicy
from tests.http.faketime import FakeTime


def test_failures_in_a_row_open_it_for_the_cool_down() -> None:
    time = FakeTime()
    breaker = CircuitBreaker(service="luxsci", threshold=3, cool_down=30, clock=time.clock)
    for _ in range(2):
        breaker.failed("ConnectError")
        breaker.check("GET /domains")
    breaker.failed("HTTP 503")
    with pytest.raises(ServiceUnavailable) as refused:
        breaker.check("GET /domains")
    assert isinstance(refused.value, TransportError)
    assert refused.value.service == "luxsci" and refused.value.operation == "GET /domains"
    assert "the last 3 attempts failed (the last: HTTP 503)" in str(refused.value)
    time.sleep(29.9)
    assert breaker.is_open
    time.sleep(0.1)
    breaker.check("GET /domains")  # the cool-down is over: one may try


def test_after_the_cool_down_one_failure_opens_it_again_and_an_answer_closes_it() -> None:
    time = FakeTime()
    breaker = CircuitBreaker(service="luxsci", threshold=3, cool_down=30, clock=time.clock)
    for _ in range(3):
        breaker.failed("ReadTimeout")
    time.sleep(30)
    breaker.failed("ReadTimeout")
    assert breaker.is_open
    time.sleep(30)
    breaker.succeeded()
    assert not breaker.is_open
    breaker.failed("ReadTimeout")
    breaker.check("GET /domains")  # counting starts over


def test_an_answer_between_failures_starts_the_count_over() -> None:
    breaker = CircuitBreaker(service="lianamailer", threshold=3)
    for _ in range(5):
        breaker.failed("HTTP 503")
        breaker.failed("HTTP 503")
        breaker.succeeded()
    breaker.check("sites")


def test_the_defaults_need_more_than_one_requests_retries_and_outlast_its_backoff() -> None:
    policy = RetryPolicy()
    assert policy.attempts < FAILURES_TO_OPEN
    whole_backoff = sum(policy.base_delay * 2 ** (n - 1) for n in range(1, policy.attempts))
    assert whole_backoff < COOL_DOWN_SECONDS
    with pytest.raises(ValueError):
        CircuitBreaker(service="x", threshold=0)
