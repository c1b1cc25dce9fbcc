"""A circuit breaker over one client: when the service is down, stop asking it.

The retry policy is per request: each request against a dead service tries five times,
backing off, and each try takes a place in the rate limiter's window. An apply of many
changes then spends minutes proving, change by change, what the first few failures showed
(a LuxSci apply of 24 creates against a dead server: 120 tries at 60 a minute). The breaker
counts failures across every request of the client: after ``FAILURES_TO_OPEN`` in a row, it
*opens*, and every request fails at once with ``ServiceUnavailable`` (no network, no place in
the window) for ``COOL_DOWN_SECONDS``. The apply stops starting the service's changes when
one fails so (``mailform.engine.apply``) and reports them as not started.

What counts as a failure: an attempt that got no answer (a refused connection, a timeout, a
dropped connection) or a server error (5xx). Any other answer, a 429 or a 404 included,
shows the service is up, and resets the count.

After the cool-down the breaker lets requests through again; the first answer closes it,
the first failure opens it again at once (the count is still over the threshold), so that a
service that is still down costs one request per cool-down, not a new run of failures.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from mailform.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

#: Failures in a row, across every request of a client, that open the breaker. Two full
#: retry chains of one request (the retry policy tries five times): a single unlucky request
#: never opens it, and neither does a flaky service (at a 50 % error rate, ten failures in a
#: row come once in about 2,000 requests, and then only delay the run). A dead service
#: reaches it within the first few seconds of backoff.
FAILURES_TO_OPEN = 10

#: How long an open breaker refuses every request before letting requests try again. Longer
#: than one request's whole backoff (at most 7.5 s over the retry policy's five attempts),
#: so that every worker waking from a backoff meets the open breaker instead of the dead
#: service; short enough that a long-lived process (the Pulumi plugin) notices a recovery
#: soon.
COOL_DOWN_SECONDS = 30.0


class CircuitBreaker:
    """Counts consecutive failures of one client's attempts; thread-safe.

    ``check`` raises ``ServiceUnavailable`` while the breaker is open; ``succeeded`` and
    ``failed`` record each attempt's outcome. ``threshold`` failures in a row open it for
    ``cool_down`` seconds; ``clock`` is monotonic seconds (tests pass a fake).
    """

    def __init__(
        self,
        *,
        service: str,
        threshold: int = FAILURES_TO_OPEN,
        cool_down: float = COOL_DOWN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if threshold < 1 or cool_down < 0:
            raise ValueError("a breaker needs a threshold of at least 1 and a cool-down >= 0")
        self.service = service
        self.threshold = threshold
        self.cool_down = cool_down
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until: float | None = None
        self._last_failure = ""

    @property
    def is_open(self) -> bool:
        """Whether requests are refused now."""
        with self._lock:
            return self._open_until is not None and self._clock() < self._open_until

    def check(self, operation: str) -> None:
        """Raise ``ServiceUnavailable`` for ``operation`` while the breaker is open."""
        with self._lock:
            if self._open_until is None or self._clock() >= self._open_until:
                return
            left = self._open_until - self._clock()
            failures, last = self._failures, self._last_failure
        raise ServiceUnavailable(
            f"not sent: the last {failures} attempts failed (the last: {last}); the service "
            f"looks down, and nothing is sent to it for {left:.0f} s more",
            service=self.service,
            operation=operation,
            failures=failures,
            last_failure=last,
        )

    def succeeded(self) -> None:
        """An attempt got an answer that shows the service is up: close the breaker."""
        with self._lock:
            if self._open_until is not None:
                logger.info("succeeded: %s answers again; closing the breaker", self.service)
            self._failures = 0
            self._open_until = None

    def failed(self, what: str) -> None:
        """An attempt got no answer, or a server error (``what`` says which)."""
        with self._lock:
            self._failures += 1
            self._last_failure = what
            if self._failures < self.threshold:
                return
            reopened = self._open_until is not None
            self._open_until = self._clock() + self.cool_down
            failures = self._failures
        if reopened:
            logger.info("failed: %s still fails (%s); refusing requests again", self.service, what)
        else:
            logger.warning(
                "failed: %s failed %d times in a row (the last: %s); refusing requests to it "
                "for %.0f s",
                self.service,
                failures,
                what,
                self.cool_down,
            )
