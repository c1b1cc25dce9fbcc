"""Connections for a CLI run: the live services, or the embedded sandbox.

Credentials reach every service through the environment variables of the product contract
(``LUXSCI_API_HOST``, ``LUXSCI_API_TOKEN``…). The embedded sandbox therefore needs no
special path into the services: it is started over real HTTP on a free loopback port, and
its credentials are handed over as those same variables.

Credentials travel over https, or over plain http only to this machine (the sandbox), unless
the user allows it: ``--insecure-http`` (``MAILFORM_INSECURE_HTTP``), the clients' rule in
the words of the CLI (``mailform.http.baseurl``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailform import extras
from mailform.engine.manager import Manager
from mailform.engine.outside import Dns
from mailform.engine.session import Session
from mailform.errors import ConfigurationError
from mailform.http.baseurl import BaseUrlRefused, PlainHttpRefused
from mailform.services import SERVICES

if TYPE_CHECKING:
    from mailform.sandbox.server import SandboxApp

logger = logging.getLogger(__name__)

#: The variable naming the DNS server plans ask (``HOST[:PORT]``; unset: the system's).
DNS_VARIABLE = "MAILFORM_DNS"

#: The variable that allows plain http to other machines (``--insecure-http``).
INSECURE_HTTP_VARIABLE = "MAILFORM_INSECURE_HTTP"

#: How a CLI user allows plain http, for the refusal's message.
INSECURE_HTTP_OPT_IN = f"pass --insecure-http (or set {INSECURE_HTTP_VARIABLE}=1)"

#: Where ``--sandbox`` (and the ``mailform sandbox`` commands, by default) keep the sandbox's
#: accounts between runs: an SQLite file.
EMBEDDED_STATE = Path(".mailform") / "sandbox.sqlite3"

#: Where they were kept, as JSON, before: see :func:`embedded_state`.
LEGACY_EMBEDDED_STATE = Path(".mailform") / "sandbox.json"


def sandbox_environment(app: SandboxApp, base_url: str, dns: str | None = None) -> dict[str, str]:
    """The environment variables that point the clients (and, with ``dns``, the plan's
    DNS lookups) at a sandbox served in this process."""
    from mailform.sandbox.embedded import describe

    return described_environment(describe(app, base_url, dns))


def described_environment(described: Mapping[str, Any]) -> dict[str, str]:
    """The environment variables for the sandbox a ``mailform.sandbox.embedded.describe``
    answer tells of."""
    luxsci, liana, dns = described["luxsci"], described["lianamailer"], described["dns"]
    return {
        **({DNS_VARIABLE: dns} if dns else {}),
        "LUXSCI_API_HOST": described["base_url"],
        "LUXSCI_API_TOKEN": luxsci["token"],
        "LUXSCI_API_SECRET": luxsci["secret"],
        "LUXSCI_ACCOUNT_ID": luxsci["account_id"],
        "LIANAMAILER_API_URL": described["base_url"],
        "LIANAMAILER_REALM": liana["realm"],
        "LIANAMAILER_USER_ID": liana["user_id"],
        "LIANAMAILER_API_SECRET": liana["secret"],
    }


def embedded_state() -> Path:
    """:data:`EMBEDDED_STATE`. A state an earlier mailform left at
    :data:`LEGACY_EMBEDDED_STATE` is moved there first (when there is none yet), so that the
    account carries over: the sandbox converts it to SQLite when it opens it."""
    if LEGACY_EMBEDDED_STATE.is_file() and not EMBEDDED_STATE.exists():
        LEGACY_EMBEDDED_STATE.replace(EMBEDDED_STATE)
        logger.warning(
            "sandbox: moved the state %s to %s (the sandbox keeps its state in SQLite now)",
            LEGACY_EMBEDDED_STATE,
            EMBEDDED_STATE,
        )
    return EMBEDDED_STATE


@contextmanager
def embedded_sandbox(state: Path | None = None) -> Iterator[dict[str, str]]:
    """Run the sandbox with its state in ``state`` (default: :func:`embedded_state`) for the
    duration of the block, in a process of its own (``mailform.cli.embedded``); yields the
    environment that points clients at it."""
    extras.require("sandbox", "--sandbox")
    from mailform.cli.embedded import sandbox_process

    state = state or embedded_state()
    with sandbox_process(state) as described:
        logger.info("sandbox: serving %s with state %s", described["base_url"], state)
        yield described_environment(described)


#: The variables that say which account a service's credentials reach (never a secret).
ACCOUNT_VARIABLES = {
    "luxsci": ("LUXSCI_API_HOST", "LUXSCI_ACCOUNT_ID"),
    "lianamailer": ("LIANAMAILER_API_URL", "LIANAMAILER_REALM", "LIANAMAILER_USER_ID"),
}


def account_identities(service_names: Iterable[str], *, sandbox: bool) -> dict[str, str]:
    """Which account each service's run reaches, in words a saved plan can compare: the
    host and account of the environment's credentials, or the embedded sandbox."""
    if sandbox:
        return {name: f"the embedded sandbox ({EMBEDDED_STATE})" for name in service_names}
    return {
        name: " ".join(
            f"{variable}={os.environ.get(variable, '')}"
            for variable in ACCOUNT_VARIABLES.get(name, ())
        )
        for name in service_names
    }


@contextmanager
def open_manager(
    service_names: Iterable[str],
    *,
    sandbox: bool = False,
    rate_limit: float | None = None,
    configured_only: bool = False,
    dns: str | None = None,
    insecure_http: bool = False,
) -> Iterator[Manager]:
    """A ``Manager`` with a session for each named service, closed (auth revoked) after.

    ``rate_limit`` is requests per minute (None: each service's documented default; 0: no
    client-side limit, which the embedded sandbox uses). ``configured_only`` leaves out the
    services whose credentials the environment lacks (``export`` of "every service" means
    every service the user has credentials for), failing only when none is left; a base URL
    that would send credentials in clear fails even then. ``insecure_http`` allows plain
    http to hosts other than this machine.
    """
    with ExitStack() as stack:
        environ: Mapping[str, str] = os.environ
        options: dict[str, object] = {"insecure_http": insecure_http}
        if rate_limit is not None:
            options["rate_limit"] = rate_limit
        if sandbox:
            environ = {**os.environ, **stack.enter_context(embedded_sandbox())}
            options["rate_limit"] = 0
        sessions: dict[str, Session[object]] = {}
        missing: list[str] = []
        for name in service_names:
            try:
                session = SERVICES[name].connect(environ=environ, **options)
            except PlainHttpRefused as refused:
                raise refused.reworded(opt_in=INSECURE_HTTP_OPT_IN) from None
            except BaseUrlRefused:
                raise
            except ConfigurationError as error:
                if not configured_only:
                    raise
                logger.info("%s: left out: %s", name, error)
                missing.append(str(error))
                continue
            stack.callback(session.close)
            sessions[name] = session
        if missing and not sessions:
            raise ConfigurationError("no service has credentials: " + "; ".join(missing))
        yield Manager(SERVICES, sessions, dns=Dns.parse(dns or environ.get(DNS_VARIABLE)))


@contextmanager
def open_chosen_services(
    chosen: Iterable[str],
    *,
    verb: str,
    sandbox: bool,
    rate_limit: float | None,
    insecure_http: bool,
) -> Iterator[Manager]:
    """``open_manager`` for a verb that reads whole accounts (``export``, ``doctor``): the
    services ``--service`` chose, or, when it chose none, every service whose credentials
    are set; each service left out is named on stderr (``lianamailer: not exported, its
    credentials are not set``)."""
    from mailform.cli.output import err

    names = list(chosen) or sorted(SERVICES)
    with open_manager(
        names,
        sandbox=sandbox,
        rate_limit=rate_limit,
        configured_only=not chosen,
        insecure_http=insecure_http,
    ) as manager:
        for name in sorted(set(names) - set(manager.sessions)):
            err.print(f"{name}: not {verb}, its credentials are not set")
        yield manager
