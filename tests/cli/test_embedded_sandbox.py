"""The embedded sandbox (``--sandbox``) runs in a child process: it serves while the command
runs, never outlives it, is not stopped by the Ctrl-C meant for the CLI, and a state file it
cannot open is a one-line error, not a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from mailform.cli.embedded import SandboxNotStarted, sandbox_process
from mailform.cli.main import cli
from mailform.sandbox.store import StateStore

ONE_DOMAIN = "luxsci:\n  domains: [{domain: example.com}]\n"


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_until_gone(pid: int, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not is_running(pid):
            return True
        time.sleep(0.05)
    return False


def test_the_child_serves_in_a_session_of_its_own_and_stops_with_the_block(
    tmp_path: Path,
) -> None:
    with sandbox_process(tmp_path / "state.sqlite3") as described:
        pid = described["pid"]
        assert pid != os.getpid() and is_running(pid)
        assert os.getsid(pid) != os.getsid(0)  # a terminal's Ctrl-C does not reach it
        os.kill(pid, signal.SIGINT)  # nor does one sent to it on purpose
        health = httpx.get(f"{described['base_url']}/_sandbox/health", timeout=10)
        assert health.status_code == 200
    assert not is_running(pid)
    assert StateStore(tmp_path / "state.sqlite3").path is not None  # a state file it wrote


def test_the_child_ends_when_the_cli_process_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from mailform.cli.embedded import sandbox_process\n"
            "with sandbox_process(Path(sys.argv[1])) as described:\n"
            "    print(described['pid'], flush=True)\n"
            "    time.sleep(600)\n",
            str(tmp_path / "state.sqlite3"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert is_running(child)
    parent.kill()
    parent.wait()
    assert wait_until_gone(child), "the sandbox outlived the CLI process that started it"


def test_a_damaged_state_file_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("stack.yaml").write_text(ONE_DOMAIN, encoding="utf-8")
    Path(".mailform").mkdir()
    Path(".mailform/sandbox.sqlite3").write_text("not a database\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["plan", "stack.yaml", "--sandbox"])
    assert result.exit_code == 1
    assert (
        "error: .mailform/sandbox.sqlite3: not a sandbox state file (neither SQLite nor JSON)"
        in result.output
    )
    assert "Traceback" not in result.output


def test_a_state_path_that_cannot_be_a_file_says_why(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    with (
        pytest.raises(SandboxNotStarted, match=r"cannot read sandbox state: .*Not a directory"),
        sandbox_process(tmp_path / "file" / "state.sqlite3"),
    ):
        pass  # pragma: no cover - never entered


def test_a_child_that_ends_without_serving_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with (
        pytest.raises(SandboxNotStarted, match=r"exited \(1\) before it served"),
        sandbox_process(tmp_path / "state.sqlite3"),
    ):
        pass  # pragma: no cover - never entered
