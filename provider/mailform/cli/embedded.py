"""The embedded sandbox as a child process of the CLI (``--sandbox``).

The child is ``python -m mailform.sandbox.embedded STATE`` (see that module for why it is a
process and for the one-line exchange). This side starts it, waits for the line that says
where it serves, and stops it when the command is done: closing its stdin, waiting a little,
then killing it.
"""

from __future__ import annotations

import json
import logging
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from mailform.errors import MailformError

logger = logging.getLogger(__name__)

#: Seconds the child has to start serving: an interpreter, the web server's imports, and the
#: opening (or conversion) of the state file.
START_TIMEOUT = 60.0
#: Seconds the child has to finish once its stdin is closed, before it is killed.
STOP_TIMEOUT = 10.0


class SandboxNotStarted(MailformError):
    """The embedded sandbox could not serve: its state file is damaged, or it failed."""


@contextmanager
def sandbox_process(state: Path) -> Iterator[dict[str, Any]]:
    """Run the sandbox over ``state`` in a child process for the duration of the block;
    yields what the child described (``mailform.sandbox.embedded.describe``: base URL, DNS
    address, credentials)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mailform.sandbox.embedded", str(state)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,  # a terminal's Ctrl-C goes to the CLI only
    )
    try:
        assert process.stdout is not None
        described = _first_line(process.stdout, START_TIMEOUT)
        if described is None:
            raise SandboxNotStarted(_not_started(process))
        if "error" in described:
            raise SandboxNotStarted(str(described["error"]))
        yield described
    finally:
        _stop(process)


def _first_line(stream: IO[bytes], timeout: float) -> dict[str, Any] | None:
    """The child's line, read in a thread so that a child that hangs cannot hang the CLI;
    None when it ended (or took ``timeout``) without one."""
    lines: queue.Queue[bytes] = queue.Queue(maxsize=1)
    reader = threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True)
    reader.start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        return None
    if not line:
        return None
    try:
        described = json.loads(line)
    except ValueError:
        return None
    return described if isinstance(described, dict) else None


def _not_started(process: subprocess.Popen[bytes]) -> str:
    status = process.poll()
    if status is None:
        return f"the embedded sandbox did not start serving within {START_TIMEOUT:g} s"
    return f"the embedded sandbox exited ({status}) before it served; its errors are above"


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Close the child's stdin (its signal to stop), then wait for it; kill it if it hangs."""
    if process.stdin is not None:
        with suppress(OSError):  # it is gone already
            process.stdin.close()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        logger.warning("the embedded sandbox did not stop within %g s: killed", STOP_TIMEOUT)
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()
