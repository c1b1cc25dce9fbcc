"""The sandbox account a test works against, shared by the Pulumi tests over gRPC
(``tests/pulumi``) and under the real CLI (``tests/e2e``)."""

from __future__ import annotations

import textwrap
import threading
import time
from pathlib import Path
from typing import Any

from mailform.engine.session import Session
from mailform.sandbox.server import SandboxApp, SandboxServer
from mailform.services import SERVICES
from tests.pulumi.engine import secret

#: Where the sandbox's control endpoints are (not part of either API).
CONTROL_PREFIX = "/_sandbox"

#: The repository's root.
REPO = Path(__file__).resolve().parents[1]


def aliases_stack_file(directory: Path, count: int) -> Path:
    """A stack file of one domain, ``example.com``, and ``count`` aliases in it
    (``a00@example.com``…): an apply of it is ``count + 1`` creates, long enough to stop."""
    rows = "".join(
        f"    - {{alias: a{n:02}@example.com, dest: [ann@example.org]}}\n" for n in range(count)
    )
    path = directory / "stack.yaml"
    path.write_text(f"luxsci:\n  domains: [{{domain: example.com}}]\n  aliases:\n{rows}")
    return path


class CountingApp:
    """The sandbox app, recording each request's method, path and status (to count list
    calls), and when each request to the APIs (not to the control endpoints) arrived (to
    see what a window of the rate limit held). The tests and the benchmarks count with it."""

    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.requests: list[tuple[str, str, int]] = []
        self.arrivals: list[float] = []
        self._lock = threading.Lock()

    def api_requests(self, since: int = 0) -> list[tuple[str, str, int]]:
        """The requests to the APIs, from the ``since``-th request on."""
        return [r for r in self.requests[since:] if not r[1].startswith(CONTROL_PREFIX)]

    @property
    def credentials(self) -> Any:
        """The sandbox's LuxSci credentials."""
        return self.app.credentials

    @property
    def lianamailer_credentials(self) -> Any:
        """The sandbox's LianaMailer credentials."""
        return self.app.lianamailer_credentials

    @property
    def control_token(self) -> str:
        """The token of the sandbox's control endpoints."""
        return self.app.control_token

    def dns_records(self) -> dict[str, str]:
        """The DNS records the seeds published."""
        return self.app.dns_records()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not scope["path"].startswith(CONTROL_PREFIX):
            with self._lock:
                self.arrivals.append(time.monotonic())

        async def record(message: Any) -> None:
            if message["type"] == "http.response.start":
                with self._lock:
                    self.requests.append((scope["method"], scope["path"], message["status"]))
            await send(message)

        await self.app(scope, receive, record)


class Account:
    """The sandbox account a test works against: reset, seed, inspect, change out of band."""

    def __init__(self, server: SandboxServer, app: CountingApp) -> None:
        self.server = server
        self.app = app
        self.base_url = server.base_url

    def reset(self) -> None:
        """Empty the account."""
        with self.server.control_client() as control:
            control.post("/reset").raise_for_status()

    def seed(self, text: str) -> None:
        """Seed the account from stack-file YAML (dedented)."""
        body = textwrap.dedent(text).encode()
        with self.server.control_client() as control:
            control.post("/seed", content=body).raise_for_status()

    def state(self) -> dict[str, Any]:
        """The sandbox's whole state document."""
        with self.server.control_client() as control:
            state: dict[str, Any] = control.get("/state").raise_for_status().json()
            return state

    def environ(self) -> dict[str, str]:
        """The variables that point a client of either service at the sandbox."""
        credentials = self.app.credentials
        liana = self.app.lianamailer_credentials
        return {
            "MAILFORM_DNS": self.server.dns_address,
            "LUXSCI_API_HOST": self.base_url,
            "LUXSCI_API_TOKEN": credentials.token,
            "LUXSCI_API_SECRET": credentials.secret,
            "LUXSCI_ACCOUNT_ID": credentials.account_id,
            "LIANAMAILER_API_URL": self.base_url,
            "LIANAMAILER_REALM": liana.realm,
            "LIANAMAILER_USER_ID": liana.user_id,
            "LIANAMAILER_API_SECRET": liana.secret,
        }

    def config(self, **settings: str) -> dict[str, Any]:
        """Stack config pointing the provider at the sandbox for both services, secrets
        wrapped; each of ``settings`` is given to both services (``luxsci:rateLimit`` and
        ``lianamailer:rateLimit``)."""
        credentials = self.app.credentials
        liana = self.app.lianamailer_credentials
        return {
            "luxsci:dns": self.server.dns_address,
            "luxsci:apiHost": self.base_url,
            "luxsci:apiToken": secret(credentials.token),
            "luxsci:apiSecret": secret(credentials.secret),
            "luxsci:accountId": credentials.account_id,
            "lianamailer:apiUrl": self.base_url,
            "lianamailer:realm": liana.realm,
            "lianamailer:userId": liana.user_id,
            "lianamailer:apiSecret": secret(liana.secret),
            **{
                f"{service}:{key}": value for service in SERVICES for key, value in settings.items()
            },
        }

    def session(self, service: str = "luxsci") -> Session[Any]:
        """A project client session of ``service``, for out-of-band changes."""
        return SERVICES[service].connect(environ=self.environ(), rate_limit=0)

    def list_calls(self, suffix: str) -> int:
        """How many GETs of a path ending with ``suffix`` the sandbox answered with 200 (a
        request refused for an expired auth token and repeated counts once)."""
        return sum(
            1
            for method, path, status in self.app.requests
            if method == "GET" and path.endswith(suffix) and status == 200
        )
