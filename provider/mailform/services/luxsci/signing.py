"""LuxSci request signing, exactly as the API documents it ("LuxSci Secure" mechanism).

Two signatures exist (LuxSci's API reference, "Authentication"):

- the **auth signature**, sent once in ``POST /perl/api/v2/auth``, over the token and the
  Unix date (plus user and password for user-scope integrations);
- the **request signature**, sent on every other request in the cookie
  ``signature=<auth>:<hmac>``, over the auth token, method, path, query string and the
  SHA-256 of the body.

Both are lowercase hex HMAC-SHA256 keyed with the integration secret. These are pure
functions so that they can be checked against vectors computed independently.
"""

from __future__ import annotations

import hashlib
import hmac


def _hmac_hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def auth_signature(
    secret: str,
    token: str,
    date: int | str,
    *,
    user: str | None = None,
    password: str | None = None,
) -> str:
    """The signature of an auth request.

    Account scope signs ``token\\ndate\\n``; user scope appends ``user\\npass\\n``.
    """
    message = f"{token}\n{date}\n"
    if user is not None:
        if password is None:
            raise ValueError("user-scope authentication needs both user and password")
        message += f"{user}\n{password}\n"
    return _hmac_hex(secret, message)


def body_hash(body: bytes) -> str:
    """Lowercase hex SHA-256 of the exact body bytes sent; empty for a request without body."""
    return hashlib.sha256(body).hexdigest() if body else ""


def request_signature(
    secret: str,
    auth: str,
    method: str,
    path: str,
    query: str = "",
    body: bytes = b"",
) -> str:
    """The HMAC of an authenticated request.

    ``path`` is the URL path as sent (no scheme, host or ``?``), ``query`` the raw query
    string as sent (without ``?``), ``body`` the exact bytes sent (empty for GET/DELETE).
    """
    message = f"{auth}\n{method.upper()}\n{path}\n{query}\n{body_hash(body)}\n"
    return _hmac_hex(secret, message)


def signature_cookie(auth: str, signature: str) -> str:
    """The value of the ``signature`` cookie: ``<auth>:<hmac>``."""
    return f"{auth}:{signature}"
