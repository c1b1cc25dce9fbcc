"""Fixtures for the Pulumi tests: the sandbox as the live account (started once), the
plugin started as the engine starts it (once per run), and a fresh ``MiniEngine`` per test.

The sandbox serves both services, so the account is a LuxSci and a LianaMailer account at
once. The main plugin gets its credentials from stack config only (its environment has no
``LUXSCI_*`` or ``LIANAMAILER_*`` variables) and shares nothing between calls
(``readCacheSeconds: 0``), so an out-of-band change made by a test is seen by the next read.
``test_connections`` starts a second plugin with the defaults and credentials from the
environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from mailform.sandbox.server import SandboxApp, SandboxServer
from tests.accounts import REPO, Account, CountingApp
from tests.pulumi.engine import MiniEngine, ProviderProcess


@pytest.fixture(scope="session")
def sandbox() -> Iterator[tuple[SandboxServer, CountingApp]]:
    """The sandbox over real HTTP, for the whole run."""
    app = CountingApp(SandboxApp())
    server = SandboxServer(app)  # type: ignore[arg-type]
    with server:
        yield server, app


@pytest.fixture
def account(sandbox: tuple[SandboxServer, CountingApp]) -> Account:
    """The sandbox account, emptied for this test."""
    live = Account(*sandbox)
    live.reset()
    return live


def plugin_environ() -> dict[str, str]:
    """The test process's environment without LuxSci or LianaMailer variables."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LUXSCI_", "LIANAMAILER_"))
    }


@pytest.fixture(scope="session")
def plugin() -> Iterator[ProviderProcess]:
    """The dynamic-provider plugin, started once as the engine starts it."""
    with ProviderProcess(REPO, env=plugin_environ()) as process:
        yield process


@pytest.fixture
def engine(plugin: ProviderProcess, account: Account) -> MiniEngine:
    """A fresh engine (empty state) configured with the sandbox as stack config."""
    assert plugin.stub is not None
    engine = MiniEngine(plugin.stub, stack="dev")
    engine.configure(
        account.config(
            rateLimit="0", readCacheSeconds="0", allowDestructive="users,templates,lists,properties"
        )
    )
    return engine
