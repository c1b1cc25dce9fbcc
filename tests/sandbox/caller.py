"""A deliberately small LuxSci client for the sandbox tests, written from
LuxSci's documented signing scheme.

The signing code here is the tests' own (checked against the worked vectors of the reference
in ``test_signing_vectors.py``); it never comes from ``mailform.luxsci``, so that the sandbox is
tested against the documented algorithm, not against the project's client.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

TOKEN = "abc123token"
SECRET = "s3cr3tkey"
ACCOUNT = "12345"
API = "/perl/api/v2"


def sign_auth(
    secret: str, token: str, date: str, user: str | None = None, password: str | None = None
) -> str:
    """Hex HMAC-SHA256 over ``token\\ndate\\n`` (+ ``user\\npass\\n`` for user scope)."""
    message = f"{token}\n{date}\n" + (f"{user}\n{password}\n" if user is not None else "")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def sign_request(
    secret: str, auth: str, method: str, path: str, query: str, body: bytes | None
) -> str:
    """Hex HMAC-SHA256 over ``auth\\nMETHOD\\npath\\nquery\\nsha256(body)\\n``; the body hash
    is empty for GET and DELETE."""
    body_hash = hashlib.sha256(body or b"").hexdigest() if method in ("POST", "PUT") else ""
    message = f"{auth}\n{method}\n{path}\n{query}\n{body_hash}\n"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class Caller:
    """A test's view of the LuxSci API: authenticate, then send signed requests.

    ``sign`` lets a test sign something other than what it sends (tampering); ``secret``,
    ``token`` and ``account`` default to the sandbox's test credentials.
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        now: Callable[[], float] = time.time,
        token: str = TOKEN,
        secret: str = SECRET,
        account: str = ACCOUNT,
    ) -> None:
        self.http = http
        self.now = now
        self.token = token
        self.secret = secret
        self.account = account
        self.auth: str | None = None

    def authenticate(
        self,
        user: str | None = None,
        password: str | None = None,
        *,
        date: int | str | None = None,
        signature: str | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        """POST /auth; on success remember the auth code."""
        token = token or self.token
        date = int(self.now()) if date is None else date
        body: dict[str, Any] = {"token": token, "date": date}
        if user is not None:
            body.update(user=user, **{"pass": password})
        body["signature"] = signature or sign_auth(self.secret, token, str(date), user, password)
        response = self.http.post(f"{API}/auth", json=body)
        if response.status_code == 201:
            self.auth = response.json()["auth"]
        return response

    def login(self, user: str | None = None, password: str | None = None) -> Caller:
        """Authenticate and insist on success."""
        response = self.authenticate(user, password)
        assert response.status_code == 201, response.text
        return self

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        sign: dict[str, Any] | None = None,
        cookie: str | None = None,
    ) -> httpx.Response:
        """Send a signed request to ``API + path`` (which may include a raw query string)."""
        content = (
            raw
            if raw is not None
            else (json.dumps(body, separators=(",", ":")).encode() if body is not None else None)
        )
        request = self.http.build_request(method, API + path, content=content)
        wire_path, _, wire_query = request.url.raw_path.decode().partition("?")
        signed = {"method": method, "path": wire_path, "query": wire_query, "body": content}
        signed.update(sign or {})
        if cookie is None and self.auth is not None:
            mac = sign_request(
                self.secret,
                self.auth,
                signed["method"],
                signed["path"],
                signed["query"],
                signed["body"],
            )
            cookie = f"signature={self.auth}:{mac}"
        if cookie is not None:
            request.headers["Cookie"] = cookie
        return self.http.send(request)

    def send_with_timeout(
        self, method: str, path: str, body: Any, timeout: float
    ) -> httpx.Response:
        """``send``, over a client that waits at most ``timeout`` seconds for the answer."""
        with httpx.Client(base_url=self.http.base_url, timeout=timeout) as impatient:
            caller = Caller(
                impatient, now=self.now, token=self.token, secret=self.secret, account=self.account
            )
            caller.auth = self.auth
            return caller.send(method, path, body)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.send("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return self.send("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return self.send("PUT", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.send("DELETE", path, **kw)

    @property
    def acct(self) -> str:
        """The account-scope path prefix."""
        return f"/account/{self.account}"

    def data(self, response: httpx.Response, status: int = 200) -> Any:
        """Assert a successful envelope and return its ``data``."""
        assert response.status_code == status, response.text
        body = response.json()
        assert body["success"] == 1, body
        return body.get("data")


def failure(response: httpx.Response, status: int) -> str:
    """Assert a failure envelope with ``status``; return its error message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] == 0, body
    assert body["error_message"], body
    return body["error_message"]
