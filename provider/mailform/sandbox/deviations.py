"""Deviations: the sandbox answering otherwise than the documented API, on purpose.

``mailform doctor`` checks mailform's picture of each API against a real account. Its tests
need an account whose answers differ from that picture in known ways; the sandbox, being the
picture, becomes one when told to deviate. A :class:`Deviation` applies to the answers of the
requests whose path ends with its ``path`` (``/aliases``, ``/marketing/lists``,
``/getMailingLists``, ``/auth``) and, when it names one, whose method is its ``method``:

- ``rename``: answer fields renamed, old name to new (``{"dest": "destinations"}``), in the
  rows of the envelope (LuxSci's ``data``, LianaMailer's ``result``: an array of objects, or
  one object);
- ``status``: the HTTP status answered instead (the body stays as it is).

The clock is the third way a real server differs: every answer of a simulated service
carries a ``Date`` header telling the sandbox's own "now", as a real server's tells its
clock, so ``PUT /_sandbox/clock {"offset": 120}`` skews both the ``Date`` and the signed dates
the sandbox accepts, as a server whose clock is two minutes off would.

Control endpoints (with the control token, like the others):

=============================  ================================================================
``GET /_sandbox/deviations``   ``{"deviations": [{"path": "/aliases", "method": null, "rename":
                               {"dest": "destinations"}, "status": null}, ...]}``
``PUT /_sandbox/deviations``   the same shape, replacing every deviation (``[]``: none); 400 on
                               bad input. ``POST /_sandbox/reset`` clears them too.
=============================  ================================================================

The module knows nothing of mailform's client: it works on paths, methods and JSON keys.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mailform.sandbox.asgi import ASGIApp, Message, Receive, Scope, Send
from mailform.sandbox.limits import LimitError, read_json

_KEYS = frozenset({"path", "method", "rename", "status"})


@dataclass(frozen=True)
class Deviation:
    """One way the answers of some requests differ from the documented API (see the
    module's docstring)."""

    path: str
    method: str | None = None
    rename: Mapping[str, str] = field(default_factory=dict)
    status: int | None = None

    def applies_to(self, method: str, path: str) -> bool:
        """Whether the answer to ``method path`` deviates."""
        return path.endswith(self.path) and self.method in (None, method)

    def to_json(self) -> dict[str, Any]:
        """The deviation as the control endpoint shows it."""
        return {
            "path": self.path,
            "method": self.method,
            "rename": dict(self.rename),
            "status": self.status,
        }

    @classmethod
    def from_json(cls, value: Any) -> Deviation:
        """Read one deviation; ValueError names what is wrong."""
        if not isinstance(value, dict) or set(value) - _KEYS:
            raise ValueError(f"a deviation is an object with keys {sorted(_KEYS)}, not {value!r}")
        path, method = value.get("path"), value.get("method")
        rename, status = value.get("rename") or {}, value.get("status")
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"path must be the end of a path, like /aliases, not {path!r}")
        if method is not None and (not isinstance(method, str) or not method.isalpha()):
            raise ValueError(f"method must be an HTTP method or null, not {method!r}")
        if not isinstance(rename, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k and v for k, v in rename.items()
        ):
            raise ValueError(f"rename maps answer field names to new names, not {rename!r}")
        if status is not None and (
            isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599
        ):
            raise ValueError(f"status must be an HTTP status from 100 to 599, not {status!r}")
        if not rename and status is None:
            raise ValueError("a deviation renames fields or changes the status (or both)")
        return cls(path, method.upper() if method else None, dict(rename), status)


def _renamed(row: Any, rename: Mapping[str, str]) -> Any:
    if not isinstance(row, dict):
        return row
    return {rename.get(key, key): value for key, value in row.items()}


class Deviations:
    """The deviations in force, and the middleware that applies them (and stamps every
    answer's ``Date`` with ``now()``, the sandbox's clock). Thread-safe."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._deviations: tuple[Deviation, ...] = ()

    @property
    def deviations(self) -> tuple[Deviation, ...]:
        """The deviations in force."""
        with self._lock:
            return self._deviations

    def set(self, deviations: tuple[Deviation, ...]) -> None:
        """Replace the deviations in force."""
        with self._lock:
            self._deviations = deviations

    def reset(self) -> None:
        """No deviation: the documented API again."""
        self.set(())

    def to_json(self) -> dict[str, Any]:
        """``{"deviations": [...]}``."""
        return {"deviations": [deviation.to_json() for deviation in self.deviations]}

    async def get(self, request: Request) -> Response:
        """``GET /_sandbox/deviations``."""
        return JSONResponse(self.to_json())

    async def put(self, request: Request) -> Response:
        """``PUT /_sandbox/deviations``: replace them all."""
        try:
            body = read_json(await request.body() or b"{}")
            if not isinstance(body, dict) or set(body) != {"deviations"}:
                raise ValueError('expected {"deviations": [...]}')
            items = body["deviations"]
            if not isinstance(items, list):
                raise ValueError("deviations must be a list")
            self.set(tuple(Deviation.from_json(item) for item in items))
        except (ValueError, LimitError) as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        return JSONResponse(self.to_json())

    def wrap(self, app: ASGIApp, *, rows: str) -> ASGIApp:
        """``app`` answering with a ``Date`` and the deviations in force; ``rows`` is the
        envelope key of its answers' rows (``data``, ``result``)."""

        async def deviating(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            method, path = str(scope.get("method")), str(scope.get("path"))
            chosen = [d for d in self.deviations if d.applies_to(method, path)]
            status = next((d.status for d in chosen if d.status is not None), None)
            rename = {old: new for d in chosen for old, new in d.rename.items()}
            date = formatdate(self._now(), usegmt=True).encode()

            def start(message: Message) -> Message:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                changed = {**message, "headers": [*headers, (b"date", date)]}
                return changed if status is None else {**changed, "status": status}

            if not rename:

                async def send_dated(message: Message) -> None:
                    await send(
                        start(message) if message["type"] == "http.response.start" else message
                    )

                await app(scope, receive, send_dated)
                return
            await self._renaming(app, scope, receive, send, start, rows, rename)

        return deviating

    @staticmethod
    async def _renaming(
        app: ASGIApp,
        scope: Scope,
        receive: Receive,
        send: Send,
        start: Callable[[Message], Message],
        rows: str,
        rename: Mapping[str, str],
    ) -> None:
        """Hold the answer until it is complete, rename the fields of its rows, and send it;
        an answer left unfinished (a dropped connection) is passed on as it was."""
        head: Message | None = None
        parts: list[bytes] = []
        finished = False

        async def hold(message: Message) -> None:
            nonlocal head, finished
            if message["type"] == "http.response.start":
                head = message
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                finished = not message.get("more_body", False)

        await app(scope, receive, hold)
        if head is None:
            return
        body = b"".join(parts)
        if finished:
            try:
                envelope = json.loads(body)
            except ValueError:
                envelope = None
            if isinstance(envelope, dict) and rows in envelope:
                value = envelope[rows]
                envelope[rows] = (
                    [_renamed(row, rename) for row in value]
                    if isinstance(value, list)
                    else _renamed(value, rename)
                )
                body = json.dumps(envelope, separators=(",", ":")).encode()
        headers = list(head.get("headers", []))
        if finished:
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
        await send(start({**head, "headers": headers}))
        await send({"type": "http.response.body", "body": body, "more_body": not finished})
