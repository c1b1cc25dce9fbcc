"""The LianaMailer REST API client: signing, retries, rate limiting, errors.

This module knows the API's *transport* (``docs/api-assumptions.md``, "LianaMailer:
transport"; each assumption it relies on is named by its id, ``(assumes: …)``, and
``mailform doctor`` checks them against an account); it knows nothing about sites or
mailing lists. Each object type's module calls
``read``/``write``/``delete``/``call``/``create`` here with the V1 call's name and positional
arguments.

Why these choices:

- A V1 call is ``POST /api/v1/<name>`` with a JSON array of positional arguments. The body
  is serialised once, and the signature covers exactly those bytes and exactly the path and
  query httpx puts on the wire (``request.url.raw_path``), so no re-encoding can break it.
- The ``Date`` header is part of the signature and the service accepts it only within a few
  minutes of its own clock, so every attempt is signed afresh, after any wait.
- Retries, the rate limit and duplicate-free creates are ``mailform.http.exchange``'s, shared
  with every client. Every V1 call is a POST, including the ones that only read, so the
  method cannot tell: ``read`` (changes nothing) and ``write`` (sets values outright) declare a
  call idempotent (retried on 429, 5xx, connection errors), ``call`` does not (retried only
  when it certainly did nothing: a rename done twice fails), ``delete`` counts "not found"
  as done and so may be retried too, and ``create`` looks the object up after an ambiguous
  failure (``createMailingList`` creates a new list on every call).
- The default limit is the documented "four per second", as four requests in any second
  (``SlidingWindow``), kept by the client alone; a 429 is waited out as its ``Retry-After``
  says (assumes: lianamailer.rate_limit, lianamailer.rate_limit.headers,
  lianamailer.status.rate_limit).
- Logical errors arrive as HTTP 200 with ``succeed: false``; they are typed from the
  message (not found, already exists or in use, anything else is invalid input) (assumes:
  lianamailer.status.logical, lianamailer.errors).
- The secret lives on the credentials, is never logged, and never appears in an exception
  or a ``repr``; neither does the ``Authorization`` header.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from mailform.errors import (
    ApiError,
    Conflict,
    InvalidRequest,
    NotFound,
    api_error_for_status,
)
from mailform.http import AmbiguousOutcome, json_object
from mailform.http.client import ApiClient, credentials_from
from mailform.http.encoding import encode_json, encode_query
from mailform.http.retry import IDEMPOTENT_METHODS
from mailform.services.lianamailer import signing

logger = logging.getLogger(__name__)

SERVICE = "lianamailer"
#: Where the API is, and its V1 calls (assumes: lianamailer.base_url).
DEFAULT_URL = "https://rest.lianamailer.com"
V1_PREFIX = "/api/v1"
#: The documented limit: "Max request rate is four per second."
DEFAULT_RATE_PER_SECOND = 4

_CALL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


#: The credentials' fields and the variables they are read from (assumes:
#: lianamailer.credentials).
VARIABLES = {
    "realm": "LIANAMAILER_REALM",
    "user_id": "LIANAMAILER_USER_ID",
    "secret": "LIANAMAILER_API_SECRET",
}
OPTIONAL_VARIABLES = {"url": "LIANAMAILER_API_URL"}


@dataclass(frozen=True)
class LianaMailerCredentials:
    """What a LianaMailer API user needs: the realm (``EUR``, ``PV``…), the numeric user id,
    the API secret and the base URL (``http://127.0.0.1:8765`` for the sandbox). The secret
    never appears in ``repr``."""

    realm: str
    user_id: str
    secret: str = field(repr=False)
    url: str = DEFAULT_URL

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LianaMailerCredentials:
        """Read ``LIANAMAILER_REALM``, ``LIANAMAILER_USER_ID`` and ``LIANAMAILER_API_SECRET``
        (required) and ``LIANAMAILER_API_URL`` (optional); raise ``ConfigurationError``
        naming every missing variable."""
        return credentials_from(cls, "LianaMailer", VARIABLES, OPTIONAL_VARIABLES, environ)

    @property
    def base_url(self) -> str:
        """The scheme and authority every ``/api/...`` path is appended to; a bare host name
        means https."""
        url = self.url.rstrip("/")
        return url if "://" in url else f"https://{url}"


def _parse(response: httpx.Response, operation: str) -> dict[str, Any]:
    """The answer's envelope when it is a success; the matching ``ApiError`` otherwise
    (assumes: lianamailer.envelope.success, lianamailer.envelope.error,
    lianamailer.status.codes)."""
    envelope = json_object(response, service=SERVICE, operation=operation)
    status = response.status_code
    if status < 400 and envelope.get("succeed", True) not in (False, 0):
        return envelope
    message = str(envelope.get("message") or response.reason_phrase or "the call failed")
    error_type = api_error_for_status(status) if status >= 400 else logical_error(message)
    raise error_type(message, service=SERVICE, operation=operation, status_code=status)


class LianaMailerClient(ApiClient[LianaMailerCredentials]):
    """A signed, rate-limited, retrying LianaMailer client; safe to share between threads.

    ``call``, ``read``, ``write``, ``delete`` and ``create`` make V1 calls and return the
    envelope's ``result``; ``request`` reaches the newer API versions by method and path.
    Every failure raises an ``ApiError`` subclass carrying the service's own message, or
    ``TransportError`` when no answer arrived.
    """

    service = SERVICE
    logger = logger
    #: The documented "four per second": at most 4 requests in any second.
    limit = (DEFAULT_RATE_PER_SECOND, 1.0)
    parse = staticmethod(_parse)
    base_url_setting = OPTIONAL_VARIABLES["url"]
    exposed_in_clear = (
        "each request's Authorization header (the realm, the user id and a signature that "
        "replays the request for minutes) and the account's data"
    )

    # -- V1 calls ------------------------------------------------------------------------

    def call(self, name: str, *args: Any) -> Any:
        """Make the V1 call ``name`` with positional ``args``; return its ``result``.

        Sent once, and repeated only when it certainly did nothing (429, a refused
        connection): an ambiguous failure (a timeout or dropped connection after sending, a
        5xx answer) is raised, since the call may have been done.
        """
        try:
            return self._call_v1(name, args, idempotent=False)
        except AmbiguousOutcome as ambiguous:
            ambiguous.raise_error()

    def read(self, name: str, *args: Any) -> Any:
        """Make a V1 call that changes nothing (``sites``, ``getCustomerProperties``…);
        retried on 429, 5xx and connection errors, honouring ``Retry-After``."""
        return self._call_v1(name, args, idempotent=True)

    def write(self, name: str, *args: Any) -> Any:
        """Make a V1 call that sets values outright (``updateSite``, ``editMailingList``,
        ``editConsentType``): doing it twice has the effect of doing it once (it is
        idempotent), so it is retried like ``read``."""
        return self._call_v1(name, args, idempotent=True)

    def delete(self, name: str, *args: Any) -> None:
        """Make a V1 delete call (``deleteSite``, ``deleteMailingList``…): the goal is that
        the object is gone, so an answer that it is not found (deleted by someone else, or
        by an earlier attempt whose answer was lost) is success, and the call is retried
        like ``write``."""
        try:
            self._call_v1(name, args, idempotent=True)
        except NotFound:
            logger.info("%s: already gone", name)

    def create(self, name: str, *args: Any, find_existing: Callable[[], Any]) -> Any:
        """Make a V1 create call without ever creating a duplicate.

        When the outcome is ambiguous, ``find_existing`` is asked whether the object exists
        now; if it returns anything but None, that is the result, otherwise the call is tried
        again, within the retry policy.
        """
        return self._exchange.create_once(
            lambda: self._call_v1(name, args, idempotent=False),
            find_existing=find_existing,
            operation=name,
        )

    # -- other API versions --------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        payload: Any = None,
    ) -> Any:
        """Send ``method path?params`` (V2/V3, e.g. ``GET /api/v3/events``), signed like a
        V1 call; a GET signs the MD5 of the empty string and an empty body line. No object
        type uses it (assumes: lianamailer.v2_v3).

        ``params`` become the query string in the given order, percent-encoded (``:`` kept,
        as the documented example sends times); ``payload``, if any, the JSON body. Returns
        the envelope's ``result``, or the whole answer when it has none (V3 answers carry
        ``items``). GET is retried like ``read``, other methods like ``call``.
        """
        method = method.upper()
        query = encode_query(params, safe=":")
        target = f"{path}?{query}" if query else path
        body = encode_json(payload) if payload is not None else b""
        operation = f"{method} {path}"
        try:
            answer = self._send(
                method, target, body, operation, idempotent=method in IDEMPOTENT_METHODS
            )
        except AmbiguousOutcome as ambiguous:
            ambiguous.raise_error()
        return answer.get("result", answer)

    def __repr__(self) -> str:
        creds = self._credentials
        return (
            f"LianaMailerClient(base_url={creds.base_url!r}, realm={creds.realm!r}, "
            f"user_id={creds.user_id!r})"
        )

    # -- internals -----------------------------------------------------------------------

    def _call_v1(self, name: str, args: tuple[Any, ...], *, idempotent: bool) -> Any:
        """``POST /api/v1/<name>`` with the arguments as a JSON array (assumes:
        lianamailer.body); the envelope's ``result``."""
        if not _CALL_NAME.match(name):
            raise ValueError(f"not a LianaMailer call name: {name!r}")
        body = encode_json(list(args))
        answer = self._send("POST", f"{V1_PREFIX}/{name}", body, name, idempotent=idempotent)
        return answer.get("result")

    def _signed_request(self, method: str, target: str, body: bytes) -> httpx.Request:
        """A new request for each attempt, signed now with this machine's clock: the
        signature covers the ``Date`` (assumes: lianamailer.headers, lianamailer.signature,
        lianamailer.date, lianamailer.date_skew, lianamailer.clock)."""
        request = self._exchange.http.build_request(method, target, content=body or None)
        creds = self._credentials
        request.headers.update(
            signing.signed_headers(
                creds.realm,
                creds.user_id,
                creds.secret,
                method,
                body,
                request.url.raw_path.decode("ascii"),
                signing.format_date(self._clock()),
            )
        )
        return request

    def _send(
        self, method: str, target: str, body: bytes, operation: str, *, idempotent: bool
    ) -> dict[str, Any]:
        """Send ``method target`` with ``body`` under the retry policy and the rate limiter,
        signed afresh on every attempt; return the answer's envelope."""
        return self._exchange.send(
            lambda: self._signed_request(method, target, body),
            operation=operation,
            idempotent=idempotent,
        )


def logical_error(message: str) -> type[ApiError]:
    """The ``ApiError`` subclass for a refused call (HTTP 200, ``succeed: false``), chosen
    from its message, since the service sends no code: a missing object is ``NotFound``, a
    name taken or an object still used is ``Conflict``, anything else ``InvalidRequest``."""
    text = message.casefold()
    if "not found" in text:
        return NotFound
    if "already exists" in text or "in use" in text:
        return Conflict
    return InvalidRequest
