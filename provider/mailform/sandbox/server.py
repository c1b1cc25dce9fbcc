"""The whole sandbox as one ASGI app, its control endpoints, and a server to run it.

:class:`SandboxApp` mounts every simulated service behind the shared fault layer:

- LuxSci at ``/perl/api/v2/...`` (``mailform.sandbox.luxsci``);
- LianaMailer V1 calls at ``/api/v1/<call>`` (``mailform.sandbox.lianamailer``; ``/api/v2``
  and ``/api/v3`` answer 404 for now).

The control endpoints under ``/_sandbox/`` are not part of any real API; they exist for tests,
benchmarks and people poking at a local sandbox. They are never subject to faults.

========================  =====================================================================
``GET /_sandbox/health``   ``{"status": "ok", "services": ["luxsci"]}``
``GET /_sandbox/faults``   the fault settings: ``{"latency": s, "jitter": s, "rate_limit": null
                           | {"requests": n, "window": s}, "error_rate": 0..1, "drop_rate": 0..1,
                           "drop_next": n, "seed": int | null}``
``PUT /_sandbox/faults``   a partial change of those keys (``rate_limit`` may also be ``"N/60s"``),
                           plus ``"expire_auth": true`` to expire every current auth token now;
                           answers the new settings. 400 ``{"error": ...}`` on bad input.
``POST /_sandbox/reset``   empty every account (credentials stay), restore the start-up fault
                           settings and clock offset; answers ``{"ok": true}``.
``GET /_sandbox/state``    the whole state document, secrets included (a local throwaway).
``POST /_sandbox/seed``    body: a stack-file YAML (see :mod:`mailform.sandbox.seed`); answers
                           ``{"ok": true, "seeded": {"luxsci.domains": n, ...}}``, 400
                           ``{"error": ...}`` when the file cannot be seeded.
``GET /_sandbox/clock``    ``{"now": unix seconds, "offset": s}``
``PUT /_sandbox/clock``    ``{"advance": s}`` or ``{"offset": s}``: move the sandbox's "now"
                           (create limits, auth expiry, signed dates); answers the clock.
========================  =====================================================================

:class:`SandboxServer` runs a :class:`SandboxApp` with uvicorn on ``127.0.0.1`` and a free port
in a background thread, for tests over real HTTP.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from mailform.sandbox.clock import SandboxClock
from mailform.sandbox.dns import DnsServer
from mailform.sandbox.faults import FaultInjector, FaultSettings
from mailform.sandbox.lianamailer import app as lianamailer_app
from mailform.sandbox.lianamailer.service import LianaMailerService, LianaMailerSettings
from mailform.sandbox.lianamailer.signing import Credentials as LianaMailerCredentials
from mailform.sandbox.luxsci.app import BASE_PATH, LuxSciApi, error_envelope, is_change
from mailform.sandbox.luxsci.service import LuxSciCredentials, LuxSciService, LuxSciSettings
from mailform.sandbox.seed import SeedError, seed_document
from mailform.sandbox.store import StateStore


class SandboxApp:
    """The sandbox: state, clock, faults, simulated services and control endpoints, as one
    ASGI application.

    ``credentials`` fix the LuxSci token, secret and account id (otherwise the ones kept in the
    state are used, or generated once); ``lianamailer_credentials`` do the same for LianaMailer
    (after them: the ``LIANAMAILER_*`` environment variables). ``faults`` are the start-up
    fault settings, which ``/_sandbox/reset`` goes back to.
    """

    def __init__(
        self,
        *,
        store: StateStore | None = None,
        clock: SandboxClock | None = None,
        faults: FaultSettings | None = None,
        luxsci: LuxSciSettings | None = None,
        credentials: LuxSciCredentials | None = None,
        create_limits: Mapping[str, int] | None = None,
        lianamailer: LianaMailerSettings | None = None,
        lianamailer_credentials: LianaMailerCredentials | None = None,
    ) -> None:
        self.log = logging.getLogger(f"{__name__}.SandboxApp")
        self.store = store or StateStore()
        self.clock = clock or SandboxClock()
        self.initial_clock_offset = self.clock.offset
        self.initial_faults = faults or FaultSettings()
        self.faults = FaultInjector(self.initial_faults)
        self.luxsci = LuxSciService(self.store, self.clock, luxsci)
        self.luxsci.configure(
            token=credentials.token if credentials else None,
            secret=credentials.secret if credentials else None,
            account_id=credentials.account_id if credentials else None,
            create_limits=create_limits,
        )
        self.faults.on_expire_auth(self.luxsci.expire_all_sessions)
        self.lianamailer = LianaMailerService(
            self.store, self.clock, lianamailer, credentials=lianamailer_credentials
        )
        self._app = Starlette(routes=self._control_routes() + self._service_mounts())

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._app(scope, receive, send)

    @property
    def credentials(self) -> LuxSciCredentials:
        """The LuxSci credentials clients should use."""
        return self.luxsci.credentials

    @property
    def lianamailer_credentials(self) -> LianaMailerCredentials:
        """The LianaMailer realm, user id and secret clients should sign with."""
        return self.lianamailer.credentials

    def _service_mounts(self) -> list[BaseRoute]:
        luxsci = self.faults.wrap(
            LuxSciApi(self.luxsci).app(),
            service="luxsci",
            error_envelope=error_envelope,
            is_change=is_change,
        )
        lianamailer = self.faults.wrap(
            lianamailer_app.app(self.lianamailer),
            service="lianamailer",
            error_envelope=lianamailer_app.error_envelope,
            is_change=lianamailer_app.is_change,
        )
        return [Mount(BASE_PATH, app=luxsci), Mount(lianamailer_app.BASE_PATH, app=lianamailer)]

    def _control_routes(self) -> list[BaseRoute]:
        return [
            Route("/_sandbox/health", self._health, methods=["GET"]),
            Route("/_sandbox/faults", self._get_faults, methods=["GET"]),
            Route("/_sandbox/faults", self._put_faults, methods=["PUT"]),
            Route("/_sandbox/reset", self._reset, methods=["POST"]),
            Route("/_sandbox/state", self._state, methods=["GET"]),
            Route("/_sandbox/seed", self._seed, methods=["POST"]),
            Route("/_sandbox/clock", self._get_clock, methods=["GET"]),
            Route("/_sandbox/clock", self._put_clock, methods=["PUT"]),
        ]

    def dns_records(self) -> dict[str, str]:
        """The CNAME records the seeds published (name → target), for the sandbox's DNS."""
        with self.store.read() as document:
            return dict(document.get("dns") or {})

    def reset(self) -> None:
        """Empty every service's account and the published DNS records, and put the fault
        settings and the clock back as they were at start-up."""
        with self.store.change() as document:
            document.pop("dns", None)
        self.luxsci.reset()
        self.lianamailer.reset()
        self.faults.reset(self.initial_faults)
        self.clock.set_offset(self.initial_clock_offset)

    def seed(self, text: str, source: str = "<seed>") -> dict[str, int]:
        """Seed the state from stack-file YAML; return how many objects of each type were
        seeded. Raises :class:`SeedError`; nothing is changed then."""
        with self.store.change() as state:
            return seed_document(text, state, self.clock.now(), source=source)

    async def _health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "services": [self.luxsci.name, self.lianamailer.name]})

    async def _get_faults(self, request: Request) -> Response:
        return JSONResponse(self.faults.settings.to_json())

    async def _put_faults(self, request: Request) -> Response:
        try:
            changes = json.loads(await request.body() or b"{}")
            if not isinstance(changes, dict):
                raise ValueError("expected a JSON object of fault settings")
            expire = changes.pop("expire_auth", False)
            settings = self.faults.configure(changes)
        except ValueError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        if expire:
            self.faults.expire_auth()
        return JSONResponse(settings.to_json())

    async def _reset(self, request: Request) -> Response:
        self.reset()
        return JSONResponse({"ok": True})

    async def _state(self, request: Request) -> Response:
        return JSONResponse(self.store.snapshot())

    async def _seed(self, request: Request) -> Response:
        text = (await request.body()).decode("utf-8", errors="replace")
        try:
            counts = self.seed(text, source="POST /_sandbox/seed")
        except SeedError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        return JSONResponse({"ok": True, "seeded": counts})

    def _clock_json(self) -> dict[str, float]:
        return {"now": self.clock.now(), "offset": self.clock.offset}

    async def _get_clock(self, request: Request) -> Response:
        return JSONResponse(self._clock_json())

    async def _put_clock(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict) or not body or set(body) - {"advance", "offset"}:
                raise ValueError('expected {"advance": seconds} or {"offset": seconds}')
            offset = None if body.get("offset") is None else float(body["offset"])
            advance = None if body.get("advance") is None else float(body["advance"])
        except (ValueError, TypeError) as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        if offset is not None:
            self.clock.set_offset(offset)
        if advance is not None:
            self.clock.advance(advance)
        return JSONResponse(self._clock_json())


class SandboxServer:
    """A :class:`SandboxApp` served over real HTTP by uvicorn, in a background thread.

    Binds ``host`` and ``port`` (0: a free port) when started, waits until connections are
    accepted, and stops cleanly. Use as a context manager::

        with SandboxServer() as server:
            httpx.get(f"{server.base_url}/_sandbox/health")
    """

    def __init__(
        self,
        app: SandboxApp | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
        start_timeout: float = 10.0,
    ) -> None:
        self.log = logging.getLogger(f"{__name__}.SandboxServer")
        self.app = app or SandboxApp()
        self.host = host
        self.port = port
        self.log_level = log_level
        self.start_timeout = start_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._dns: DnsServer | None = None

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running server."""
        if self._socket is None:
            raise RuntimeError("the sandbox server is not running")
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}"

    @property
    def dns_address(self) -> str:
        """``host:port`` of the sandbox's DNS server (UDP), which answers for the records
        the seeds published."""
        if self._dns is None:
            raise RuntimeError("the sandbox server is not running")
        return self._dns.address

    def start(self) -> SandboxServer:
        """Start serving (HTTP, and DNS on a UDP port of the same host); return once the
        server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("the sandbox server is already running")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio turns on TCP_NODELAY only for sockets that say so,
        # and without it every response waits ~40 ms for a delayed ACK.
        listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        self._socket = listener
        config = uvicorn.Config(
            self.app,
            log_level=self.log_level,
            http="h11",
            loop="asyncio",
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [listener]},
            name="mailform-sandbox",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        self._dns = DnsServer(self.app.dns_records, host=self.host).start()
        self.log.info("start: serving on %s, DNS on %s", self.base_url, self._dns.address)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the server thread to end."""
        if self._dns is not None:
            self._dns.stop()
            self._dns = None
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
