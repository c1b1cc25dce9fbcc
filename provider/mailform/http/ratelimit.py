"""A thread-safe sliding-window limiter, so that every thread of a process shares one budget.

The services document their limits as a count per window ("60 requests per minute", "four
per second") and a strict server counts them in a sliding window: any window of that
length holds at most that many requests. A token bucket does not keep that promise (a full
bucket plus its refill puts more than the limit into one window, and a strict server
answers 429), so the limiter counts the way the server does.

It counts each request from when its answer arrived, not from when it was sent: the server
counted the request at some moment between the two, so a window that is clear of answers
is clear of the server's counts too, whatever the network did to the timing. A request
still in flight counts against every window. The cost is a window of one round trip longer
than the server's, under 1 % of a minute at usual latencies.

The plan/apply engine and the Pulumi plugin (four threads) issue requests concurrently; one
limiter per client, shared by all its threads, keeps the sum under the limit.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

#: How long a caller waits before looking again when every slot is in flight (an answer
#: frees a slot at a moment the limiter cannot foresee).
POLL_SECONDS = 0.02


class SlidingWindow:
    """At most ``limit`` requests in any ``window`` seconds.

    ``acquire()`` blocks until a request may be sent; ``release()`` says that its answer
    arrived (or that it failed), which starts its place in the window.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a limit needs at least 1 request per a positive window")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._ended: deque[float] = deque()
        self._in_flight = 0
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait until a request may go, and count it as in flight; returns the seconds
        waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._ended and self._ended[0] <= now - self.window:
                    self._ended.popleft()
                if self._in_flight + len(self._ended) < self.limit:
                    self._in_flight += 1
                    return waited
                delay = self._ended[0] + self.window - now if self._ended else POLL_SECONDS
            delay = max(delay, 1e-6)
            self._sleep(delay)
            waited += delay

    def release(self) -> None:
        """The request's answer arrived (or it failed): its place in the window starts now."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            self._ended.append(self._clock())

    def __repr__(self) -> str:
        return f"SlidingWindow(limit={self.limit}, window={self.window})"


def limiter_options(requests_per_minute: float | None) -> dict[str, Any]:
    """A client's keyword options for a rate a user chose (``--rate-limit``, the
    ``rateLimit`` config): None keeps the client's documented default, 0 turns its limiter
    off (for the local sandbox), any other value is that many requests in any minute."""
    if requests_per_minute is None:
        return {}
    if requests_per_minute <= 0:
        return {"rate_limit": False}
    return {"limiter": SlidingWindow(max(1, int(requests_per_minute)), 60.0)}
