"""``mailform sandbox serve`` in a process of its own, as a user starts it, for the tests
that need a real process: killed, stopped, or told to serve other machines."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

#: The CLI as ``python -c`` runs it (the installed script may be older than the checkout).
CLI = [sys.executable, "-c", "from mailform.cli.main import cli; cli()"]


@contextmanager
def served_sandbox(
    state: Path, *options: str, output: int = subprocess.DEVNULL
) -> Iterator[tuple[subprocess.Popen[bytes], httpx.Client]]:
    """``sandbox serve --state STATE OPTIONS`` on a free port, and a client of it once its
    health check answers; ``output`` is where its stdout and stderr go. The process is
    killed after the block if it still runs."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [*CLI, "sandbox", "serve", "--state", str(state), "--port", str(port)]
    command += ["--log-level", "error", *options]
    process = subprocess.Popen(command, stdout=output, stderr=output)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            deadline = time.monotonic() + 30
            while True:
                try:
                    http.get("/_sandbox/health").raise_for_status()
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the sandbox did not start"
                    time.sleep(0.1)
            yield process, http
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
