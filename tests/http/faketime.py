"""A clock that only moves when someone sleeps, for rate-limiter tests."""

from __future__ import annotations


class FakeTime:
    """``clock`` and ``sleep`` for a ``SlidingWindow``: time advances by exactly what it sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
