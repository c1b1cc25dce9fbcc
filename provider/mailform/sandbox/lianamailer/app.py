"""The HTTP face of the simulated LianaMailer API: ``POST /api/v1/<call>``.

A request is handled in one store transaction: verify the signature headers over the raw
body and the raw path+query, read the body as the JSON array of positional arguments, run the
call, and answer ``{"succeed": true, "result": ...}``. Refusals answer ``{"succeed": false,
"message": ...}``: 401 for auth, 404 for an unknown call or API version (a call's path with a
trailing slash too), 405 with ``Allow: POST`` for a V1 call that is not POST, 400 for a body
that is not JSON within the sandbox's limits (:mod:`mailform.sandbox.limits`), and HTTP 200
for logical errors, which leave the state as it was.

A JSON scalar body is taken as a one-argument call, as Liana's own plugin sends
``"hello"`` to ``echoMessage``; a JSON object is refused (V1 parameters are positional).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from mailform.sandbox.lianamailer import consents, lists, properties, sites
from mailform.sandbox.lianamailer.args import Args
from mailform.sandbox.lianamailer.errors import (
    BadRequest,
    CallFailed,
    LianaError,
    MethodNotAllowed,
    UnknownCall,
)
from mailform.sandbox.lianamailer.model import SECTION, Data
from mailform.sandbox.lianamailer.service import LianaMailerService
from mailform.sandbox.lianamailer.signing import verify
from mailform.sandbox.limits import LimitError, read_json

BASE_PATH = "/api"
V1_PREFIX = f"{BASE_PATH}/v1/"
READ_ONLY = frozenset(
    {"echoMessage", "sites", "getSite", "getCustomerProperties", "getMailingList"}
    | {"getMailingLists", "getConsentTypes", "getConsentTypesBySite"}
)

log = logging.getLogger(__name__)


def _echo(data: Data, args: Args) -> Any:
    """``echoMessage [message]``: answers the message (the documented signing example)."""
    return args.values[0] if args.values else None


CALLS: dict[str, tuple[tuple[str, ...], Callable[[Data, Args], Any]]] = {
    "echoMessage": (("message",), _echo),
    **sites.CALLS,
    **properties.CALLS,
    **lists.CALLS,
    **consents.CALLS,
}


def error_envelope(message: str) -> dict[str, Any]:
    """LianaMailer's failure envelope; also used by the fault layer for 429 and 503."""
    return {"succeed": False, "message": message}


def is_change(scope: Mapping[str, Any]) -> bool:
    """Requests a dropped connection applies to: V1 calls that change the account."""
    path = str(scope.get("path", ""))
    name = path.rsplit("/", 1)[-1]
    return scope.get("method") == "POST" and name in CALLS and name not in READ_ONLY


def _raw_path(scope: Mapping[str, Any]) -> str:
    """The path and query exactly as sent: what the signature covers."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if raw else str(scope["path"])
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


def _arguments(body: bytes) -> list[Any]:
    try:
        value = read_json(body) if body.strip() else []
    except LimitError as error:
        raise BadRequest(f"Request body is not valid JSON: {error}") from None
    if isinstance(value, dict):
        raise CallFailed("V1 parameters are positional: send a JSON array")
    return value if isinstance(value, list) else [value]


class LianaMailerApi:
    """The ASGI app for one :class:`LianaMailerService`, to be mounted at ``/``; it answers
    paths under ``/api``."""

    def __init__(self, service: LianaMailerService) -> None:
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        status, body = await self._handle(request)
        headers = {"Allow": "POST"} if status == MethodNotAllowed.status else None
        await JSONResponse(body, status_code=status, headers=headers)(scope, receive, send)

    async def _handle(self, request: Request) -> tuple[int, dict[str, Any]]:
        raw = await request.body()
        try:
            return 200, {"succeed": True, "result": self._call(request.scope, raw)}
        except LianaError as error:
            log.info("_handle: %s refused (%d): %s", request.url.path, error.status, error)
            return error.status, error_envelope(error.message)

    def _call(self, scope: Scope, raw: bytes) -> Any:
        path = str(scope["path"])
        name = path[len(V1_PREFIX) :] if path.startswith(V1_PREFIX) else ""
        if name not in CALLS:
            raise UnknownCall(f"Unknown endpoint: {path}")
        method = str(scope["method"])
        if method != "POST":
            raise MethodNotAllowed(f"{name} must be called with POST")
        names, handler = CALLS[name]
        with self.service.store.change() as state:
            data = state[SECTION]
            verify(
                Headers(scope=scope),
                method=method,
                body=raw,
                path=_raw_path(scope),
                credentials=self.service.credentials,
                now=self.service.clock.now(),
                skew=self.service.settings.date_skew,
            )
            return handler(data, Args(name, _arguments(raw), names))


def app(service: LianaMailerService) -> ASGIApp:
    """The ASGI app of the simulated API (a plain callable, so the fault layer can wrap it)."""
    return LianaMailerApi(service)
