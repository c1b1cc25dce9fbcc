"""Fixtures of the end-to-end tests: the real Pulumi CLI, the sandbox, a project.

The CLI comes from ``scripts/pulumi-cli``: a ``pulumi`` on PATH, or the one built from Go
modules into the user's cache (built on first use, a few minutes). When neither can be had
the tests fail, with the script's message: they are never skipped in silence.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailform.sandbox.server import SandboxApp, SandboxServer
from tests.accounts import REPO, Account, CountingApp
from tests.e2e.project import PulumiProject


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def pulumi_bin() -> Path:
    """The directory holding ``pulumi``, its Python language host and the dynamic-provider
    plugin."""
    done = subprocess.run(
        [REPO / "scripts" / "pulumi-cli"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"scripts/pulumi-cli could not provide a Pulumi CLI:\n{done.stderr}")
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def sandbox() -> Iterator[tuple[SandboxServer, CountingApp]]:
    """The sandbox over real HTTP on a free loopback port, for the whole run."""
    app = CountingApp(SandboxApp())
    with SandboxServer(app) as server:  # type: ignore[arg-type]
        yield server, app


@pytest.fixture
def account(sandbox: tuple[SandboxServer, CountingApp]) -> Account:
    """The sandbox account, emptied for this test."""
    live = Account(*sandbox)
    live.reset()
    return live


@pytest.fixture
def project(tmp_path: Path, pulumi_bin: Path, account: Account) -> PulumiProject:
    """The repository's project (``Pulumi.yaml``, ``__main__.py``, ``stacks/``) in a
    temporary directory, with its own backend."""
    return PulumiProject.from_repository(tmp_path / "project", pulumi_bin, account)
