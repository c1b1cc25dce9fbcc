"""A service that dies between the plan and the apply: ``mailform apply`` gives up within
seconds (the clients' circuit breakers), not minutes of retries per change, reports the
changes it did not attempt, and exits 1."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mailform.cli.connect import sandbox_environment
from mailform.sandbox.server import SandboxApp, SandboxServer
from tests.accounts import aliases_stack_file

pytestmark = pytest.mark.integration

MAILFORM = Path(sys.executable).parent / "mailform"
ALIASES = 24


def test_an_apply_against_a_service_that_died_stops_early_and_says_what_was_not_attempted(
    tmp_path: Path,
) -> None:
    app = SandboxApp()
    server = SandboxServer(app).start()
    try:
        with server.control_client() as control:
            control.post("/seed", content="luxsci:\n  domains: [{domain: example.com}]\n")
            # A request that raced the stop finishes within the server's graceful shutdown.
            control.put("/faults", json={"latency": 0.5}).raise_for_status()
        env = {**os.environ, **sandbox_environment(app, server.base_url)}
        env.pop("MAILFORM_RATE_LIMIT", None)  # the documented limit, 60 requests a minute
        process = subprocess.Popen(
            [str(MAILFORM), "apply", str(aliases_stack_file(tmp_path, ALIASES)), "--yes"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        printed = []
        for line in process.stdout:  # the plan, printed before any change is sent
            printed.append(line)
            if line.startswith("Checksum:"):
                break
        else:
            raise AssertionError("no plan was printed:\n" + "".join(printed))
    finally:
        server.stop()  # the service dies
    stopped_at = time.monotonic()
    stdout, stderr = process.communicate(timeout=120)
    took = time.monotonic() - stopped_at
    stdout = "".join(printed) + stdout
    assert process.returncode == 1, stdout + stderr
    assert took < 30, f"gave up after {took:.0f} s"  # 2 minutes without the breaker
    assert "Traceback" not in stderr
    assert "Stopped early: luxsci looks down" in stdout
    assert "not attempted: luxsci looks down" in stderr
    counts = stdout.split("Applied: ")[1].split(".")[0]
    done, failed, skipped, not_started = (
        int(counts.split(f" {word}")[0].rsplit(" ", 1)[-1])
        for word in ("done", "failed", "skipped", "not started")
    )
    assert done + failed + skipped + not_started == ALIASES
    assert not_started >= ALIASES // 2 and skipped == 0
