"""Ctrl-C during ``mailform apply``: a real SIGINT sent to a real process applying against
the sandbox. The first stops new changes and lets the running ones finish; the second
abandons them. Either way the report says what was done and what was not, the exit code is
130, and the next apply converges."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.accounts import aliases_stack_file

pytestmark = pytest.mark.integration

MAILFORM = Path(sys.executable).parent / "mailform"
ALIASES = 30


def start_apply(path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(MAILFORM), "apply", str(path), "--yes", "--workers", "2"],
        env={**os.environ, **env, "MAILFORM_RATE_LIMIT": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_first_done(process: subprocess.Popen[str]) -> list[str]:
    """The stderr lines up to the first change done (piped: one plain line per change)."""
    assert process.stderr is not None
    lines = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        lines.append(line)
        if line.startswith("done: "):
            return lines
    raise AssertionError("no change was done in 30 s:\n" + "".join(lines))


def test_ctrl_c_stops_new_changes_and_reports(  # type: ignore[no-untyped-def]
    env, control: httpx.Client, tmp_path: Path
) -> None:
    control.put("/faults", json={"latency": 0.15}).raise_for_status()
    path = aliases_stack_file(tmp_path, ALIASES)
    process = start_apply(path, env)
    wait_for_first_done(process)
    interrupted_at = time.monotonic()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert time.monotonic() - interrupted_at < 10
    assert process.returncode == 130, stdout + stderr
    assert "Stopping: no new change starts" in stderr
    assert " not started" in stdout and "Interrupted." in stdout
    assert "Traceback" not in stderr
    created = len(control.get("/state").json()["luxsci"]["aliases"])
    assert created < ALIASES  # the aliases running at the signal (0, 1 or 2) finished
    done = int(stdout.split("Applied: ")[1].split(" done")[0])
    assert done == created + 1  # the domain, and those aliases

    control.put("/faults", json={"latency": 0}).raise_for_status()
    rerun = start_apply(path, env)
    out, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, out + err
    assert len(control.get("/state").json()["luxsci"]["aliases"]) == ALIASES


def test_ctrl_c_while_reading_the_account_applies_nothing(  # type: ignore[no-untyped-def]
    env, control: httpx.Client, tmp_path: Path
) -> None:
    control.put("/faults", json={"latency": 1.0}).raise_for_status()
    process = start_apply(aliases_stack_file(tmp_path, ALIASES), env)
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stdout + stderr
    assert "Interrupted: nothing was applied." in stderr
    assert control.get("/state").json()["luxsci"]["domains"] == {}


def test_a_second_ctrl_c_abandons_the_running_changes(  # type: ignore[no-untyped-def]
    env, control: httpx.Client, tmp_path: Path
) -> None:
    control.put("/faults", json={"latency": 0.1}).raise_for_status()
    process = start_apply(aliases_stack_file(tmp_path, ALIASES), env)
    wait_for_first_done(process)
    control.put("/faults", json={"latency": 3.0}).raise_for_status()
    time.sleep(0.5)  # two alias creates are running (3 s of latency each)
    process.send_signal(signal.SIGINT)
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stdout + stderr
    assert "abandoned create luxsci.aliases" in stderr and "Interrupted." in stdout
    assert "Traceback" not in stderr
