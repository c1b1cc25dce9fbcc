"""A thread-safe token bucket, so that every thread of a process shares one request budget.

The plan/apply engine and the Pulumi plugin (which serves four threads) issue requests
concurrently; a per-thread or per-call limiter would let them overrun the service's limit
together. One bucket per client, shared by all its threads, keeps the sum under it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

_EPSILON = 1e-9


class TokenBucket:
    """Allows ``rate`` requests per ``per`` seconds on average, and bursts of ``burst``.

    ``acquire()`` blocks until a token is free. In any window of ``per`` seconds at most
    ``burst + rate`` requests pass, so choose a small burst when the service's limit is
    strict; the client still honours the service's 429 answers on top of this.
    """

    def __init__(
        self,
        rate: float,
        per: float = 60.0,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or per <= 0:
            raise ValueError("rate and per must be positive")
        self.rate = rate
        self.per = per
        self.capacity = float(burst if burst is not None else max(1, int(rate // 12)))
        self._tokens = self.capacity
        self._fill_rate = rate / per
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, waiting as long as needed; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(
                    self.capacity, self._tokens + (now - self._updated) * self._fill_rate
                )
                self._updated = now
                # within a rounding error of a whole token counts as one: after sleeping the
                # computed delay, float arithmetic can leave 0.9999999…, and sleeping the
                # remaining 1e-16 s again would never move a coarse clock forward.
                if self._tokens >= 1 - _EPSILON:
                    self._tokens = max(0.0, self._tokens - 1)
                    return waited
                delay = (1 - self._tokens) / self._fill_rate
            self._sleep(delay)
            waited += delay

    def __repr__(self) -> str:
        return f"TokenBucket(rate={self.rate}, per={self.per}, burst={int(self.capacity)})"


def limiter_options(requests_per_minute: float | None, *, burst: int) -> dict[str, Any]:
    """A client's keyword options for a rate a user chose (``--rate-limit``, the
    ``rateLimit`` config): None keeps the client's documented default, 0 turns its limiter
    off (for the local sandbox), any other value is a bucket of that many per minute."""
    if requests_per_minute is None:
        return {}
    if requests_per_minute <= 0:
        return {"rate_limit": False}
    return {"limiter": TokenBucket(requests_per_minute, 60.0, burst=burst)}
