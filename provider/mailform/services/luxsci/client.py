"""The LuxSci REST API v2 client: authentication, signing, retries, rate limiting, errors.

This module knows the API's *transport* (``docs/api-assumptions.md``, "LuxSci: transport";
each assumption it relies on is named by its id, ``(assumes: …)``, and ``mailform doctor``
checks them against an account); it knows nothing about domains or aliases. Each object
type's module in ``mailform.services.luxsci.objects`` holds that type's paths and body
fields and calls the ``get``/``post``/``put``/``delete``/``create`` methods here.

Why these choices:

- One ``httpx.Client`` per ``LuxSciClient``, shared by threads; authentication happens once,
  behind a lock, and again only when the service refuses the auth token (401).
- Every request is signed over the exact bytes sent: the URL is built once, and the
  signature is computed from ``request.url.raw_path`` and ``request.content``.
- Retries, the rate limit and duplicate-free creates are ``mailform.http.exchange``'s, shared
  with every client: idempotent requests (GET/PUT/DELETE) are retried on 429, 5xx and
  connection errors (assumes: luxsci.status.rate_limit); a POST only when it certainly did
  nothing; ``create`` looks the object up by its natural key after an ambiguous failure.
  Authentication (``POST /auth``) creates nothing, so it is retried like an idempotent
  request.
- A request is built and signed once and sent as is on every attempt (the signature covers
  no time); only a refused auth token (401) makes it signed again, with a new token.
- The default limit is the documented one for shared servers: 60 requests in any minute
  (``SlidingWindow``), kept by the client alone: the answers announce no limit (assumes:
  luxsci.rate_limit, luxsci.rate_limit.headers).
- Secrets (the integration secret, a user password) live on private attributes, are never
  logged, and never appear in an exception or a ``repr``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Unpack

import httpx

from mailform.errors import (
    ApiError,
    AuthenticationError,
    NotFound,
    TransportError,
    api_error_for_status,
)
from mailform.http import json_object
from mailform.http.client import ApiClient, ClientOptions, credentials_from
from mailform.http.encoding import encode_json, encode_query
from mailform.services.luxsci import signing

logger = logging.getLogger(__name__)

SERVICE = "luxsci"
#: Where the API and its authentication are (assumes: luxsci.base_path).
API_PREFIX = "/perl/api/v2"
AUTH_PATH = f"{API_PREFIX}/auth"
DEFAULT_HOST = "rest.luxsci.com"
#: The documented limit for accounts on shared servers (60 requests/minute).
DEFAULT_RATE_PER_MINUTE = 60
#: Report pages: the API's most (and default), 50,000 rows per call, so that a report is
#: one call up to that size, the minimum the API allows (it answers fewer rows past 50 MB,
#: and the next page asks for the rest) (assumes: luxsci.reports.paging).
REPORT_PAGE_SIZE = 50_000

#: The values of ``success`` that mean success (assumes: luxsci.envelope.success).
SUCCESS_VALUES = (1, "1", True)


#: The credentials' fields and the variables they are read from.
VARIABLES = {
    "token": "LUXSCI_API_TOKEN",
    "secret": "LUXSCI_API_SECRET",
    "account_id": "LUXSCI_ACCOUNT_ID",
}
OPTIONAL_VARIABLES = {
    "host": "LUXSCI_API_HOST",
    "user": "LUXSCI_API_USER",
    "password": "LUXSCI_API_PASSWORD",
}


@dataclass(frozen=True)
class LuxSciCredentials:
    """What an API integration needs: where to call and how to sign.

    ``host`` is a host name (``rest.luxsci.com``, https implied) or a full base URL
    (``http://127.0.0.1:8765`` for the sandbox). ``user``/``password`` are given only for a
    user-scope integration. The secret and password never appear in ``repr``.
    """

    token: str
    secret: str = field(repr=False)
    account_id: str
    host: str = DEFAULT_HOST
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LuxSciCredentials:
        """Read ``LUXSCI_API_HOST``, ``LUXSCI_API_TOKEN``, ``LUXSCI_API_SECRET`` and
        ``LUXSCI_ACCOUNT_ID`` (and optionally ``LUXSCI_API_USER``/``LUXSCI_API_PASSWORD``)."""
        return credentials_from(cls, "LuxSci", VARIABLES, OPTIONAL_VARIABLES, environ)

    @property
    def base_url(self) -> str:
        """The scheme and authority every path is appended to."""
        if "://" in self.host:
            return self.host.rstrip("/")
        return f"https://{self.host}"


def _parse(response: httpx.Response, operation: str) -> dict[str, Any]:
    """The answer's envelope when it is a success; the matching ``ApiError`` otherwise
    (assumes: luxsci.envelope.success, luxsci.envelope.error, luxsci.status.refusals)."""
    envelope = json_object(response, service=SERVICE, operation=operation)
    status = response.status_code
    if status < 400 and envelope.get("success", 1) in SUCCESS_VALUES:
        return envelope
    message = (
        envelope.get("error_message")
        or envelope.get("error")
        or envelope.get("comment")
        or response.reason_phrase
        or "request failed"
    )
    error_type = api_error_for_status(status) if status >= 400 else ApiError
    raise error_type(str(message), service=SERVICE, operation=operation, status_code=status)


class LuxSciClient(ApiClient[LuxSciCredentials]):
    """A signed, rate-limited, retrying LuxSci API v2 client; safe to share between threads.

    Paths passed to the request methods are absolute API paths; build them with
    ``account_path`` and ``user_path``. Each method returns the ``data`` member of the
    service's answer (``None`` when the answer has none), or raises an ``ApiError``
    subclass carrying the service's own message.
    """

    service = SERVICE
    logger = logger
    #: The documented 60 requests in any minute (a shared-server integration).
    limit = (DEFAULT_RATE_PER_MINUTE, 60.0)
    parse = staticmethod(_parse)
    base_url_setting = OPTIONAL_VARIABLES["host"]
    exposed_in_clear = (
        "the API token, each request's signature cookie (which replays the request for as "
        "long as the auth session lasts), users' passwords and the account's data"
    )

    def __init__(self, credentials: LuxSciCredentials, **options: Unpack[ClientOptions]) -> None:
        super().__init__(credentials, **options)
        self._auth: str | None = None
        self._auth_lock = threading.Lock()

    # -- paths ---------------------------------------------------------------------------

    @property
    def account_id(self) -> str:
        """The numeric account code of the integration."""
        return self._credentials.account_id

    def account_path(self, *parts: str | int) -> str:
        """``/perl/api/v2/account/{accountId}/<parts…>``."""
        return "/".join([f"{API_PREFIX}/account/{self.account_id}", *map(str, parts)])

    def user_path(self, login: str, *parts: str | int) -> str:
        """``/perl/api/v2/user/{login}/<parts…>``; the login's ``@`` is sent raw, as the
        API's own samples do, and an account integration reaches any user's objects this
        way (assumes: luxsci.paths.at_sign, luxsci.user_scope)."""
        return "/".join([f"{API_PREFIX}/user/{login}", *map(str, parts)])

    # -- requests ------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``path``; retried on 429, 5xx and connection errors."""
        return self._send("GET", path, params=params).get("data")

    def put(self, path: str, payload: Any) -> Any:
        """PUT a JSON body; retried like GET, since a PUT is idempotent."""
        return self._send("PUT", path, payload=payload).get("data")

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """DELETE ``path``; retried like GET. The goal is that the object is gone, so an
        answer that it is not found (deleted by someone else, or by an earlier attempt whose
        answer was lost and which the retry then finds done) is success."""
        try:
            return self._send("DELETE", path, params=params).get("data")
        except NotFound:
            logger.info("DELETE %s: already gone", path)
            return None

    def create(self, path: str, payload: Any, *, find_existing: Callable[[], Any]) -> Any:
        """POST a create without ever creating a duplicate.

        When the outcome is ambiguous (a dropped connection or timeout after sending, a 5xx
        answer), ``find_existing`` is asked whether the object exists now; if it does, that
        is the result, otherwise the create is tried again, within the retry policy.
        ``find_existing`` returns the object (any non-None value) or None.
        """
        return self._exchange.create_once(
            lambda: self._send("POST", path, payload=payload).get("data"),
            find_existing=find_existing,
            operation=f"POST {path}",
        )

    def get_report(self, path: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        """All rows of a report-style endpoint, paging with ``first_row``/``matches``.

        Stops when ``total_matches`` rows were read, or at a short page when the service
        does not say the total (assumes: luxsci.reports.paging).
        """
        rows: list[Any] = []
        while True:
            query = {**(params or {}), "first_row": len(rows), "matches": REPORT_PAGE_SIZE}
            envelope = self._send("GET", path, params=query)
            page = envelope.get("data") or []
            rows.extend(page)
            total = envelope.get("total_matches")
            if not page or (total is not None and len(rows) >= int(total)):
                return rows
            if total is None and len(page) < REPORT_PAGE_SIZE:
                return rows

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Revoke the auth session (best effort) and close the connection pool (assumes:
        luxsci.auth.revoke)."""
        if self._auth is not None:
            try:
                self._send("DELETE", AUTH_PATH, reauthenticate=False)
            except (ApiError, TransportError) as error:
                logger.debug("close: revoking the auth session failed: %s", error)
            self._auth = None
        super().close()

    def __repr__(self) -> str:
        return (
            f"LuxSciClient(base_url={self._credentials.base_url!r}, account_id={self.account_id!r})"
        )

    # -- internals -----------------------------------------------------------------------

    def _authenticate(self) -> str:
        """Obtain an auth token (``POST /auth``), once for all threads, signed with this
        machine's clock (assumes: luxsci.auth.request, luxsci.auth.signature,
        luxsci.auth.date_skew, luxsci.clock)."""
        with self._auth_lock:
            if self._auth is not None:
                return self._auth
            creds = self._credentials
            date = int(self._clock())
            body: dict[str, Any] = {"token": creds.token, "date": date}
            body["signature"] = signing.auth_signature(
                creds.secret, creds.token, date, user=creds.user, password=creds.password
            )
            if creds.user is not None:
                body["user"] = creds.user
                body["pass"] = creds.password
            request = self._exchange.http.build_request(
                "POST",
                AUTH_PATH,
                content=encode_json(body),
                headers={"Content-Type": "application/json"},
            )
            # Authentication creates nothing: repeating it is as safe as repeating a GET.
            envelope = self._exchange.send(
                lambda: request, operation=f"POST {AUTH_PATH}", idempotent=True
            )
            auth = envelope.get("auth")
            if not auth:
                raise AuthenticationError(
                    "the answer carried no auth token",
                    service=SERVICE,
                    operation=f"POST {AUTH_PATH}",
                )
            self._auth = str(auth)
            logger.debug("authenticate: new auth session for account %s", creds.account_id)
            return self._auth

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        payload: Any = None,
        reauthenticate: bool = True,
    ) -> dict[str, Any]:
        """Send one signed request; re-authenticate once if the auth token is refused, as an
        expired one is (assumes: luxsci.auth.lifetime)."""
        query = encode_query(params)
        target = f"{path}?{query}" if query else path
        content = encode_json(payload) if payload is not None else b""
        auth = self._auth or self._authenticate()
        try:
            return self._send_signed(method, target, content, auth)
        except AuthenticationError:
            if not reauthenticate:
                raise
            logger.info("%s %s: auth token refused; authenticating again", method, path)
            self._forget_auth(auth)
        return self._send_signed(method, target, content, self._auth or self._authenticate())

    def _send_signed(self, method: str, target: str, content: bytes, auth: str) -> dict[str, Any]:
        """Build ``method target`` with ``content``, sign it with ``auth`` once, and send it
        under the retry policy: the signature covers no time, so every attempt is the same
        (assumes: luxsci.request.signature)."""
        request = self._exchange.http.build_request(
            method,
            target,
            content=content or None,
            headers={"Content-Type": "application/json"} if content else None,
        )
        raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
        mac = signing.request_signature(
            self._credentials.secret, auth, method, raw_path, raw_query, content
        )
        request.headers["Cookie"] = "signature=" + signing.signature_cookie(auth, mac)
        return self._exchange.send(
            lambda: request,
            operation=f"{method} {request.url.path}",
            idempotent=method != "POST",
        )

    def _forget_auth(self, auth: str) -> None:
        with self._auth_lock:
            if self._auth == auth:
                self._auth = None
