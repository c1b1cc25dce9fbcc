"""Fault injection shared by every simulated service: the failures a client must survive.

A client is only as good as its behaviour when the service misbehaves, so the sandbox can make
any service slow (fixed latency plus jitter), rate-limited (429 with ``Retry-After``), flaky (a
share of 503 answers), treacherous (commit a change, then drop the connection before the answer
arrives), late (commit a change, slowly or at once, and answer after the client stopped
waiting) and forgetful (every current auth token expires at once).

Why "late" is a fault of its own: ``latency`` waits *before* the request's body is read, so a
client that gives up during the wait disconnects first and the server commits nothing (as a
real server reading a closed connection would). A real service that is slow *after* reading
the request keeps working when the client gives up: the object appears once the client has
seen a timeout, possibly after the client looked for it. ``late_commit`` (the body is read at
once, the change is committed that many seconds later) and ``late_answer`` (the answer waits
that long after the commit) model that server, for the share ``late_rate`` of changes (or
the next ``late_next``); ``late_answer`` with ``drop_rate`` or ``drop_next`` commits, waits and
then drops the connection.

The module knows nothing about a particular API. A service is wrapped with
:meth:`FaultInjector.wrap`, passing the callable that turns a message into that service's error
envelope and the predicate that says which requests change state. Auth expiry is a broadcast:
services register a callback with :meth:`FaultInjector.on_expire_auth`.

Settings can be given at start (the ``mailform sandbox serve`` flags) and changed at run time
(``PUT /_sandbox/faults``); their JSON shape is :meth:`FaultSettings.to_json`.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import math
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from mailform.sandbox.asgi import (
    ASGIApp,
    ErrorEnvelope,
    Message,
    Receive,
    Scope,
    Send,
    answer_json,
    read_body,
    replay,
)

ChangePredicate = Callable[[Scope], bool]
"""Says whether a request changes state (the kind a dropped connection can hurt)."""

CHANGE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_RATE_LIMIT = re.compile(
    r"^\s*(?P<requests>\d+)\s*/\s*(?P<count>\d+(?:\.\d+)?)?\s*(?P<unit>s|sec|m|min|h|hour)?\s*$"
)
_UNIT_SECONDS = {
    None: 1.0,
    "s": 1.0,
    "sec": 1.0,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
}


#: The longest latency, jitter or rate-limit window: a day. Longer is no test of a client,
#: and a request that sleeps longer than the event loop can count would fail as the server's
#: error instead of waiting.
MAX_SECONDS = 86400.0


def changes_state(scope: Scope) -> bool:
    """Default :data:`ChangePredicate`: every POST, PUT, PATCH and DELETE changes state."""
    return scope.get("method", "GET") in CHANGE_METHODS


@dataclass(frozen=True)
class RateLimit:
    """At most ``requests`` requests per sliding ``window`` seconds, per service."""

    requests: int
    window: float

    def __post_init__(self) -> None:
        if self.requests < 1 or not 0 < self.window <= MAX_SECONDS:
            raise ValueError(
                f"a rate limit needs at least 1 request per a window of up to {MAX_SECONDS:g} s"
            )

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """Read ``"N/60s"``, ``"N/min"``, ``"N/1h"`` or ``"N/10"`` (seconds)."""
        match = _RATE_LIMIT.match(text)
        if match is None:
            raise ValueError(f"invalid rate limit {text!r}: expected N/<window>, e.g. 60/60s")
        count = float(match["count"]) if match["count"] else 1.0
        if not match["count"] and not match["unit"]:
            raise ValueError(f"invalid rate limit {text!r}: the window is missing, e.g. 60/60s")
        return cls(int(match["requests"]), count * _UNIT_SECONDS[match["unit"]])

    def __str__(self) -> str:
        return f"{self.requests}/{self.window:g}s"


def _share(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number from 0 to 1, not {value!r}")
    return float(value)


def _seconds(name: str, value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 <= value <= MAX_SECONDS
    ):
        raise ValueError(
            f"{name} must be a number of seconds from 0 to {MAX_SECONDS:g}, not {value!r}"
        )
    return float(value)


@dataclass(frozen=True)
class FaultSettings:
    """What can go wrong, and how often. The default is a well-behaved service.

    ``latency`` and ``jitter`` are seconds (each request waits ``latency`` plus a uniform draw
    from ``0..jitter``); ``error_rate`` and ``drop_rate`` are shares from 0 to 1; ``drop_next``
    drops the next N state-changing requests whatever ``drop_rate`` says; ``late_commit`` and
    ``late_answer`` are seconds, applied to the share ``late_rate`` of state-changing requests
    and to the next ``late_next`` whatever ``late_rate`` says (the module's docstring says
    why); ``seed`` makes the random draws repeatable.
    """

    latency: float = 0.0
    jitter: float = 0.0
    rate_limit: RateLimit | None = None
    error_rate: float = 0.0
    drop_rate: float = 0.0
    drop_next: int = 0
    late_commit: float = 0.0
    late_answer: float = 0.0
    late_rate: float = 0.0
    late_next: int = 0
    seed: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The settings as the control endpoint shows them."""
        return {
            "latency": self.latency,
            "jitter": self.jitter,
            "rate_limit": (
                None
                if self.rate_limit is None
                else {"requests": self.rate_limit.requests, "window": self.rate_limit.window}
            ),
            "error_rate": self.error_rate,
            "drop_rate": self.drop_rate,
            "drop_next": self.drop_next,
            "late_commit": self.late_commit,
            "late_answer": self.late_answer,
            "late_rate": self.late_rate,
            "late_next": self.late_next,
            "seed": self.seed,
        }

    def updated(self, changes: Mapping[str, Any]) -> FaultSettings:
        """Return a copy with the keys of ``changes`` applied; raise ValueError on bad input.

        ``rate_limit`` accepts ``null``, ``"N/60s"`` or ``{"requests": N, "window": S}``.
        Unknown keys are refused, so a typo in a test never silently configures nothing.
        """
        known = set(self.to_json())
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name in ("latency", "jitter", "late_commit", "late_answer"):
            if name in changes:
                values[name] = _seconds(name, changes[name])
        for name in ("error_rate", "drop_rate", "late_rate"):
            if name in changes:
                values[name] = _share(name, changes[name])
        for name in ("drop_next", "late_next"):
            if name in changes:
                count = changes[name]
                if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                    raise ValueError(f"{name} must be a whole number >= 0, not {count!r}")
                values[name] = count
        if "seed" in changes:
            seed = changes["seed"]
            if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
                raise ValueError(f"seed must be an integer or null, not {seed!r}")
            values["seed"] = seed
        if "rate_limit" in changes:
            values["rate_limit"] = _rate_limit(changes["rate_limit"])
        return replace(self, **values)


def _rate_limit(value: Any) -> RateLimit | None:
    if value is None:
        return None
    if isinstance(value, str):
        return RateLimit.parse(value)
    if isinstance(value, Mapping) and set(value) == {"requests", "window"}:
        requests, window = value["requests"], value["window"]
        if isinstance(requests, int) and not isinstance(requests, bool):
            return RateLimit(requests, _seconds("rate_limit.window", window))
    raise ValueError(
        f'rate_limit must be null, "N/60s" or {{"requests": N, "window": S}}, not {value!r}'
    )


class FaultInjector:
    """The live fault settings of the whole sandbox, and the random source behind them.

    One injector serves every simulated service; each wrapped service keeps its own rate-limit
    window. Thread-safe: the control endpoint changes settings while requests are in flight.
    """

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self.log = logging.getLogger(f"{__name__}.FaultInjector")
        self._lock = threading.Lock()
        self._settings = settings or FaultSettings()
        self._random = random.Random(self._settings.seed)
        self._windows: dict[str, collections.deque[float]] = {}
        self._expire_auth_callbacks: list[Callable[[], None]] = []

    @property
    def settings(self) -> FaultSettings:
        """The current settings (an immutable value)."""
        with self._lock:
            return self._settings

    def configure(self, changes: Mapping[str, Any]) -> FaultSettings:
        """Apply a partial change (see :meth:`FaultSettings.updated`) and return the result.

        A new ``seed`` restarts the random sequence; a new rate limit starts a fresh window.
        """
        with self._lock:
            settings = self._settings.updated(changes)
            self._install(settings, reseed="seed" in changes)
            return settings

    def reset(self, settings: FaultSettings | None = None) -> None:
        """Replace every setting (default: no faults), restart the random sequence and start
        every rate-limit window afresh."""
        with self._lock:
            self._windows.clear()
            self._install(settings or FaultSettings(), reseed=True)

    def _install(self, settings: FaultSettings, *, reseed: bool) -> None:
        if settings.rate_limit != self._settings.rate_limit:
            self._windows.clear()
        self._settings = settings
        if reseed:
            self._random = random.Random(settings.seed)
        self.log.info("_install: faults now %s", json.dumps(settings.to_json()))

    def on_expire_auth(self, callback: Callable[[], None]) -> None:
        """Register a service's "expire every current auth token" action."""
        self._expire_auth_callbacks.append(callback)

    def expire_auth(self) -> None:
        """Expire every auth token of every service now; clients must authenticate again."""
        self.log.info(
            "expire_auth: expiring the auth tokens of %d services", len(self._expire_auth_callbacks)
        )
        for callback in self._expire_auth_callbacks:
            callback()

    def wrap(
        self,
        app: ASGIApp,
        *,
        service: str,
        error_envelope: ErrorEnvelope,
        is_change: ChangePredicate = changes_state,
    ) -> FaultMiddleware:
        """Return ``app`` behind this injector's faults, answering failures with
        ``error_envelope``. ``is_change`` picks the requests a dropped connection applies to."""
        return FaultMiddleware(
            app, self, service=service, error_envelope=error_envelope, is_change=is_change
        )

    def delay(self) -> float:
        """Draw the seconds the next request waits before it is handled."""
        with self._lock:
            settings = self._settings
            jitter = self._random.uniform(0, settings.jitter) if settings.jitter else 0.0
            return settings.latency + jitter

    def admit(self, service: str) -> tuple[RateLimit, float] | None:
        """Count a request against ``service``'s window.

        Return None when it may go ahead, or the limit and the seconds until a slot frees up
        when it must be refused. Refused requests do not count.
        """
        with self._lock:
            limit = self._settings.rate_limit
            if limit is None:
                return None
            # The times of the requests accepted within the sliding window.
            window = self._windows.setdefault(service, collections.deque())
            now = time.monotonic()
            while window and window[0] <= now - limit.window:
                window.popleft()
            if len(window) >= limit.requests:
                return limit, window[0] + limit.window - now
            window.append(now)
            return None

    def fails(self) -> bool:
        """Draw whether the next request gets a 503 (the ``error_rate`` share)."""
        with self._lock:
            rate = self._settings.error_rate
            return rate > 0 and self._random.random() < rate

    def drops(self) -> bool:
        """Decide whether the next state-changing request loses its answer after the commit.

        ``drop_next`` is used up first; then the ``drop_rate`` share is drawn.
        """
        with self._lock:
            settings = self._settings
            if settings.drop_next > 0:
                self._settings = replace(settings, drop_next=settings.drop_next - 1)
                return True
            return settings.drop_rate > 0 and self._random.random() < settings.drop_rate

    def late(self) -> Late | None:
        """Decide whether the next state-changing request is committed and answered late:
        the seconds before its commit and before its answer, or None.

        ``late_next`` is used up first; then the ``late_rate`` share is drawn. Settings whose
        delays are both zero choose nothing (and draw nothing).
        """
        with self._lock:
            settings = self._settings
            if not (settings.late_commit or settings.late_answer):
                return None
            if settings.late_next > 0:
                self._settings = replace(settings, late_next=settings.late_next - 1)
            elif not (settings.late_rate > 0 and self._random.random() < settings.late_rate):
                return None
            return Late(settings.late_commit, settings.late_answer)


@dataclass(frozen=True)
class Late:
    """How late one chosen request is: seconds from reading it to committing it, and from
    committing it to answering."""

    commit: float
    answer: float


class FaultMiddleware:
    """ASGI middleware that puts one service behind a :class:`FaultInjector`.

    Order per request: wait (latency), refuse over the rate limit (429), fail a share (503,
    nothing committed), run the service. A state-changing request chosen to be late is read in
    full first, so that the client giving up cannot stop it; it is committed ``late_commit``
    seconds later and answered ``late_answer`` seconds after that. One chosen to be dropped is
    committed and then its answer broken: the response announces its full ``Content-Length``
    but carries only half the body, so the HTTP server aborts the connection and the client
    sees a protocol error, not an answer.
    """

    def __init__(
        self,
        app: ASGIApp,
        injector: FaultInjector,
        *,
        service: str,
        error_envelope: ErrorEnvelope,
        is_change: ChangePredicate,
    ) -> None:
        self.log = logging.getLogger(f"{__name__}.FaultMiddleware.{service}")
        self.app = app
        self.injector = injector
        self.service = service
        self.error_envelope = error_envelope
        self.is_change = is_change

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        delay = self.injector.delay()
        if delay > 0:
            await asyncio.sleep(delay)
        refusal = self.injector.admit(self.service)
        if refusal is not None:
            limit, wait = refusal
            retry_after = max(1, math.ceil(wait))
            self.log.info("__call__: rate limit reached, Retry-After %d s", retry_after)
            message = (
                f"Rate limit exceeded: at most {limit.requests} requests per {limit.window:g} "
                f"seconds. Try again in {retry_after} seconds."
            )
            await self._answer(send, 429, message, {"retry-after": str(retry_after)})
            return
        if self.injector.fails():
            self.log.info("__call__: injecting a 503")
            await self._answer(
                send, 503, "The service is temporarily unavailable. Please try again later."
            )
            return
        if self.is_change(scope):
            late = self.injector.late()
            drop = self.injector.drops()
            if late is not None or drop:
                await self._committed_then(scope, receive, send, late or Late(0.0, 0.0), drop)
                return
        await self.app(scope, receive, send)

    async def _answer(
        self, send: Send, status: int, message: str, extra: Mapping[str, str] | None = None
    ) -> None:
        await answer_json(send, status, self.error_envelope(message), extra)

    async def _committed_then(
        self, scope: Scope, receive: Receive, send: Send, late: Late, drop: bool
    ) -> None:
        """Read the request, commit it ``late.commit`` seconds later whatever the client
        does meanwhile, wait ``late.answer`` seconds, then answer (or break the answer)."""
        body = await read_body(receive)
        if body is None:
            return  # the client left before the request arrived: nothing to commit
        if late.commit:
            await asyncio.sleep(late.commit)
        start: Message | None = None
        parts: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        await self.app(scope, replay(body, receive), capture)
        if start is None:
            return
        if late.commit or late.answer:
            self.log.warning(
                "_committed_then: %s %s committed %.1f s after it arrived (HTTP %s); "
                "answering %.1f s later",
                scope.get("method"),
                scope.get("path"),
                late.commit,
                start["status"],
                late.answer,
            )
        if late.answer:
            await asyncio.sleep(late.answer)
        answer = b"".join(parts)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        if not drop:
            headers.append((b"content-length", str(len(answer)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": answer})
            return
        headers.append((b"content-length", str(max(len(answer), 1)).encode()))
        self.log.warning(
            "_committed_then: %s %s committed (HTTP %s); dropping the connection",
            scope.get("method"),
            scope.get("path"),
            start["status"],
        )
        await send({**start, "headers": headers})
        # more_body=True and then returning: the server sees an unfinished response and closes
        # the connection, which is what a network failure after the commit looks like.
        await send(
            {"type": "http.response.body", "body": answer[: len(answer) // 2], "more_body": True}
        )
