"""One sandbox over real HTTP for the integration tests, emptied before each test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner, Result

from mailform.cli.connect import sandbox_environment
from mailform.cli.main import cli
from mailform.http import RetryPolicy
from mailform.sandbox.server import SandboxApp, SandboxServer
from mailform.services.luxsci.client import LuxSciClient, LuxSciCredentials


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxApp()) as server:
        yield server


@pytest.fixture
def env(sandbox: SandboxServer) -> dict[str, str]:
    """The LUXSCI_* variables pointing at an empty sandbox account."""
    with sandbox.control_client() as control:
        control.post("/reset").raise_for_status()
    return sandbox_environment(sandbox.app, sandbox.base_url, sandbox.dns_address)


@pytest.fixture
def control(sandbox: SandboxServer, env: dict[str, str]) -> httpx.Client:
    """The sandbox's control endpoints (faults, seed, state)."""
    with sandbox.control_client() as client:
        yield client


@pytest.fixture
def client(env: dict[str, str]) -> Iterator[LuxSciClient]:
    credentials = LuxSciCredentials.from_env(env)
    retry = RetryPolicy(base_delay=0.01, max_delay=2.0)
    with LuxSciClient(credentials, rate_limit=False, retry=retry, timeout=5.0) as luxsci:
        yield luxsci


@pytest.fixture
def run(env: dict[str, str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``mailform ARGS`` in this process, against the sandbox, as a user runs it."""
    for name, value in {**env, "BOB_PASSWORD": "Demo-pass-123", "MAILFORM_RATE_LIMIT": "0"}.items():
        monkeypatch.setenv(name, value)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def limited_integration(control: httpx.Client, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Switch the CLI to a second LuxSci integration whose 24-hour create limits are
    ``limits``: a refusal the plan cannot foresee (the budget is the integration's, and
    another run may have spent it)."""

    def use(**limits: int) -> None:
        control.post(
            "/seed",
            content=(
                "sandbox:\n  luxsci:\n    integrations:\n"
                "      - {token: tok-limited, secret: limited-s3cr3t, "
                f"create_limits: {{{', '.join(f'{k}: {v}' for k, v in limits.items())}}}}}\n"
            ),
        ).raise_for_status()
        monkeypatch.setenv("LUXSCI_API_TOKEN", "tok-limited")
        monkeypatch.setenv("LUXSCI_API_SECRET", "limited-s3cr3t")

    return use
