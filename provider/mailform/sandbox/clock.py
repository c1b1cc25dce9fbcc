"""The sandbox's notion of "now": wall-clock time plus an offset that tests can move.

Rolling 24-hour create limits, auth lifetimes and the allowed skew of a signed ``date`` all
depend on the time. Tests move the clock forward instead of sleeping, and the same clock is used
to check request dates, so a test client signs with ``clock.now()``.
"""

from __future__ import annotations

import math
import threading
import time

MAX_OFFSET = 50 * 365.25 * 86400
"""Fifty years, either way: as far as the clock may be moved from the wall clock. Every date
the sandbox reads, signs or answers with stays a valid date after 1970."""


def _checked(offset: float) -> float:
    if not math.isfinite(offset) or abs(offset) > MAX_OFFSET:
        raise ValueError(
            f"the clock may be moved at most {MAX_OFFSET:.0f} seconds (50 years) from the "
            f"wall clock, not {offset!r}"
        )
    return offset


class SandboxClock:
    """Wall-clock seconds since the epoch, shifted by an adjustable offset.

    Thread-safe: the server thread and test threads read it concurrently. The offset stays
    within :data:`MAX_OFFSET`; a move beyond raises ValueError and changes nothing.
    """

    def __init__(self, offset: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._offset = _checked(offset)

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
            self._offset = _checked(self._offset + seconds)
        return self.now()

    def set_offset(self, offset: float) -> None:
        """Set the offset from the wall clock, e.g. 0 to go back to real time."""
        checked = _checked(offset)
        with self._lock:
            self._offset = checked
