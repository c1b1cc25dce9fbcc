"""The sliding-window limiter never lets more than its limit into any window, counting each
request from when its answer arrived, across threads."""

import threading

from mailform.http import SlidingWindow
from mailform.http.ratelimit import limiter_options
from tests.http.faketime import FakeTime


def sent_at(
    limiter: SlidingWindow, time: FakeTime, count: int, latency: float = 0.0
) -> list[float]:
    """The moments ``count`` requests are sent one after another, each answered after
    ``latency`` seconds."""
    moments = []
    for _ in range(count):
        limiter.acquire()
        moments.append(time.now)
        time.now += latency
        limiter.release()
    return moments


def test_the_limit_goes_at_once_then_each_waits_for_a_place() -> None:
    time = FakeTime()
    limiter = SlidingWindow(3, 60.0, clock=time.clock, sleep=time.sleep)
    assert sent_at(limiter, time, 5) == [0, 0, 0, 60.0, 60.0]


def test_no_window_ever_holds_more_than_the_limit() -> None:
    time = FakeTime()
    limiter = SlidingWindow(60, 60.0, clock=time.clock, sleep=time.sleep)
    moments = sent_at(limiter, time, 300, latency=0.05)
    for index, start in enumerate(moments):
        in_window = [m for m in moments[index:] if m < start + 60.0]
        assert len(in_window) <= 60
    # and the window is used: 300 requests in about 4 minutes plus the round trips
    assert moments[-1] < 4 * 60.0 + 300 * 0.05 + 1


def test_a_request_in_flight_counts_until_its_answer() -> None:
    time = FakeTime()
    limiter = SlidingWindow(1, 1.0, clock=time.clock, sleep=time.sleep)
    limiter.acquire()
    time.now += 5.0  # the answer takes 5 s: the next request may not go before it
    limiter.release()
    assert limiter.acquire() == 1.0


def test_threads_share_one_budget() -> None:
    limiter = SlidingWindow(1000, 1.0)
    passed: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            limiter.acquire()
            with lock:
                passed.append(1)
            limiter.release()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == 20


def test_limiter_options_follow_the_user_s_rate() -> None:
    assert limiter_options(None) == {}
    assert limiter_options(0) == {"rate_limit": False}
    limiter = limiter_options(120)["limiter"]
    assert (limiter.limit, limiter.window) == (120, 60.0)
