"""Sending a request under a retry policy and a rate limiter, and creating without duplicates.

Every API client sends the same way; what differs between services is how a request is
built and signed and how an answer is read, and ``Exchange`` takes those as callables.

Why it works this way:

- A request that changes nothing (or that the caller declares idempotent) is repeated on 429,
  on a server error and on a transport failure. One that may create something (a POST) is
  not repeated blindly: only when it certainly did nothing (a 429, a connection that was
  never made). See ``mailform.http.retry``.
- When a non-idempotent request fails after the service may have acted on it (a timeout or a
  dropped connection after sending, a 5xx answer) the outcome is *ambiguous*. ``send``
  raises ``AmbiguousOutcome`` then, wrapping the error a caller would otherwise see, so that
  ``create_once`` can look the object up before trying again: a lost answer never becomes a
  second object. A caller with no way to look simply raises the wrapped error.
- A 429 or 503 often says how long to wait (``Retry-After``); that wait is honoured (capped
  by the policy) rather than the policy's own backoff.
- Every attempt waits for a place in the limiter's window and is built afresh by ``build``
  after any wait, so that a signature covering the time is computed when the request
  leaves.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, NoReturn

import httpx

from mailform.errors import ApiError, ServerError, TransportError, api_error_for_status
from mailform.http.ratelimit import SlidingWindow
from mailform.http.retry import RetryPolicy

#: Reads an answer: its envelope when it is a success, else raises the matching ``ApiError``.
#: Called with the response and the operation's name (for the error message).
Parse = Callable[[httpx.Response, str], dict[str, Any]]


class AmbiguousOutcome(Exception):
    """A non-idempotent request failed in a way that leaves unknown whether the service did
    it; ``error`` is the ``ApiError`` or ``TransportError`` to raise when nobody looks."""

    def __init__(self, error: ApiError | TransportError) -> None:
        super().__init__(str(error))
        self.error = error

    def raise_error(self) -> NoReturn:
        """Raise the wrapped error as itself, for a caller that will not look the object up."""
        raise self.error from self.error.__cause__


class Exchange:
    """One API client's connection pool, retry policy, rate limiter and request count; safe to
    share between threads.

    ``service`` names the service in errors; ``parse`` reads every answer; ``logger`` is
    the client's, so that each attempt is logged under the client that made it.
    ``requests_sent`` counts attempts, retries included.
    """

    def __init__(
        self,
        base_url: str,
        *,
        service: str,
        parse: Parse,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        limiter: SlidingWindow | None = None,
        sleep: Callable[[float], None] = time.sleep,
        logger: logging.Logger | None = None,
    ) -> None:
        #: The ``httpx.Client`` a caller builds its requests with (``http.build_request``).
        self.http = httpx.Client(
            base_url=base_url,
            transport=transport,
            timeout=timeout,
            headers={"Accept": "application/json"},
        )
        self.service = service
        self._parse = parse
        self._retry = retry or RetryPolicy()
        self._limiter = limiter
        self._sleep = sleep
        self._logger = logger or logging.getLogger(__name__)
        self._count_lock = threading.Lock()
        self.requests_sent = 0

    def send(
        self, build: Callable[[], httpx.Request], *, operation: str, idempotent: bool
    ) -> dict[str, Any]:
        """Send the request ``build`` makes (called once per attempt) under the retry policy
        and the rate limiter; return the parsed envelope.

        Raises the ``ApiError`` that ``parse`` chose, ``TransportError`` when no answer
        arrived, or, for a non-idempotent request whose outcome is unknown,
        ``AmbiguousOutcome`` wrapping either. ``operation`` names the request in logs and
        errors (``"GET /path"``, a call name).
        """
        attempt = 1
        while True:
            started = time.monotonic()
            try:
                response = self._send_once(build)
            except httpx.TransportError as error:
                self._logger.debug("%s: attempt %d failed: %r", operation, attempt, error)
                if attempt < self._retry.attempts and self._retry.may_retry_error(
                    error, idempotent=idempotent
                ):
                    delay = self._retry.backoff(attempt)
                    self._logger.info(
                        "%s: %s, retrying in %.1f s", operation, type(error).__name__, delay
                    )
                    self._sleep(delay)
                    attempt += 1
                    continue
                failure = TransportError(
                    f"{type(error).__name__}: {error}", service=self.service, operation=operation
                )
                failure.__cause__ = error
                if not idempotent and not self._retry.may_retry_error(error, idempotent=False):
                    raise AmbiguousOutcome(failure) from error
                raise failure from error
            status = response.status_code
            self._logger.debug(
                "%s -> %d in %.0f ms (attempt %d)",
                operation,
                status,
                (time.monotonic() - started) * 1000,
                attempt,
            )
            if attempt < self._retry.attempts and self._retry.may_retry_status(
                status, idempotent=idempotent
            ):
                delay = self._retry.delay_for(attempt, response)
                self._logger.info("%s: HTTP %d, retrying in %.1f s", operation, status, delay)
                self._sleep(delay)
                attempt += 1
                continue
            try:
                return self._parse(response, operation)
            except ServerError as error:
                if not idempotent:
                    raise AmbiguousOutcome(error) from error
                raise

    def _send_once(self, build: Callable[[], httpx.Request]) -> httpx.Response:
        """One attempt, within the limiter: the request takes its place in the window when
        its answer arrives, or when it fails."""
        if self._limiter is not None:
            self._limiter.acquire()
        try:
            request = build()
            with self._count_lock:
                self.requests_sent += 1
            return self.http.send(request)
        finally:
            if self._limiter is not None:
                self._limiter.release()

    def create_once(
        self, post: Callable[[], Any], *, find_existing: Callable[[], Any], operation: str
    ) -> Any:
        """Return what ``post`` returns, without ever creating a duplicate.

        ``post`` sends the create (through ``send``, not idempotent). When its outcome is
        ambiguous, ``find_existing`` is asked whether the object exists now: anything but
        None is the result, and the create is not sent again; None means it was not done, and
        it is tried again after a backoff, within the retry policy. When the attempts run
        out, the last error is raised as itself. ``operation`` names the create in logs.
        """
        attempt = 1
        while True:
            try:
                return post()
            except AmbiguousOutcome as ambiguous:
                self._logger.info(
                    "create: %s had an ambiguous outcome (%s); looking the object up",
                    operation,
                    ambiguous.error,
                )
                existing = find_existing()
                if existing is not None:
                    self._logger.info("create: %s had been done; not repeating it", operation)
                    return existing
                if attempt >= self._retry.attempts:
                    ambiguous.raise_error()
                delay = self._retry.backoff(attempt)
                self._logger.info(
                    "create: %s had not been done; trying again in %.1f s", operation, delay
                )
                self._sleep(delay)
                attempt += 1

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()


def json_object(response: httpx.Response, *, service: str, operation: str) -> dict[str, Any]:
    """The answer's body as a JSON object, for a ``parse`` to read further.

    An answer that is not one (a proxy's HTML error page, an empty body) raises the
    ``ApiError`` its status calls for, or a plain ``ApiError`` under a success status.
    """
    try:
        envelope = response.json()
    except ValueError:
        envelope = None
    if isinstance(envelope, dict):
        return envelope
    status = response.status_code
    error_type = api_error_for_status(status) if status >= 400 else ApiError
    raise error_type(
        f"the answer is not a JSON object ({response.headers.get('content-type', '?')})",
        service=service,
        operation=operation,
        status_code=status,
    )
