"""Verification of LianaMailer's HMAC request signature (reference ``lianamailer.md`` A.1-A.4).

The client sends ``Content-Type``, ``Content-MD5`` (lower-case hex MD5 of the raw body; of the
empty string for GET), ``Date`` (ISO 8601 with a UTC offset) and ``Authorization: REALM
USER_ID:SIGNATURE``, where the signature is the hex HMAC-SHA256, keyed with the API secret, of
the six lines ``METHOD``, ``Content-MD5``, ``application/json``, ``Date``, body and path+query,
joined by ``\\n`` without a trailing newline.

Both of Liana's official clients are "right" although they serialise JSON differently, so the
sandbox hashes the raw body bytes as received and never re-serialises anything.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from mailform.sandbox.lianamailer.errors import Unauthorized

CONTENT_TYPE = "application/json"
_AUTHORIZATION = re.compile(r"^(?P<realm>\S+) (?P<user>\S+):(?P<signature>[0-9a-fA-F]{64})$")


@dataclass(frozen=True)
class Credentials:
    """What a client needs: ``LIANAMAILER_REALM``, ``LIANAMAILER_USER_ID`` and
    ``LIANAMAILER_API_SECRET``."""

    realm: str
    user_id: str
    secret: str

    def __repr__(self) -> str:
        return f"Credentials(realm={self.realm!r}, user_id={self.user_id!r}, secret='***')"


def string_to_sign(method: str, content_md5: str, date: str, body: bytes, path: str) -> bytes:
    """The signed text: six lines in the documented order, no trailing newline."""
    head = "\n".join([method.upper(), content_md5, CONTENT_TYPE, date]).encode()
    return head + b"\n" + body + b"\n" + path.encode()


def signature(secret: str, message: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of ``message`` keyed with the secret's UTF-8 bytes."""
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def parse_date(value: str) -> float:
    """Unix seconds of an ISO 8601 ``Date`` with an offset (``+03:00`` or ``+0300``).

    A date without an offset is refused: its meaning would depend on the server's time zone,
    which would make the skew check meaningless.
    """
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Unauthorized(f"Invalid Date header: {value!r}") from None
    if moment.tzinfo is None:
        raise Unauthorized(f"Date header has no UTC offset: {value!r}")
    return moment.timestamp()


def verify(
    headers: Mapping[str, str],
    *,
    method: str,
    body: bytes,
    path: str,
    credentials: Credentials,
    now: float,
    skew: float,
) -> None:
    """Check one request's auth headers; raise :class:`Unauthorized` naming the first problem.

    ``headers`` must be case-insensitive (HTTP semantics); ``path`` is the raw path plus
    ``?query`` exactly as sent.
    """
    authorization = headers.get("authorization")
    content_md5 = headers.get("content-md5")
    date = headers.get("date")
    if not authorization or content_md5 is None or not date:
        raise Unauthorized("Authorization, Content-MD5 and Date headers are required")
    match = _AUTHORIZATION.match(authorization)
    if match is None:
        raise Unauthorized("Malformed Authorization header; expected 'REALM USER_ID:SIGNATURE'")
    if match["realm"] != credentials.realm or match["user"] != credentials.user_id:
        raise Unauthorized("Unknown realm or user")
    media_type = (headers.get("content-type") or "").split(";")[0].strip().lower()
    if media_type != CONTENT_TYPE:
        raise Unauthorized(f"Content-Type must be {CONTENT_TYPE}")
    # Compared as bytes: a header value may hold any byte, and compare_digest refuses
    # strings that are not ASCII.
    expected_md5 = hashlib.md5(body).hexdigest().encode()
    if not hmac.compare_digest(content_md5.encode("utf-8", "replace"), expected_md5):
        raise Unauthorized("Content-MD5 must be the lower-case hex MD5 of the request body")
    if abs(parse_date(date) - now) > skew:
        raise Unauthorized(f"Date header is more than {skew:g} seconds from server time")
    expected = signature(credentials.secret, string_to_sign(method, content_md5, date, body, path))
    if not hmac.compare_digest(expected, match["signature"].lower()):
        raise Unauthorized("Signature does not match")
