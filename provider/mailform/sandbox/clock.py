"""The sandbox's notion of "now": wall-clock time plus an offset that tests can move.

Rolling 24-hour create limits, auth lifetimes and the allowed skew of a signed ``date`` all
depend on the time. Tests move the clock forward instead of sleeping, and the same clock is used
to check request dates, so a test client signs with ``clock.now()``.
"""

from __future__ import annotations

import threading
import time


class SandboxClock:
    """Wall-clock seconds since the epoch, shifted by an adjustable offset.

    Thread-safe: the server thread and test threads read it concurrently.
    """

    def __init__(self, offset: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._offset = offset

    def now(self) -> float:
        """Return the current sandbox time in Unix seconds."""
        with self._lock:
            return time.time() + self._offset

    @property
    def offset(self) -> float:
        """Seconds the sandbox clock runs ahead of the wall clock (negative: behind)."""
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (backward if negative); return the new time."""
        with self._lock:
            self._offset += seconds
        return self.now()

    def set_offset(self, offset: float) -> None:
        """Set the offset from the wall clock, e.g. 0 to go back to real time."""
        with self._lock:
            self._offset = offset
