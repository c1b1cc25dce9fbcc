"""LianaMailer request signing, exactly as the API documents it (its REST API
reference, "Authentication"; ``docs/api-assumptions.md`` records the details).

Every request carries ``Content-Type: application/json``, ``Content-MD5`` (lower-case hex MD5
of the body bytes; of the empty string for a GET), ``Date`` (ISO 8601 with a UTC offset) and
``Authorization: REALM USER_ID:SIGNATURE``. The signature is the lower-case hex HMAC-SHA256,
keyed with the API secret, of six lines joined by ``\\n`` without a trailing newline:
method, Content-MD5, the literal ``application/json``, Date, body, and path plus query.

These are pure functions (no clock, no I/O) so that they can be checked against the
documented vectors; the client passes them the exact bytes it sends.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

#: The Content-Type sent, and the literal third line of the signed text.
CONTENT_TYPE = "application/json"


def content_md5(body: bytes) -> str:
    """Lower-case hex MD5 of the exact body bytes (``d41d8cd9…`` for an empty body)."""
    return hashlib.md5(body).hexdigest()


def string_to_sign(method: str, content_md5: str, date: str, body: bytes, path: str) -> bytes:
    """The signed text: six lines in the documented order, no trailing newline.

    ``body`` is the raw body as sent (empty for GET) and ``path`` the path plus ``?query``
    exactly as sent, without scheme or host. The body stays bytes, so that nothing is decoded
    and re-encoded between what is signed and what is sent.
    """
    head = "\n".join([method.upper(), content_md5, CONTENT_TYPE, date]).encode("utf-8")
    return head + b"\n" + body + b"\n" + path.encode("utf-8")


def signature(secret: str, message: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of ``message``, keyed with the secret's UTF-8 bytes."""
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def format_date(seconds: float) -> str:
    """The ``Date`` header for Unix time ``seconds``: ISO 8601, second precision, in UTC
    written ``+00:00`` (the service refuses a date without an offset)."""
    return datetime.fromtimestamp(int(seconds), UTC).isoformat(timespec="seconds")


def authorization(realm: str, user_id: str, signature: str) -> str:
    """The ``Authorization`` header: ``REALM USER_ID:SIGNATURE``."""
    return f"{realm} {user_id}:{signature}"


def signed_headers(
    realm: str,
    user_id: str,
    secret: str,
    method: str,
    body: bytes,
    path: str,
    date: str,
) -> dict[str, str]:
    """The four headers that authenticate one request: Content-Type, Content-MD5, Date and
    Authorization, for ``body`` and ``path`` (plus ``?query``) exactly as sent."""
    md5 = content_md5(body)
    mac = signature(secret, string_to_sign(method, md5, date, body, path))
    return {
        "Content-Type": CONTENT_TYPE,
        "Content-MD5": md5,
        "Date": date,
        "Authorization": authorization(realm, user_id, mac),
    }
