"""When and how long to wait before trying a request again.

The policy is deliberately conservative about what it retries. A request that may have
changed the account (a POST create whose answer was lost) is never repeated blindly: the
client decides that case itself, by looking the object up first. This module only answers
"may this attempt be repeated, and after how long".
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

#: Methods that the HTTP semantics make idempotent: repeating them after an ambiguous
#: failure cannot create a second object. (A service whose every call is a POST says per
#: call which ones are idempotent.)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

#: Statuses that say "not now" rather than "no".
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

#: Transport errors raised before the request left this machine: safe for every method.
NOT_SENT_ERRORS: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, capped, honouring ``Retry-After``.

    ``attempts`` counts the first try; ``attempts=1`` disables retries.
    """

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(0, ceiling)

    def delay_for(self, attempt: int, response: httpx.Response | None) -> float:
        """The wait before the next attempt: the server's ``Retry-After`` when it sent one
        (capped at ``max_delay``), otherwise the jittered backoff."""
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                return min(self.max_delay, retry_after)
        return self.backoff(attempt)

    def may_retry_status(self, status_code: int, *, idempotent: bool) -> bool:
        """Whether an answer with this status may be repeated, for a request that is
        ``idempotent`` (doing it twice is doing it once) or not.

        429 is retryable for every request: the service refused it before doing anything.
        Server errors are retryable only for idempotent requests, because the change may
        have been committed before the failure.
        """
        if status_code == 429:
            return True
        return status_code in RETRYABLE_STATUSES and idempotent

    def may_retry_error(self, error: Exception, *, idempotent: bool) -> bool:
        """Whether a transport error may be repeated.

        A connection that was never established is safe for every request; a timeout or a
        dropped connection after sending is safe only for idempotent ones.
        """
        if isinstance(error, NOT_SENT_ERRORS):
            return True
        return isinstance(error, httpx.TransportError) and idempotent


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date; None if absent
    or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
