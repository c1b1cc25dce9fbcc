"""The whole sandbox as one ASGI app, its control endpoints, and a server to run it.

:class:`SandboxApp` mounts every simulated service behind the shared fault layer:

- LuxSci at ``/perl/api/v2/...`` (``mailform.sandbox.luxsci``);
- LianaMailer V1 calls at ``/api/v1/<call>`` (``mailform.sandbox.lianamailer``; ``/api/v2``
  and ``/api/v3`` answer 404 for now).

The control endpoints under ``/_sandbox/`` are not part of any real API; they exist for tests,
benchmarks and people poking at a local sandbox. They are never subject to faults. Every one
but ``/_sandbox/health`` needs the control token (``Authorization: Bearer TOKEN``), and all of
them answer only requests addressed to a loopback host and not sent by another web origin
(:mod:`mailform.sandbox.guard`). Failures answer ``{"error": ...}``.

========================  =====================================================================
``GET /_sandbox/health``   ``{"status": "ok", "services": ["luxsci", "lianamailer"]}``
``GET /_sandbox/faults``   the fault settings: ``{"latency": s, "jitter": s, "rate_limit": null
                           | {"requests": n, "window": s}, "error_rate": 0..1, "drop_rate": 0..1,
                           "drop_next": n, "seed": int | null}``
``PUT /_sandbox/faults``   a partial change of those keys (``rate_limit`` may also be ``"N/60s"``),
                           plus ``"expire_auth": true`` to expire every current auth token now;
                           answers the new settings. 400 on bad input.
``POST /_sandbox/reset``   empty every account (credentials and the control token stay), restore
                           the start-up fault settings and clock offset; answers ``{"ok": true}``.
``GET /_sandbox/state``    the whole state document, secrets included (a local throwaway), as
                           :func:`mailform.sandbox.dump.public_state` shows it.
``POST /_sandbox/seed``    body: a stack-file YAML (see :mod:`mailform.sandbox.seed`); answers
                           ``{"ok": true, "seeded": {"luxsci.domains": n, ...}}``, 400 when the
                           file cannot be seeded.
``GET /_sandbox/clock``    ``{"now": unix seconds, "offset": s}``
``PUT /_sandbox/clock``    ``{"advance": s}`` or ``{"offset": s}``: move the sandbox's "now"
                           (create limits, auth expiry, signed dates) by at most 50 years;
                           answers the clock. 400 on bad input.
========================  =====================================================================

``GET /_sandbox/deviations`` and ``PUT /_sandbox/deviations`` set answers that differ from the
documented API on purpose, for ``mailform doctor``'s tests (:mod:`mailform.sandbox.deviations`).

The sandbox's credentials (each service's, and the control token) are its own: generated when
the state is created and kept in it, or given by the code that creates the app; never read
from the environment, where a real account's may be.

Every answer is in the envelope of the part of the sandbox the path is in, whatever the
failure: an unknown path (a trailing slash included: no redirects), a method the path lacks
(405, ``Allow`` listing the path's methods), a body over the limits of
:mod:`mailform.sandbox.limits` (413) or not within them (400).

:class:`SandboxServer` runs a :class:`SandboxApp` with uvicorn on ``127.0.0.1`` and a free port
in a background thread, for tests over real HTTP. In-process code gets an authorised client of
the control endpoints from :meth:`SandboxApp.control_client` (no sockets) or
:meth:`SandboxServer.control_client` (over HTTP).
"""

from __future__ import annotations

import logging
import secrets
import socket
import threading
import time
from collections.abc import Collection, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount

from mailform.sandbox import routing
from mailform.sandbox.clock import SandboxClock
from mailform.sandbox.deviations import Deviations
from mailform.sandbox.dns import DnsServer
from mailform.sandbox.dump import public_state
from mailform.sandbox.faults import FaultInjector, FaultSettings
from mailform.sandbox.guard import CONTROL_PREFIX, Area, Guard, area_of, control_envelope
from mailform.sandbox.lianamailer import app as lianamailer_app
from mailform.sandbox.lianamailer import service as lianamailer_service
from mailform.sandbox.lianamailer.service import LianaMailerService, LianaMailerSettings
from mailform.sandbox.lianamailer.signing import Credentials as LianaMailerCredentials
from mailform.sandbox.limits import MAX_SEED_BYTES, LimitError, read_json
from mailform.sandbox.luxsci import service as luxsci_service
from mailform.sandbox.luxsci.app import BASE_PATH, LuxSciApi, error_envelope, is_change
from mailform.sandbox.luxsci.service import LuxSciCredentials, LuxSciService, LuxSciSettings
from mailform.sandbox.seed import SeedError, seed_document
from mailform.sandbox.store import StateStore

if TYPE_CHECKING:  # httpx only for the control clients: a served sandbox never imports it
    import httpx

#: The state's section holding the control token (``{"control_token": ...}``).
CONTROL_SECTION = "control"

#: The control path that needs no token: it says only that a sandbox runs here.
HEALTH_PATH = f"{CONTROL_PREFIX}/health"
SEED_PATH = f"{CONTROL_PREFIX}/seed"


class SandboxApp:
    """The sandbox: state, clock, faults, simulated services and control endpoints, as one
    ASGI application.

    ``credentials`` fix the LuxSci token, secret and account id (otherwise the ones kept in the
    state are used, or generated once); ``lianamailer_credentials`` do the same for LianaMailer.
    ``faults`` are the start-up fault settings, which ``/_sandbox/reset`` goes back to.
    ``allowed_hosts`` are the host names control requests may be addressed to besides the
    loopback ones (:data:`mailform.sandbox.guard.ANY_HOST`: any), for a sandbox served to
    other machines on purpose.

    A state written by a sandbox from before the control token may hold credentials copied
    from the environment; the first time it is opened they are replaced with generated ones
    (with a warning in the log).
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
        allowed_hosts: Collection[str] = (),
    ) -> None:
        self.log = logging.getLogger(f"{__name__}.SandboxApp")
        self.store = store or StateStore()
        self.clock = clock or SandboxClock()
        self.initial_clock_offset = self.clock.offset
        self.initial_faults = faults or FaultSettings()
        self.faults = FaultInjector(self.initial_faults)
        self.deviations = Deviations(self.clock.now)
        self.control_token = self._open_control()
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
        self.areas = (
            Area(BASE_PATH, error_envelope),
            Area(lianamailer_app.BASE_PATH, lianamailer_app.error_envelope),
        )
        routes = self._control_routes() + self._service_mounts()
        self._app = Guard(
            routing.app(routes, self._not_routed),
            areas=self.areas,
            control_token=self.control_token,
            open_paths={HEALTH_PATH},
            allowed_hosts=allowed_hosts,
            body_limits={SEED_PATH: MAX_SEED_BYTES},
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._app(scope, receive, send)

    def _open_control(self) -> str:
        """The control token kept in the state, made now if there is none; a state from
        before the token has its services' credentials checked once (see the class)."""
        with self.store.change() as state:
            if CONTROL_SECTION not in state:
                if "luxsci" in state:
                    luxsci_service.replace_adopted_credentials(state["luxsci"])
                if state.get("lianamailer"):
                    lianamailer_service.replace_adopted_credentials(state["lianamailer"])
                state[CONTROL_SECTION] = {"control_token": secrets.token_urlsafe(32)}
            return str(state[CONTROL_SECTION]["control_token"])

    @property
    def credentials(self) -> LuxSciCredentials:
        """The LuxSci credentials clients should use."""
        return self.luxsci.credentials

    @property
    def lianamailer_credentials(self) -> LianaMailerCredentials:
        """The LianaMailer realm, user id and secret clients should sign with."""
        return self.lianamailer.credentials

    def control_headers(self) -> dict[str, str]:
        """The header that authorises a request to the control endpoints."""
        return {"Authorization": f"Bearer {self.control_token}"}

    def control_client(self, **options: Any) -> httpx.Client:
        """An httpx client of this app's control endpoints, in this process (no sockets):
        ``client.post("/reset")``, ``client.put("/faults", json=...)``. ``options`` go to
        ``httpx.Client`` (``headers`` are added to the authorisation). Close it after use."""
        import httpx

        from mailform.sandbox.inprocess import SandboxTransport

        headers = {**self.control_headers(), **options.pop("headers", {})}
        return httpx.Client(
            transport=SandboxTransport(self),
            base_url=f"http://127.0.0.1{CONTROL_PREFIX}",
            headers=headers,
            **options,
        )

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
        dated = self.deviations.wrap
        return [
            Mount(BASE_PATH, app=dated(luxsci, rows="data")),
            Mount(lianamailer_app.BASE_PATH, app=dated(lianamailer, rows="result")),
        ]

    def _control_routes(self) -> list[BaseRoute]:
        return routing.grouped(
            [
                ("GET", HEALTH_PATH, self._health),
                ("GET", f"{CONTROL_PREFIX}/faults", self._get_faults),
                ("PUT", f"{CONTROL_PREFIX}/faults", self._put_faults),
                ("POST", f"{CONTROL_PREFIX}/reset", self._reset),
                ("GET", f"{CONTROL_PREFIX}/state", self._state),
                ("POST", SEED_PATH, self._seed),
                ("GET", f"{CONTROL_PREFIX}/clock", self._get_clock),
                ("PUT", f"{CONTROL_PREFIX}/clock", self._put_clock),
                ("GET", f"{CONTROL_PREFIX}/deviations", self.deviations.get),
                ("PUT", f"{CONTROL_PREFIX}/deviations", self.deviations.put),
            ]
        )

    async def _not_routed(self, request: Request, error: Exception) -> Response:
        """A path no route has, or a method its route lacks, in the envelope of the part of
        the sandbox the path is in."""
        status, headers = routing.http_error(error)
        path = request.url.path
        area = area_of(path, self.areas, Area(CONTROL_PREFIX, control_envelope))
        if status == 405:
            message = f"{request.method} is not allowed on {path}; allowed: {headers.get('Allow')}"
        else:
            message = f"no such path: {path}"
        return JSONResponse(dict(area.error_envelope(message)), status_code=status, headers=headers)

    def dns_records(self) -> dict[str, str]:
        """The CNAME records the seeds published (name → target), for the sandbox's DNS."""
        with self.store.read() as document:
            return dict(document.get("dns") or {})

    def reset(self) -> None:
        """Empty every service's account and the published DNS records, and put the fault
        settings and the clock back as they were at start-up. Credentials and the control
        token stay."""
        with self.store.change() as document:
            document.pop("dns", None)
        self.luxsci.reset()
        self.lianamailer.reset()
        self.faults.reset(self.initial_faults)
        self.deviations.reset()
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
            changes = _json_object(await request.body(), "fault settings")
            expire = changes.pop("expire_auth", False)
            if not isinstance(expire, bool):
                raise ValueError(f"expire_auth must be true or false, not {expire!r}")
            settings = self.faults.configure(changes)
        except ValueError as error:
            return _refused(error)
        if expire:
            self.faults.expire_auth()
        return JSONResponse(settings.to_json())

    async def _reset(self, request: Request) -> Response:
        self.reset()
        return JSONResponse({"ok": True})

    async def _state(self, request: Request) -> Response:
        return JSONResponse(public_state(self.store.snapshot()))

    async def _seed(self, request: Request) -> Response:
        text = (await request.body()).decode("utf-8", errors="replace")
        try:
            counts = self.seed(text, source="POST /_sandbox/seed")
        except SeedError as error:
            return _refused(error)
        return JSONResponse({"ok": True, "seeded": counts})

    def _clock_json(self) -> dict[str, float]:
        return {"now": self.clock.now(), "offset": self.clock.offset}

    async def _get_clock(self, request: Request) -> Response:
        return JSONResponse(self._clock_json())

    async def _put_clock(self, request: Request) -> Response:
        usage = 'expected {"advance": seconds} or {"offset": seconds}'
        try:
            body = _json_object(await request.body(), "clock change")
            if not body or set(body) - {"advance", "offset"}:
                raise ValueError(usage)
            offset, advance = (_seconds(body, name, usage) for name in ("offset", "advance"))
            start = self.clock.offset if offset is None else offset
            self.clock.set_offset(start + (advance or 0.0))
        except ValueError as error:
            return _refused(error)
        return JSONResponse(self._clock_json())


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    """A control request's JSON object body (empty: ``{}``); ValueError otherwise."""
    try:
        value = read_json(raw) if raw.strip() else {}
    except LimitError as error:
        raise ValueError(str(error)) from None
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object of {what}")
    return value


def _seconds(body: Mapping[str, Any], name: str, usage: str) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number of seconds; {usage}")
    return float(value)


def _refused(error: Exception) -> Response:
    return JSONResponse(control_envelope(str(error)), status_code=400)


class SandboxServer:
    """A :class:`SandboxApp` served over real HTTP by uvicorn, in a background thread.

    Binds ``host`` and ``port`` (0: a free port) when started, waits until connections are
    accepted, and stops cleanly. Use as a context manager::

        with SandboxServer() as server, server.control_client() as control:
            control.post("/seed", content=stack_file_text).raise_for_status()
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

    def control_client(self, **options: Any) -> httpx.Client:
        """An httpx client of the running server's control endpoints, authorised with the
        app's control token: ``client.post("/seed", content=...)``. ``options`` go to
        ``httpx.Client``. Close it after use."""
        import httpx

        headers = {"Authorization": f"Bearer {self.app.control_token}"}
        return httpx.Client(
            base_url=f"{self.base_url}{CONTROL_PREFIX}",
            headers={**headers, **options.pop("headers", {})},
            **options,
        )

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
            # the services' answers carry the sandbox clock's Date (mailform.sandbox.deviations)
            date_header=False,
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
