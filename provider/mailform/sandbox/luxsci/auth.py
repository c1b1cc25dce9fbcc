"""Authentication of the simulated LuxSci API: integrations, auth sessions and signatures.

Implements the "LuxSci Secure" scheme of LuxSci's API reference, as fixed by
``docs/api-assumptions.md``:

- ``POST /perl/api/v2/auth`` with ``{"token", "date", "signature"}`` (plus ``"user"`` and
  ``"pass"`` for a user-scope integration), where ``signature`` is the hex HMAC-SHA256, keyed
  with the integration secret, of ``token\\ndate\\n`` (or ``token\\ndate\\nuser\\npass\\n``).
  ``date`` may be an int or a string and must be within the allowed skew of the sandbox clock.
  The answer is a new auth code ``<sequence>-<unix time>-<64 hex>``.
- Every other request carries ``Cookie: signature=<auth>:<hex>``, the HMAC of
  ``auth\\nMETHOD\\npath\\nquery\\nbody_hash\\n`` with the path and query exactly as they
  arrived (no decoding, no re-ordering) and ``body_hash`` the hex SHA-256 of the body for POST
  and PUT, empty otherwise.
- ``DELETE /perl/api/v2/auth`` revokes the session; sessions also expire after their lifetime,
  or all at once when the fault layer says so.

Hex digests are compared case-insensitively (the C# sample sends uppercase). Every refusal is
a :class:`NotAuthenticated` (401), except a request to a host the integration is not bound to
(403) and malformed input (400).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mailform.sandbox.luxsci.account import DAY, DEFAULT_CREATE_LIMITS, Account
from mailform.sandbox.luxsci.errors import AccessDenied, InvalidRequest, NotAuthenticated

SCOPES = ("account", "user")
BODY_METHODS = frozenset({"POST", "PUT"})

log = logging.getLogger(__name__)


def auth_signature(
    secret: str, token: str, date: str, user: str | None = None, password: str | None = None
) -> str:
    """The hex signature an ``/auth`` request must carry."""
    message = f"{token}\n{date}\n"
    if user is not None and password is not None:
        message += f"{user}\n{password}\n"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def request_signature(
    secret: str, auth: str, method: str, path: str, query: str, body_hash: str
) -> str:
    """The hex signature the ``signature`` cookie of an authenticated request must carry."""
    message = f"{auth}\n{method.upper()}\n{path}\n{query}\n{body_hash}\n"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _same_hex(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.strip().lower().encode(), expected.lower().encode())


@dataclass
class Integration:
    """An API integration as configured on LuxSci's "API Interface" page.

    ``acl`` is the set of access controls granted (None: all of them); ``create_limits`` caps
    the domains, aliases and users added to the account in any 24 hours; ``host``, when set,
    is the only host name requests may be addressed to.
    """

    token: str
    secret: str
    scope: str = "account"
    enabled: bool = True
    acl: frozenset[str] | None = None
    create_limits: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_CREATE_LIMITS))
    host: str | None = None
    name: str = "mailform sandbox"

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"integration scope must be account or user, not {self.scope!r}")
        unknown = sorted(set(self.create_limits) - set(DEFAULT_CREATE_LIMITS))
        if unknown:
            raise ValueError(f"unknown create limits: {', '.join(unknown)}")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Integration:
        """Read an integration as stored in the state (or given in a seed file)."""
        acl = data.get("acl")
        return cls(
            token=str(data["token"]),
            secret=str(data["secret"]),
            scope=str(data.get("scope", "account")),
            enabled=bool(data.get("enabled", True)),
            acl=None if acl is None else frozenset(str(item) for item in acl),
            create_limits={**DEFAULT_CREATE_LIMITS, **dict(data.get("create_limits") or {})},
            host=data.get("host"),
            name=str(data.get("name", "mailform sandbox")),
        )

    def to_json(self) -> dict[str, Any]:
        """The integration as stored in the state."""
        return {
            "name": self.name,
            "token": self.token,
            "secret": self.secret,
            "scope": self.scope,
            "enabled": self.enabled,
            "acl": None if self.acl is None else sorted(self.acl),
            "create_limits": dict(self.create_limits),
            "host": self.host,
        }


@dataclass(frozen=True)
class SignedRequest:
    """What signature verification needs from an HTTP request, exactly as it arrived."""

    method: str
    path: str
    query: str
    body: bytes
    cookie: str | None
    host: str | None


@dataclass(frozen=True)
class Caller:
    """Who sent a verified request: the auth code, its integration, and for a user-scope
    session the one user it may act for."""

    auth: str
    integration: Integration
    user_id: int | None


class Gatekeeper:
    """Issues, checks, revokes and expires auth sessions over the ``luxsci`` state section.

    ``now`` is the sandbox clock's time for this request; ``lifetime`` is how long an auth
    code stays valid and ``skew`` how far a signed ``date`` may be from ``now``.
    """

    def __init__(self, data: dict[str, Any], now: float, *, lifetime: float, skew: float) -> None:
        self.data = data
        self.now = now
        self.lifetime = lifetime
        self.skew = skew

    def integrations(self) -> list[Integration]:
        """Every configured integration; the first one is the sandbox's default."""
        return [Integration.from_json(item) for item in self.data["integrations"]]

    def integration(self, token: str) -> Integration | None:
        """The integration with ``token``, if any."""
        for item in self.data["integrations"]:
            if hmac.compare_digest(str(item["token"]).encode(), token.encode()):
                return Integration.from_json(item)
        return None

    def _check_host(self, integration: Integration, host: str | None) -> None:
        if integration.host is None:
            return
        if _host_name(host) != integration.host.lower():
            raise AccessDenied(
                f"Requests must be addressed to {integration.host}; other host names are "
                "rejected by the API."
            )

    def authenticate(self, body: Mapping[str, Any], host: str | None) -> str:
        """Check an ``/auth`` request body and return a new auth code."""
        token, date, signature = (
            _auth_field(body, name) for name in ("token", "date", "signature")
        )
        if isinstance(body["date"], float) or not date.strip().isdigit():
            raise InvalidRequest("Invalid date: expected the current Unix time in seconds.")
        integration = self.integration(token)
        if integration is None:
            raise NotAuthenticated("Invalid API token.")
        if not integration.enabled:
            raise NotAuthenticated("This API integration is not enabled.")
        self._check_host(integration, host)
        if abs(int(date) - self.now) > self.skew:
            raise NotAuthenticated(
                "Request date is too far from the server time (allowed difference "
                f"{self.skew:g} seconds); check your clock."
            )
        user, password = body.get("user"), body.get("pass")
        has_user = isinstance(user, str) and user != "" and isinstance(password, str)
        if integration.scope == "user" and not has_user:
            raise NotAuthenticated(
                "This API integration has user scope: a user and pass must be given."
            )
        expected = auth_signature(
            integration.secret,
            token,
            date,
            user if has_user else None,
            password if has_user else None,
        )
        if not _same_hex(signature, expected):
            raise NotAuthenticated("Invalid signature.")
        user_id = None
        if has_user:
            record = Account(self.data, self.now).user_with_password(str(user), str(password))
            if record is None:
                raise NotAuthenticated("Invalid username or password.")
            if record["status"] != "enabled":
                raise NotAuthenticated(f"User {record['user']} is disabled.")
            if integration.scope == "user":
                user_id = record["user_id"]
        return self._issue(integration, user_id)

    def _issue(self, integration: Integration, user_id: int | None) -> str:
        sessions = self.data["sessions"]
        horizon = self.now - self.lifetime - DAY
        for auth in [auth for auth, item in sessions.items() if item["issued"] < horizon]:
            del sessions[auth]
        sequence = Account(self.data, self.now).next_id("session")
        auth = f"{sequence}-{int(self.now)}-{secrets.token_hex(32)}"
        sessions[auth] = {
            "token": integration.token,
            "user_id": user_id,
            "issued": self.now,
            "state": "active",
        }
        log.info("authenticate: issued auth %d for integration %s", sequence, integration.name)
        return auth

    def verify(self, request: SignedRequest) -> Caller:
        """Check the signature cookie of an authenticated request; return who sent it."""
        auth, signature = _parse_cookie(request.cookie)
        session = self.data["sessions"].get(auth)
        if session is None:
            raise NotAuthenticated("Invalid authentication code; please authenticate again.")
        if session["state"] == "revoked":
            raise NotAuthenticated("Authentication session revoked; please authenticate again.")
        if session["state"] == "expired" or session["issued"] + self.lifetime <= self.now:
            raise NotAuthenticated("Authentication expired; please authenticate again.")
        integration = self.integration(session["token"])
        if integration is None or not integration.enabled:
            raise NotAuthenticated("This API integration is not enabled.")
        user_id = session["user_id"]
        if user_id is not None and Account(self.data, self.now).user_by_id(user_id) is None:
            raise NotAuthenticated("The user of this session no longer exists.")
        body_hash = ""
        if request.method.upper() in BODY_METHODS:
            body_hash = hashlib.sha256(request.body).hexdigest()
        expected = request_signature(
            integration.secret, auth, request.method, request.path, request.query, body_hash
        )
        # A body-less POST/PUT may reasonably be signed with an empty body hash too.
        empty = request_signature(
            integration.secret, auth, request.method, request.path, request.query, ""
        )
        if not (
            _same_hex(signature, expected) or (not request.body and _same_hex(signature, empty))
        ):
            raise NotAuthenticated("Invalid request signature.")
        self._check_host(integration, request.host)
        return Caller(auth=auth, integration=integration, user_id=session["user_id"])

    def revoke(self, auth: str) -> None:
        """Log out: the auth code is refused from now on."""
        self.data["sessions"][auth]["state"] = "revoked"

    def expire_all(self) -> None:
        """Expire every active session (the auth-expiry fault)."""
        for session in self.data["sessions"].values():
            if session["state"] == "active":
                session["state"] = "expired"


def _host_name(host: str | None) -> str:
    """The host name of a ``Host`` header, without the port."""
    host = (host or "").strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.partition(":")[0]


def _auth_field(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None or value == "":
        raise InvalidRequest(f"Missing required field: {name}.")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidRequest(f"Invalid {name}.")
    return str(value)


def _parse_cookie(header: str | None) -> tuple[str, str]:
    for part in (header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name != "signature":
            continue
        auth, colon, signature = value.strip().strip('"').rpartition(":")
        if not colon or not auth or not signature:
            raise NotAuthenticated(
                "Malformed signature cookie: expected signature=<auth>:<signature>."
            )
        return auth, signature
    raise NotAuthenticated("Missing signature cookie; authenticate and sign the request.")
