"""A deliberately small LianaMailer V1 caller for the sandbox tests, written from
LianaMailer's documented signing scheme.

The signing code here is the tests' own (checked against the documented vectors in
``test_lianamailer_signing.py``), never the project's client, so that the sandbox is tested
against the documented algorithm.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from mailform.sandbox.clock import SandboxClock
from mailform.sandbox.inprocess import SandboxTransport
from mailform.sandbox.server import SandboxApp

REALM = "EUR"
USER_ID = "123"
SECRET = "0123456789abcdef0123456789abcdef"


def liana_signature(
    secret: str, method: str, content_md5: str, date: str, body: str, path: str
) -> str:
    """Hex HMAC-SHA256 over the six documented lines joined by ``\\n``."""
    message = "\n".join([method, content_md5, "application/json", date, body, path])
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def iso_date(now: float, offset_hours: int = 3) -> str:
    """``2020-01-15T12:00:00+03:00``-style Date header for Unix time ``now``."""
    zone = timezone(timedelta(hours=offset_hours))
    return datetime.fromtimestamp(int(now), zone).isoformat()


class LianaCaller:
    """Signs and sends V1 calls; ``tamper`` lets a test break one part of the request."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        now: Callable[[], float] = time.time,
        realm: str = REALM,
        user_id: str = USER_ID,
        secret: str = SECRET,
    ) -> None:
        self.http = http
        self.now = now
        self.realm = realm
        self.user_id = user_id
        self.secret = secret

    def headers(self, path: str, body: str, *, date: str | None = None) -> dict[str, str]:
        """The four documented headers for a POST of ``body`` to ``path``."""
        date = date or iso_date(self.now())
        content_md5 = hashlib.md5(body.encode()).hexdigest()
        sig = liana_signature(self.secret, "POST", content_md5, date, body, path)
        return {
            "Content-Type": "application/json",
            "Content-MD5": content_md5,
            "Date": date,
            "Authorization": f"{self.realm} {self.user_id}:{sig}",
        }

    def post(self, call: str, *args: Any, **overrides: str) -> httpx.Response:
        """POST ``args`` as the JSON array body of ``/api/v1/<call>``; ``overrides`` replace
        headers after signing (keys with ``_`` for ``-``)."""
        path = f"/api/v1/{call}"
        body = json.dumps(list(args))
        headers = self.headers(path, body)
        headers.update({key.replace("_", "-"): value for key, value in overrides.items()})
        return self.http.post(path, content=body.encode(), headers=headers)

    def call(self, call: str, *args: Any) -> Any:
        """A call that must succeed; returns ``result``."""
        response = self.post(call, *args)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["succeed"] is True, body
        return body["result"]

    def fails(self, call: str, *args: Any) -> str:
        """A call that must be refused as a logical error (HTTP 200); returns the message."""
        response = self.post(call, *args)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["succeed"] is False and body["message"], body
        return body["message"]


@contextmanager
def liana_caller(app: SandboxApp, clock: SandboxClock) -> Iterator[LianaCaller]:
    """A caller talking to ``app`` in process, signing with the sandbox clock."""
    with httpx.Client(
        transport=SandboxTransport(app), base_url="https://rest.lianamailer.com"
    ) as client:
        yield LianaCaller(client, now=clock.now)
