"""The token bucket spaces requests at the configured rate, across threads."""

import threading

import pytest

from mailform.http import TokenBucket
from tests.http.faketime import FakeTime


def test_burst_passes_at_once_then_requests_wait_one_interval_each() -> None:
    time = FakeTime()
    bucket = TokenBucket(60, 60.0, burst=3, clock=time.clock, sleep=time.sleep)
    waits = [bucket.acquire() for _ in range(5)]
    assert waits[:3] == [0, 0, 0]
    assert waits[3] == 1.0
    assert waits[4] == 1.0
    assert time.now == 2.0


def test_tokens_refill_while_idle_up_to_the_burst() -> None:
    time = FakeTime()
    bucket = TokenBucket(60, 60.0, burst=2, clock=time.clock, sleep=time.sleep)
    bucket.acquire()
    bucket.acquire()
    time.now += 100
    assert [bucket.acquire(), bucket.acquire()] == [0, 0]
    assert bucket.acquire() == 1.0


def test_threads_share_one_budget() -> None:
    bucket = TokenBucket(1000, 1.0, burst=10)
    passed: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            bucket.acquire()
            with lock:
                passed.append(1)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == 20


def test_limiter_options_follow_the_user_s_rate() -> None:
    from mailform.http.ratelimit import limiter_options

    assert limiter_options(None, burst=5) == {}
    assert limiter_options(0, burst=5) == {"rate_limit": False}
    bucket = limiter_options(120, burst=2)["limiter"]
    assert (bucket.rate, bucket.per, bucket.capacity) == (120, 60.0, 2)


def test_a_rounding_error_never_makes_the_bucket_spin() -> None:
    # 4 per 1.05 s: after sleeping the computed delay the bucket can hold 0.9999999… tokens,
    # and a clock that only moves by sleeps cannot move by the 1e-17 s still "missing".
    now, sleeps = [0.0], [0]

    def sleep(seconds: float) -> None:
        sleeps[0] += 1
        assert sleeps[0] < 1000, "the bucket spins"
        now[0] += seconds

    bucket = TokenBucket(4, 1.05, burst=1, clock=lambda: now[0], sleep=sleep)
    for _ in range(50):
        bucket.acquire()
    assert now[0] == pytest.approx(49 * 1.05 / 4)
