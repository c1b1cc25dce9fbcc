"""The embedded sandbox's own process: ``python -m mailform.sandbox.embedded STATE``.

``mailform plan --sandbox`` (and every other verb's ``--sandbox``) runs the sandbox in a
child process of its own rather than in a thread of the CLI. Client and server then run on
two cores instead of taking turns under one interpreter lock: an apply of 500 changes takes
about half the wall time. It also keeps the two apart: the CLI does not import the web
server, and a sandbox that fails cannot take the command's own state with it.

The exchange with the parent is one line and a closed pipe:

- Once the sandbox serves, the child writes one line of JSON to its stdout: the base URL,
  the DNS server's address and the credentials of both services (see :func:`describe`),
  and its process id.
  When it cannot serve (a damaged state file), the line is ``{"error": "..."}`` instead and
  the child exits 1.
- The child then serves until its stdin closes. The parent closes it when the command is
  done; when the parent dies instead, the operating system closes it, so the child never
  outlives the command.

The child ignores SIGINT: Ctrl-C is the parent's to handle (an apply stops starting changes
and finishes the ones under way, which needs the sandbox to answer them). The parent also
starts it in a session of its own, so that a terminal's Ctrl-C does not reach it at all.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mailform.sandbox.server import SandboxApp, SandboxServer
from mailform.sandbox.store import StateFileError, StateStore

log = logging.getLogger(__name__)


def describe(app: SandboxApp, base_url: str, dns: str | None) -> dict[str, Any]:
    """What a client needs to reach a running sandbox: where it serves and its credentials.

    This is the line the child sends its parent; it holds secrets, so it travels over the
    pipe only and is never logged."""
    luxsci = app.credentials
    liana = app.lianamailer_credentials
    return {
        "base_url": base_url,
        "dns": dns,
        "luxsci": {
            "token": luxsci.token,
            "secret": luxsci.secret,
            "account_id": luxsci.account_id,
        },
        "lianamailer": {"realm": liana.realm, "user_id": liana.user_id, "secret": liana.secret},
    }


def serve_until_stdin_closes(state: Path) -> int:
    """Serve the sandbox over ``state`` until stdin reaches its end; the exit status."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        store = StateStore(state)
    except StateFileError as error:
        _tell_parent({"error": str(error)})
        return 1
    with store, SandboxServer(SandboxApp(store=store)) as server:
        described = describe(server.app, server.base_url, server.dns_address)
        _tell_parent({**described, "pid": os.getpid()})
        sys.stdin.buffer.read()
    return 0


def _tell_parent(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mailform.sandbox.embedded STATE``."""
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 1:
        print("usage: python -m mailform.sandbox.embedded STATE", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="sandbox: %(levelname)s: %(message)s")
    try:
        return serve_until_stdin_closes(Path(args[0]))
    except Exception as error:  # anything else that stops it from serving, told to the parent
        log.debug("the sandbox failed", exc_info=True)
        _tell_parent({"error": f"the sandbox failed: {type(error).__name__}: {error}"})
        return 1


if __name__ == "__main__":
    sys.exit(main())
