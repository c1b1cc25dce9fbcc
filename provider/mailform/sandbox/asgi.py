"""The ASGI interface the sandbox's wrappers (guard, faults, deviations) share, spelt as the
specification (and Starlette's ``starlette.types``) spell it, so that any ASGI app can be
wrapped and the wrapper mounted without the web framework; what a wrapper that reads the
request body before the app needs (reading it, and giving it to the app again); and the
JSON answer a wrapper gives in the app's place."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ErrorEnvelope = Callable[[str], Mapping[str, Any]]
"""Turns an error message into the JSON body a service answers failures with."""


class BodyTooLarge(Exception):
    """The request body passed the limit it was read with."""


async def read_body(receive: Receive, limit: int | None = None) -> bytes | None:
    """The whole request body, or None when the client disconnected first; raises
    :class:`BodyTooLarge` as soon as it passes ``limit`` (None: no limit)."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        if message["type"] != "http.request":
            continue
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            raise BodyTooLarge
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the app the body already read, then what the client sends."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def answer_json(
    send: Send, status: int, envelope: Mapping[str, Any], extra: Mapping[str, str] | None = None
) -> None:
    """Answer with ``envelope`` as compact JSON, and the ``extra`` headers."""
    body = json.dumps(dict(envelope), separators=(",", ":")).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    headers += [(name.encode(), value.encode("latin-1")) for name, value in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
