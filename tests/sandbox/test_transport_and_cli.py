"""The in-process transport (threads, timeouts) and the ``mailform sandbox`` commands."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from mailform.cli.main import cli
from mailform.cli.sandbox_commands import sandbox
from mailform.sandbox.inprocess import SandboxTransport
from mailform.sandbox.server import SandboxApp
from mailform.sandbox.store import StateStore
from tests.sandbox.caller import Caller
from tests.sandbox.test_seed import STACK


def test_one_transport_serves_many_threads(luxsci: Caller, domain: str) -> None:
    def read(_: int) -> int:
        return luxsci.get(f"{luxsci.acct}/domains/{domain}").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(read, range(40))) == {200}


def test_the_read_timeout_is_honoured(app: SandboxApp) -> None:
    app.faults.configure({"latency": 1.0})
    transport = SandboxTransport(app)
    with httpx.Client(transport=transport, base_url="http://sandbox", timeout=0.1) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get("/perl/api/v2/account/1/domains")
        app.faults.configure({"latency": 0.0})
        assert client.get("/perl/api/v2/account/1/domains").status_code == 401
    with pytest.raises(RuntimeError, match="closed"):
        transport.handle_request(httpx.Request("GET", "http://sandbox/_sandbox/health"))


#: What a developer's shell may hold: a real account's credentials, which the sandbox must
#: never copy into its state file (anyone may read, paste or commit it) or print.
REAL_ENVIRONMENT = {
    "LUXSCI_API_HOST": "https://rest.luxsci.com",
    "LUXSCI_API_TOKEN": "realtoken0123456789",
    "LUXSCI_API_SECRET": "real-luxsci-secret-5f1d8e",
    "LUXSCI_ACCOUNT_ID": "31337424242",
    "LIANAMAILER_API_URL": "https://rest.lianamailer.com",
    "LIANAMAILER_REALM": "REALREALM",
    "LIANAMAILER_USER_ID": "98765434343",
    "LIANAMAILER_API_SECRET": "real-liana-secret-9c2a4b",
}
REAL_VALUES = ("realtoken0123456789", "real-luxsci-secret", "31337424242", "REALREALM")
REAL_VALUES += ("98765434343", "real-liana-secret")


def assert_never_taken(state: Path, *outputs: str) -> None:
    """None of the real environment's values is in the state file or in ``outputs``."""
    held = b"".join(path.read_bytes() for path in state.parent.glob(f"{state.name}*"))
    for value in REAL_VALUES:
        assert value.encode() not in held, value
        for output in outputs:
            assert value not in output, value


def test_cli_seed_never_takes_credentials_from_the_environment(tmp_path: Path) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text(STACK)
    state = tmp_path / "state" / "sandbox.sqlite3"
    result = CliRunner().invoke(
        sandbox, ["seed", str(stack), "--state", str(state)], env=REAL_ENVIRONMENT
    )
    assert result.exit_code == 0, result.output
    assert "1 luxsci.domains" in result.output
    assert_never_taken(state, result.output)
    with StateStore(state) as store:
        reopened = SandboxApp(store=store)
        printed = result.output
        assert f"export LUXSCI_API_SECRET={reopened.credentials.secret}" in printed
        assert f"export LIANAMAILER_API_SECRET={reopened.lianamailer_credentials.secret}" in printed
        assert f"export MAILFORM_SANDBOX_TOKEN={reopened.control_token}" in printed
        assert "example.com" in store.snapshot()["luxsci"]["domains"]


def test_plan_with_the_embedded_sandbox_never_takes_credentials_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    stack = tmp_path / "stack.yaml"
    stack.write_text(
        "luxsci:\n  domains: [{domain: example.com}]\n"
        "lianamailer:\n  sites: [{domain: news.example.com}]\n"
    )
    result = CliRunner().invoke(cli, ["plan", "--sandbox", str(stack)], env=REAL_ENVIRONMENT)
    assert result.exit_code == 2, result.output
    assert "example.com" in result.output
    assert_never_taken(tmp_path / ".mailform" / "sandbox.sqlite3", result.output)


def test_cli_seed_generates_credentials_once(tmp_path: Path) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text("luxsci:\n  domains: [{domain: example.com}]\n")
    state = tmp_path / "sandbox.sqlite3"
    env = {"LUXSCI_API_TOKEN": "", "LUXSCI_API_SECRET": "", "LUXSCI_ACCOUNT_ID": ""}
    runner = CliRunner()
    first = runner.invoke(sandbox, ["seed", str(stack), "--state", str(state)], env=env)
    second = runner.invoke(sandbox, ["seed", str(stack), "--state", str(state)], env=env)
    assert first.exit_code == second.exit_code == 0
    token_lines = [line for line in first.output.splitlines() if "LUXSCI_API_TOKEN" in line]
    assert token_lines and token_lines[0] in second.output


def test_cli_seed_reports_a_bad_file(tmp_path: Path) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text("luxsci:\n  templates:\n    - {owner: m@example.com, name: T, group: G}\n")
    state = str(tmp_path / "s.sqlite3")
    result = CliRunner().invoke(sandbox, ["seed", str(stack), "--state", state])
    assert result.exit_code == 1
    assert "stack.yaml:3" in result.output and "group 'G'" in result.output


def test_cli_serve_refuses_bad_fault_flags(tmp_path: Path) -> None:
    state = str(tmp_path / "s.sqlite3")
    result = CliRunner().invoke(sandbox, ["serve", "--state", state, "--rate-limit", "lots"])
    assert result.exit_code == 2 and "rate limit" in result.output
    result = CliRunner().invoke(sandbox, ["serve", "--state", state, "--create-limits", "pets=1"])
    assert result.exit_code == 2 and "domains" in result.output
    result = CliRunner().invoke(sandbox, ["serve", "--state", state, "--late-rate", "2"])
    assert result.exit_code == 2 and "late_rate" in result.output


def test_cli_seed_prints_the_environment_as_a_shell_evaluates_it(tmp_path: Path) -> None:
    stack = tmp_path / "stack.yaml"
    stack.write_text("luxsci:\n  domains: [{domain: example.com}]\n")
    state = tmp_path / "sandbox.sqlite3"
    environ = {**os.environ, **REAL_ENVIRONMENT}
    done = subprocess.run(
        [
            "bash",
            "-c",
            f'eval "$({sys.executable} -c "from mailform.cli.main import cli; cli()" sandbox '
            f'seed {stack} --state {state} --port 9999)" && env',
        ],
        capture_output=True,
        text=True,
        env=environ,
        check=True,
    )
    seen = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    app = SandboxApp(store=StateStore(state))
    assert seen["LUXSCI_API_HOST"] == seen["LIANAMAILER_API_URL"] == "http://127.0.0.1:9999"
    assert seen["LUXSCI_API_TOKEN"] == app.credentials.token
    assert seen["LUXSCI_API_SECRET"] == app.credentials.secret
    assert seen["LUXSCI_ACCOUNT_ID"] == app.credentials.account_id
    assert seen["LIANAMAILER_REALM"] == app.lianamailer_credentials.realm
    assert seen["LIANAMAILER_USER_ID"] == app.lianamailer_credentials.user_id
    assert seen["LIANAMAILER_API_SECRET"] == app.lianamailer_credentials.secret
    assert seen["MAILFORM_DNS"] == "127.0.0.1:9999"
    assert seen["MAILFORM_SANDBOX_TOKEN"] == app.control_token
    assert "Seeded" in done.stderr and "1 luxsci.domains" in done.stderr
