"""The sandbox's front door: what every request passes before a route sees it.

The sandbox holds secrets (its own API credentials, in the state ``GET /_sandbox/state``
returns) and can be wiped (``POST /_sandbox/reset``), and it listens on a port of the
developer's machine, which every web page the developer opens can try to reach. So:

- **Cross-origin requests are refused** (403), on every path: a request whose ``Origin`` is
  not the sandbox's own, or that a browser marks as coming from another site
  (``Sec-Fetch-Site``). Clients (httpx, curl, the project's own) send neither header.
- **The Host header of a control request must be the sandbox's** (403 otherwise): a loopback
  name (``localhost``, ``127.0.0.1``, ``[::1]``, any port) unless the sandbox is served on
  another address on purpose. This defeats DNS rebinding, where a page's own host name is
  made to resolve to 127.0.0.1. The API paths accept any Host, as the real services' do
  (the in-process transport addresses them by their real host names, and a LuxSci
  integration may be bound to one); nothing there answers without the service's
  credentials.
- **Control requests carry the control token** (401 otherwise): ``Authorization: Bearer
  TOKEN`` on every path under ``/_sandbox/`` except ``/_sandbox/health``. The token is made
  with the state and kept in it (see :mod:`mailform.sandbox.server`).
- **Bodies are bounded** (413): :data:`~mailform.sandbox.limits.MAX_BODY_BYTES`, or
  :data:`~mailform.sandbox.limits.MAX_SEED_BYTES` for a seed, announced or not.

Every refusal is a JSON body in the error envelope of the part of the sandbox the path is
in (an :class:`Area`): LuxSci's under its prefix, LianaMailer's under its own, the control
endpoints' ``{"error": ...}`` elsewhere.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mailform.sandbox.asgi import (
    ASGIApp,
    BodyTooLarge,
    ErrorEnvelope,
    Receive,
    Scope,
    Send,
    answer_json,
    read_body,
    replay,
)
from mailform.sandbox.limits import MAX_BODY_BYTES

CONTROL_PREFIX = "/_sandbox"

#: ``allowed_hosts`` that accepts every Host header (a sandbox served to other machines).
ANY_HOST = "*"

_HOST = re.compile(r"(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<name>[^:\[\]/@\s]+))(?::(?P<port>\d{1,5}))?")


def control_envelope(message: str) -> dict[str, Any]:
    """The control endpoints' failure body (and that of paths in no service)."""
    return {"error": message}


@dataclass(frozen=True)
class Area:
    """A part of the sandbox's paths (``prefix`` and everything under it) and the error
    envelope its failures are answered in."""

    prefix: str
    error_envelope: ErrorEnvelope

    def holds(self, path: str) -> bool:
        """Whether ``path`` is the prefix or under it."""
        return path == self.prefix or path.startswith(self.prefix + "/")


def area_of(path: str, areas: Sequence[Area], default: Area) -> Area:
    """The first of ``areas`` that holds ``path``, else ``default``."""
    return next((area for area in areas if area.holds(path)), default)


def host_name(header: str) -> str | None:
    """The host name of a ``Host`` header (lower case, no port, no trailing dot, an IPv6
    address without brackets), or None when the header is not one."""
    match = _HOST.fullmatch(header.strip().lower())
    if match is None:
        return None
    return (match["v6"] or match["name"]).rstrip(".")


def is_loopback(name: str) -> bool:
    """Whether a host name or address is this machine's loopback."""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class Guard:
    """ASGI middleware that puts ``app`` behind the checks of this module.

    ``areas`` are the services' parts of the URL space (any Host accepted there); every
    other path is the control area's. ``control_token`` is what ``Authorization: Bearer``
    must carry under ``/_sandbox/``, except on ``open_paths``. ``allowed_hosts`` are the
    host names control requests may be addressed to besides the loopback ones
    (:data:`ANY_HOST`: all). ``body_limits`` give a path a larger body limit than
    :data:`~mailform.sandbox.limits.MAX_BODY_BYTES`.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        areas: Sequence[Area],
        control_token: str,
        open_paths: Collection[str] = (),
        allowed_hosts: Collection[str] = (),
        body_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.log = logging.getLogger(f"{__name__}.Guard")
        self.app = app
        self.areas = tuple(areas)
        self.control = Area(CONTROL_PREFIX, control_envelope)
        self._token = control_token.encode()
        self.open_paths = frozenset(open_paths)
        self.allowed_hosts = frozenset(name.lower() for name in allowed_hosts)
        self.body_limits = dict(body_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        area = area_of(path, self.areas, self.control)
        headers = _headers(scope)
        refusal = self._refusal(path, area, headers)
        if refusal is not None:
            status, message, extra = refusal
            self.log.info(
                "__call__: %s %s refused (%d): %s", scope["method"], path, status, message
            )
            await answer_json(send, status, area.error_envelope(message), extra)
            return
        limit = self.body_limits.get(path, MAX_BODY_BYTES)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await answer_json(send, 413, area.error_envelope(_too_large(limit)))
            return
        try:
            body = await read_body(receive, limit)
        except BodyTooLarge:
            await answer_json(send, 413, area.error_envelope(_too_large(limit)))
            return
        if body is None:
            return  # the client went away
        await self.app(scope, replay(body, receive), send)

    def _refusal(
        self, path: str, area: Area, headers: Mapping[str, str]
    ) -> tuple[int, str, Mapping[str, str]] | None:
        """Status, message and headers of the refusal of this request, or None."""
        origin = headers.get("origin")
        if origin is not None and not _same_origin(origin, headers.get("host", "")):
            return 403, f"cross-origin requests are refused (Origin: {origin[:200]})", {}
        site = headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            return 403, f"cross-origin requests are refused (Sec-Fetch-Site: {site[:50]})", {}
        if area is not self.control:
            return None
        host = headers.get("host", "")
        if not self._host_allowed(host):
            return (
                403,
                f"the Host header {host[:200]!r} does not name this sandbox: it answers "
                "control requests addressed to localhost, 127.0.0.1 or [::1] only",
                {},
            )
        if not self.control.holds(path) or path in self.open_paths:
            return None
        if not self._authorised(headers.get("authorization", "")):
            return (
                401,
                "the control endpoints need the sandbox's control token: "
                "Authorization: Bearer <MAILFORM_SANDBOX_TOKEN, printed by `mailform sandbox "
                "serve` and `seed`>",
                {"www-authenticate": 'Bearer realm="mailform sandbox"'},
            )
        return None

    def _host_allowed(self, header: str) -> bool:
        if ANY_HOST in self.allowed_hosts:
            return True
        name = host_name(header)
        return name is not None and (is_loopback(name) or name in self.allowed_hosts)

    def _authorised(self, header: str) -> bool:
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(token.strip().encode("latin-1", "replace"), self._token)


def _too_large(limit: int) -> str:
    return f"the request body is larger than {limit:,} bytes (the sandbox's limit)"


def _headers(scope: Scope) -> dict[str, str]:
    """The request's headers, names in lower case; the first of a repeated one."""
    headers: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return headers


def _same_origin(origin: str, host: str) -> bool:
    """Whether an ``Origin`` header names the host the request was addressed to."""
    try:
        parts = urlsplit(origin.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(host) and parts.netloc == host.lower()
