"""Transport pieces shared by every API client: a rate limiter, a retry policy, a circuit
breaker, and the exchange that sends requests under them (``mailform.http.exchange``).

The names are imported on first use: the HTTP stack (httpx) costs a tenth of a second to
import, and the verbs that never send a request (``validate``, ``--help``, ``schema``) and
the modules that only check a URL (``mailform.http.baseurl``) should not pay it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mailform.http.breaker import CircuitBreaker
    from mailform.http.exchange import AmbiguousOutcome, Exchange, json_object
    from mailform.http.ratelimit import SlidingWindow
    from mailform.http.retry import RetryPolicy

__all__ = [
    "AmbiguousOutcome",
    "CircuitBreaker",
    "Exchange",
    "RetryPolicy",
    "SlidingWindow",
    "json_object",
]

_HOMES = {
    "AmbiguousOutcome": "exchange",
    "CircuitBreaker": "breaker",
    "Exchange": "exchange",
    "json_object": "exchange",
    "SlidingWindow": "ratelimit",
    "RetryPolicy": "retry",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
