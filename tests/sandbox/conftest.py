"""Fixtures for the sandbox tests: a fresh in-process sandbox per test (with a clock the test
can move), and one real HTTP sandbox per test session, reset before each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mailform.sandbox.clock import SandboxClock
from mailform.sandbox.inprocess import SandboxTransport
from mailform.sandbox.lianamailer.signing import Credentials as LianaCredentials
from mailform.sandbox.luxsci.service import LuxSciCredentials
from mailform.sandbox.server import SandboxApp, SandboxServer
from tests.sandbox import liana_caller as liana_vectors
from tests.sandbox.caller import ACCOUNT, SECRET, TOKEN, Caller
from tests.sandbox.liana_caller import LianaCaller, liana_caller


@pytest.fixture
def clock() -> SandboxClock:
    return SandboxClock()


@pytest.fixture
def app(clock: SandboxClock) -> SandboxApp:
    """A fresh in-process sandbox; its LianaMailer credentials are the reference's example
    ones (realm ``EUR``, user ``123``, the documented secret)."""
    liana = LianaCredentials(liana_vectors.REALM, liana_vectors.USER_ID, liana_vectors.SECRET)
    return SandboxApp(
        clock=clock,
        credentials=LuxSciCredentials(TOKEN, SECRET, ACCOUNT),
        lianamailer_credentials=liana,
    )


@pytest.fixture
def liana(app: SandboxApp, clock: SandboxClock) -> Iterator[LianaCaller]:
    """A LianaMailer caller against the same in-process sandbox."""
    with liana_caller(app, clock) as caller:
        yield caller


@pytest.fixture
def http(app: SandboxApp) -> Iterator[httpx.Client]:
    with httpx.Client(
        transport=SandboxTransport(app), base_url="https://rest.luxsci.com"
    ) as client:
        yield client


@pytest.fixture
def control(app: SandboxApp) -> Iterator[httpx.Client]:
    """The in-process sandbox's control endpoints (``/faults``, ``/seed``...), authorised."""
    with app.control_client() as client:
        yield client


@pytest.fixture
def luxsci(http: httpx.Client, clock: SandboxClock) -> Caller:
    """An account-scope caller, logged in, against a fresh in-process sandbox."""
    return Caller(http, now=clock.now).login()


@pytest.fixture
def domain(luxsci: Caller) -> str:
    """``example.com``, created in the account."""
    luxsci.data(luxsci.post(f"{luxsci.acct}/domains", {"domain": "example.com"}))
    return "example.com"


@pytest.fixture
def owner(luxsci: Caller, domain: str) -> str:
    """A user who owns marketing assets; returns the user-scope path prefix."""
    body = {"user": "marketing@example.com", "password": "Secret-1"}
    luxsci.data(luxsci.post(f"{luxsci.acct}/users", body))
    return "/user/marketing@example.com"


@pytest.fixture(scope="session")
def server() -> Iterator[SandboxServer]:
    """One real HTTP sandbox for the whole test session."""
    app = SandboxApp(credentials=LuxSciCredentials(TOKEN, SECRET, ACCOUNT))
    with SandboxServer(app) as running:
        yield running


@pytest.fixture
def live_control(server: SandboxServer) -> Iterator[httpx.Client]:
    """The real HTTP sandbox's control endpoints, authorised."""
    with server.control_client(timeout=10) as client:
        yield client


@pytest.fixture
def live(server: SandboxServer, live_control: httpx.Client) -> Iterator[Caller]:
    """A logged-in caller over real HTTP, against a freshly reset sandbox."""
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        assert live_control.post("/reset").json() == {"ok": True}
        yield Caller(client).login()
