"""No stack file can crash or hang mailform (issue 14): generated hostile files
(``tests/cli/hostile_stacks.py``) end in exit 1 with every problem at ``file:line:col`` (or
exit 0 when the file is valid after all), never a traceback, quickly, and without a request
to the service.

The suite runs a bounded number of cases; a long run takes more, with another seed::

    MAILFORM_FUZZ_CASES=20000 MAILFORM_FUZZ_SEED=7 .venv/bin/python -m pytest -q \\
        tests/cli/test_hostile_stack_files.py

``validate`` and ``plan`` run in this process (the fast way), under a watchdog that turns
a hang into a failure; the file types that could block a read (a named pipe, a device) are
also given to the installed command, as a process of its own under a timeout.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from mailform.cli.connect import sandbox_environment
from mailform.cli.main import cli
from mailform.sandbox.server import SandboxApp, SandboxServer
from tests.cli.hostile_stacks import BASES, Case, case

#: Cases the suite runs (each attack 20 times): about six seconds on two busy cores.
CASES = int(os.environ.get("MAILFORM_FUZZ_CASES", "200"))
SEED = int(os.environ.get("MAILFORM_FUZZ_SEED", "14"))
#: Each run must end within this: loose, to catch a hang rather than to measure speed
#: (the hostile files take milliseconds).
TIME_BOUND = 5.0
#: A run still going after this is stopped, so that a hang fails the test instead of the
#: suite.
WATCHDOG = 60
#: Every this many cases that validate refuses, plan runs on the file too.
PLAN_EVERY = 3


class CountingSandbox(SandboxApp):
    """The sandbox, counting the requests that reach it."""

    requests = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/_sandbox"):
            type(self).requests += 1
        await super().__call__(scope, receive, send)


@pytest.fixture(scope="module")
def sandbox_environment_() -> Iterator[dict[str, str]]:
    """The environment of a plan against a sandbox that counts the requests reaching it."""
    with SandboxServer(CountingSandbox()) as server:
        environment = sandbox_environment(server.app, server.base_url, server.dns_address)
        yield {**environment, "MAILFORM_RATE_LIMIT": "0"}


@pytest.fixture
def planning(sandbox_environment_: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Point this test's plans at the counting sandbox (no reset: a refused file's plan
    reads nothing, and the one plan that does only reads)."""
    for name, value in sandbox_environment_.items():
        monkeypatch.setenv(name, value)


@contextmanager
def watchdog(seconds: int) -> Iterator[None]:
    """Raise ``TimeoutError`` in this thread after ``seconds`` (where signals allow)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run(*args: str) -> tuple[Result, float]:
    """``mailform ARGS`` in this process, and the seconds it took."""
    started = time.perf_counter()
    with watchdog(WATCHDOG):
        result = CliRunner().invoke(cli, list(args))
    return result, time.perf_counter() - started


def verdict(item: Case, path: Path, result: Result, seconds: float) -> list[str]:
    """What is wrong with how a run ended, if anything."""
    wrong = []
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        wrong.append("crashed:\n" + "".join(traceback.format_exception(*result.exc_info)))
    if "Traceback" in result.output:
        wrong.append("printed a traceback")
    if seconds > TIME_BOUND:
        wrong.append(f"took {seconds:.1f} s")
    expected = (1,) if item.must_fail else (0, 1)
    if result.exit_code not in expected:
        wrong.append(f"exited {result.exit_code}, expected {' or '.join(map(str, expected))}")
    located = re.compile(rf"^  {re.escape(str(path))}:\d+:\d+: ", re.MULTILINE)
    if result.exit_code == 1 and not located.search(result.output):
        wrong.append("no file:line:col in the message")
    return [f"{item.name}: {problem}\n{result.output[:2000]}" for problem in wrong]


@pytest.mark.parametrize("number", range(CASES))
def test_a_hostile_stack_file_ends_quickly_in_a_located_verdict(
    number: int, tmp_path: Path, planning: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = case(SEED, number)
    path = tmp_path / "stack.yaml"
    path.write_bytes(item.content)
    monkeypatch.chdir(tmp_path)
    before = CountingSandbox.requests

    validated, seconds = run("validate", str(path))
    wrong = verdict(item, path, validated, seconds)
    if validated.exit_code == 1 and number % PLAN_EVERY == 0:
        planned, seconds = run("plan", str(path))
        wrong += verdict(item, path, planned, seconds)
        if planned.exit_code != 1:
            wrong.append(f"{item.name}: plan exited {planned.exit_code} on a refused file")

    assert not wrong, "\n".join(wrong)
    assert CountingSandbox.requests == before, f"{item.name}: a request reached the sandbox"


def test_the_sandbox_counts_the_requests_of_a_plan(tmp_path: Path, planning: None) -> None:
    """The control of the test above: a valid file's plan does reach the sandbox."""
    path = tmp_path / "stack.yaml"
    path.write_text(BASES[1])
    before = CountingSandbox.requests

    result, _ = run("plan", str(path))

    assert "Plan: 7 to create" in result.output
    assert CountingSandbox.requests > before


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


@pytest.fixture
def special_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A named pipe with no writer, a link to it, and the devices that exist here."""
    monkeypatch.chdir(tmp_path)
    os.mkfifo("pipe.yaml")
    Path("link.yaml").symlink_to(tmp_path / "pipe.yaml")
    return ["pipe.yaml", "link.yaml", *(p for p in ("/dev/zero", "/dev/null") if Path(p).exists())]


@needs_fifo
@pytest.mark.parametrize("command", ["validate", "plan", "drift", "apply"])
def test_a_file_that_is_no_regular_file_is_refused_by_path_without_blocking(
    command: str, special_files: list[str], planning: None
) -> None:
    for path in special_files:
        result, seconds = run(command, path)
        assert result.exit_code == 1, result.output
        assert seconds < TIME_BOUND
        assert re.search(rf"^  {re.escape(path)}:1:1: a (named pipe|device)", result.output, re.M)


@needs_fifo
def test_the_installed_command_refuses_a_pipe_and_a_device_without_blocking(
    special_files: list[str],
) -> None:
    program = "from mailform.cli.main import cli; cli()"
    done = subprocess.run(
        [sys.executable, "-c", program, "validate", *special_files],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.count(":1:1: a ") == len(special_files)


def test_a_directory_is_refused_by_path(tmp_path: Path) -> None:
    result, _ = run("validate", str(tmp_path))

    assert result.exit_code == 1
    assert f"'{tmp_path}' is a directory" in result.output
