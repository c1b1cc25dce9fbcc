"""The read-only guard and the recorder doctor puts on a client.

The guard runs on every request before it leaves (an httpx event hook, so it holds for
every transport and every retry): a request the service's checklist does not call a read is
refused, and nothing is sent. Doctor's reads are the object types' own, so no write should
ever reach it; the guard makes that a property of the run rather than of the code paths.

The recorder keeps each answer as the server sent it (status, headers, the body's JSON) with
this machine's clock at its arrival, so that the checks see the server's words, not the
client's reading of them, and can compare the server's ``Date`` with the local clock.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx

from mailform.assumptions.base import Exchange, Observed
from mailform.errors import MailformError


class ReadOnlyViolation(MailformError):
    """Doctor was about to send a request that is not a read; it was not sent."""


class Watch:
    """Guards and records one client's requests into ``observed``. ``is_read(method,
    path)`` decides what may be sent; ``methods`` lists the method of each request sent."""

    def __init__(
        self,
        is_read: Callable[[str, str], bool],
        observed: Observed,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._is_read = is_read
        self._observed = observed
        self._clock = clock
        self.methods: list[str] = []

    def guard(self, request: httpx.Request) -> None:
        """Refuse (raise ``ReadOnlyViolation``) a request that is not a read."""
        path = request.url.raw_path.decode("ascii").partition("?")[0]
        if not self._is_read(request.method, path):
            raise ReadOnlyViolation(
                f"doctor only reads, and refused to send {request.method} {request.url.path}"
            )
        self.methods.append(request.method)

    def record(self, response: httpx.Response) -> None:
        """Keep the answer as an ``Exchange``."""
        received = self._clock()
        response.read()
        try:
            body, is_json = json.loads(response.content), True
        except ValueError:
            body, is_json = None, False
        path, _, query = response.request.url.raw_path.decode("ascii").partition("?")
        self._observed.exchanges.append(
            Exchange(
                method=response.request.method,
                path=path,
                query=query,
                status=response.status_code,
                headers={name.lower(): value for name, value in response.headers.items()},
                body=body,
                is_json=is_json,
                received_at=received,
            )
        )
