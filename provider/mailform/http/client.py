"""What every service's client shares: the exchange, the default limiter, the lifecycle.

Both clients are a signing scheme and an envelope on top of the same machinery: one
``Exchange`` (retries, rate limiting, duplicate-free creates, one connection pool), a count
of the requests sent, and closing. ``ApiClient`` holds that once; a service's client adds
its paths or call names, its signature and its envelope (``parse``).

``environment`` reads a service's credential variables and names every missing one, the
same way for every service.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import ClassVar, Self, TypedDict, Unpack

import httpx

from mailform.errors import ConfigurationError
from mailform.http.exchange import Exchange, Parse
from mailform.http.ratelimit import TokenBucket
from mailform.http.retry import RetryPolicy


class ClientOptions(TypedDict, total=False):
    """How a client talks, besides its credentials (every one has a default): the
    transport (the sandbox in-process, in tests), the timeout, the retry policy, the limiter
    (or ``rate_limit=False`` for none), and the sleep and clock (tests pass fakes)."""

    transport: httpx.BaseTransport | None
    timeout: float
    retry: RetryPolicy | None
    limiter: TokenBucket | None
    rate_limit: bool
    sleep: Callable[[float], None]
    clock: Callable[[], float]


class ApiClient:
    """A signed, rate-limited, retrying client of one service; safe to share between
    threads. Subclasses set ``service`` and give ``parse`` and the default limiter."""

    service: ClassVar[str]

    def __init__(
        self,
        base_url: str,
        *,
        parse: Parse,
        default_limiter: Callable[[], TokenBucket],
        logger: logging.Logger,
        **options: Unpack[ClientOptions],
    ) -> None:
        limiter = options.get("limiter")
        if limiter is None and options.get("rate_limit", True):
            limiter = default_limiter()
        self._exchange = Exchange(
            base_url,
            service=self.service,
            parse=parse,
            transport=options.get("transport"),
            timeout=options.get("timeout", 30.0),
            retry=options.get("retry"),
            limiter=limiter,
            sleep=options.get("sleep", time.sleep),
            logger=logger,
        )
        self._clock = options.get("clock", time.time)

    @property
    def requests_sent(self) -> int:
        """How many HTTP requests this client has sent, every attempt counted."""
        return self._exchange.requests_sent

    def close(self) -> None:
        """Close the connection pool."""
        self._exchange.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def environment(
    title: str, required: tuple[str, ...], environ: Mapping[str, str] | None = None
) -> Mapping[str, str]:
    """The variables (``environ``, default the process's), once every ``required`` one is
    set; raises ``ConfigurationError`` naming each missing variable (never a value)."""
    env = os.environ if environ is None else environ
    missing = [name for name in required if not env.get(name)]
    if missing:
        raise ConfigurationError(f"{title} credentials are incomplete: set " + ", ".join(missing))
    return env


__all__ = ["ApiClient", "ClientOptions", "environment"]
