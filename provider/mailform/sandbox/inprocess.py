"""A synchronous httpx transport that serves requests from an ASGI app in the same process.

Tests of a synchronous client want the sandbox without sockets or ports:
``httpx.Client(transport=SandboxTransport(app), base_url="https://rest.luxsci.com")``. httpx's
own ``ASGITransport`` is async-only, so this one runs the app on a private event loop in a
dedicated thread and hands each request to it; any number of threads may share one transport.

It behaves like the network where it matters to a client: the path and query reach the app
byte for byte as httpx would send them (so signatures match), the read timeout is honoured,
and a response the app leaves unfinished (the "drop the connection after the commit" fault)
raises :class:`httpx.RemoteProtocolError`, as a broken connection does over real HTTP.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading

import httpx

from mailform.sandbox.asgi import ASGIApp, Message

_DEFAULT_PORTS = {"http": 80, "https": 443}


class SandboxTransport(httpx.BaseTransport):
    """Serve httpx requests from ``app`` (any ASGI app, typically a
    :class:`~mailform.sandbox.server.SandboxApp`) on a private event loop.

    ``client`` is the (host, port) the app sees as the peer. Close the transport (or the
    ``httpx.Client`` that owns it) to stop the loop's thread.
    """

    def __init__(self, app: ASGIApp, *, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self.log = logging.getLogger(f"{__name__}.SandboxTransport")
        self.app = app
        self.client = client
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="mailform-sandbox-transport", daemon=True
        )
        self._thread.start()
        self._closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Run ``request`` through the app and return its complete response."""
        if self._closed:
            raise RuntimeError("the sandbox transport is closed")
        body = request.read()
        timeout = request.extensions.get("timeout", {}).get("read")
        future = asyncio.run_coroutine_threadsafe(self._exchange(request, body), self._loop)
        try:
            status, headers, content = future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise httpx.ReadTimeout("the sandbox did not answer in time", request=request) from None
        return httpx.Response(
            status, headers=headers, stream=httpx.ByteStream(content), request=request
        )

    async def _exchange(
        self, request: httpx.Request, body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        url = request.url
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(name.lower(), value) for name, value in request.headers.raw],
            "scheme": url.scheme,
            "path": url.path,
            "raw_path": url.raw_path.split(b"?", 1)[0],
            "query_string": url.query,
            "server": (url.host, url.port or _DEFAULT_PORTS.get(url.scheme, 80)),
            "client": self.client,
            "root_path": "",
        }
        request_sent = False
        response_done = asyncio.Event()
        status: int | None = None
        headers: list[tuple[bytes, bytes]] = []
        parts: list[bytes] = []

        async def receive() -> Message:
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await response_done.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    response_done.set()

        await self.app(scope, receive, send)
        if status is None:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if not response_done.is_set():
            received = sum(len(part) for part in parts)
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body: "
                f"received {received} bytes",
                request=request,
            )
        response_done.set()
        return status, headers, b"" if request.method == "HEAD" else b"".join(parts)

    def close(self) -> None:
        """Stop the event loop and its thread; further requests raise RuntimeError."""
        if self._closed:
            return
        self._closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
