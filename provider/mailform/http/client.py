"""What every service's client shares: the exchange, the default limiter, the lifecycle.

Both clients are a signing scheme and an envelope on top of the same machinery: one
``Exchange`` (retries, rate limiting, a circuit breaker, duplicate-free creates, one
connection pool), a count of the requests sent, and closing. ``ApiClient`` holds that once;
a service's client adds its paths or call names, its signature and its envelope
(``parse``).

Before anything is sent, the client checks where its credentials would go
(``mailform.http.baseurl``): over https, or over plain http only to this machine unless the
caller allows it (``insecure_http``).

``credentials_from`` reads a service's credentials from its variables and names every
missing one, the same way for every service.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, Protocol, Self, TypedDict, TypeVar, Unpack

import httpx

from mailform.errors import ConfigurationError
from mailform.http.baseurl import check_base_url
from mailform.http.breaker import CircuitBreaker
from mailform.http.exchange import Exchange
from mailform.http.ratelimit import SlidingWindow
from mailform.http.retry import RetryPolicy

C = TypeVar("C")


class ClientOptions(TypedDict, total=False):
    """How a client talks, besides its credentials (every one has a default): the
    transport (the sandbox in-process, in tests), the timeout, the retry policy, the limiter
    (or ``rate_limit=False`` for none), the circuit breaker (or ``circuit_breaker=False`` for
    none), the sleep and clock (tests pass fakes), and ``insecure_http``: whether plain http
    to a host other than this machine is allowed (``mailform.http.baseurl``; default no)."""

    transport: httpx.BaseTransport | None
    timeout: float
    retry: RetryPolicy | None
    limiter: SlidingWindow | None
    rate_limit: bool
    breaker: CircuitBreaker | None
    circuit_breaker: bool
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    insecure_http: bool


class Credentials(Protocol):
    """What a client needs of its credentials here: where to call."""

    @property
    def base_url(self) -> str: ...


Cred = TypeVar("Cred", bound=Credentials)


class ApiClient(Generic[Cred]):
    """A signed, rate-limited, retrying client of one service; safe to share between
    threads. Subclasses set ``service``, ``logger``, ``limit`` (the documented count of
    requests in any window of so many seconds), ``parse`` (the envelope),
    ``base_url_setting`` (the variable the base URL is read from) and ``exposed_in_clear``
    (what its requests would carry readable over plain http), for the messages.

    Raises ``ConfigurationError`` (``PlainHttpRefused`` for plain http to another machine)
    before sending anything when the base URL may not carry the credentials."""

    service: ClassVar[str]
    logger: ClassVar[logging.Logger]
    limit: ClassVar[tuple[int, float]]
    base_url_setting: ClassVar[str]
    exposed_in_clear: ClassVar[str]

    def __init__(self, credentials: Cred, **options: Unpack[ClientOptions]) -> None:
        check_base_url(
            credentials.base_url,
            setting=self.base_url_setting,
            exposes=self.exposed_in_clear,
            insecure_http=options.get("insecure_http", False),
            logger=self.logger,
        )
        self._credentials = credentials
        limiter = options.get("limiter")
        if limiter is None and options.get("rate_limit", True):
            limiter = SlidingWindow(*self.limit)
        breaker = options.get("breaker")
        if breaker is None and options.get("circuit_breaker", True):
            breaker = CircuitBreaker(service=self.service)
        self._exchange = Exchange(
            credentials.base_url,
            service=self.service,
            parse=self.parse,
            transport=options.get("transport"),
            timeout=options.get("timeout", 30.0),
            retry=options.get("retry"),
            limiter=limiter,
            breaker=breaker,
            sleep=options.get("sleep", time.sleep),
            logger=self.logger,
        )
        self._clock = options.get("clock", time.time)

    @staticmethod
    def parse(response: httpx.Response, operation: str) -> dict[str, Any]:
        """The answer's envelope when it is a success; the matching ``ApiError`` otherwise."""
        raise NotImplementedError

    def watch(
        self,
        *,
        request: Callable[[httpx.Request], None] | None = None,
        response: Callable[[httpx.Response], None] | None = None,
    ) -> None:
        """Call ``request`` with every request before it is sent and ``response`` with every
        answer as it arrives (before the client reads it), every attempt included.
        ``request`` refuses a request by raising: nothing is sent, and the exception reaches
        the caller as it is (``mailform doctor`` refuses every request that is not a read)."""
        hooks = self._exchange.http.event_hooks
        if request is not None:
            hooks["request"].append(request)
        if response is not None:
            hooks["response"].append(response)

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


def credentials_from(
    cls: type[C],
    title: str,
    required: Mapping[str, str],
    optional: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
) -> C:
    """Credentials of type ``cls`` read from the variables (``environ``, default the
    process's): ``required`` and ``optional`` map each field to its variable; an optional
    variable that is unset or empty leaves the field's default. Raises
    ``ConfigurationError`` naming each missing required variable (never a value)."""
    env = os.environ if environ is None else environ
    missing = [variable for variable in required.values() if not env.get(variable)]
    if missing:
        raise ConfigurationError(f"{title} credentials are incomplete: set " + ", ".join(missing))
    values = {name: env[variable] for name, variable in required.items()}
    values.update({name: env[var] for name, var in optional.items() if env.get(var)})
    return cls(**values)


__all__ = ["ApiClient", "ClientOptions", "credentials_from"]
