"""``mailform sandbox``: run and seed the local API sandbox.

``serve`` runs the sandbox over HTTP with its state in a file, so that ``mailform apply`` then
``mailform plan`` against it converge across runs; ``seed`` loads a stack file into that state
as an account that already exists. Credentials come from ``LUXSCI_API_TOKEN``,
``LUXSCI_API_SECRET`` and ``LUXSCI_ACCOUNT_ID`` (LianaMailer: ``LIANAMAILER_REALM``,
``LIANAMAILER_USER_ID``, ``LIANAMAILER_API_SECRET``) when they are set; otherwise they are
generated once and kept in the state file. The secret is printed only by ``serve``, whose
sandbox is a local throwaway.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
import uvicorn

from mailform.sandbox.dns import DnsServer
from mailform.sandbox.faults import FaultSettings
from mailform.sandbox.luxsci.account import DEFAULT_CREATE_LIMITS
from mailform.sandbox.luxsci.service import LuxSciSettings
from mailform.sandbox.seed import SeedError
from mailform.sandbox.server import SandboxApp
from mailform.sandbox.store import StateFileError, StateStore

DEFAULT_STATE = Path(".mailform") / "sandbox.json"
DEFAULT_PORT = 8765


def _create_limits(
    context: click.Context, parameter: click.Parameter, value: str | None
) -> dict[str, int] | None:
    """Read ``domains=100,aliases=1000,users=100`` (any subset)."""
    if value is None:
        return None
    limits: dict[str, int] = {}
    for part in value.split(","):
        name, _, amount = part.partition("=")
        name = name.strip()
        if name not in DEFAULT_CREATE_LIMITS or not amount.strip().isdigit():
            raise click.BadParameter(
                f"expected NAME=N pairs with NAME in {', '.join(DEFAULT_CREATE_LIMITS)}, "
                f"e.g. domains=100,aliases=1000,users=100; got {part!r}"
            )
        limits[name] = int(amount)
    return limits


def _open_sandbox(
    state: Path,
    *,
    faults: FaultSettings | None = None,
    settings: LuxSciSettings | None = None,
    create_limits: Mapping[str, int] | None = None,
) -> SandboxApp:
    """The sandbox over the state file, with the credentials of the environment applied."""
    try:
        app = SandboxApp(
            store=StateStore(state), faults=faults, luxsci=settings, create_limits=create_limits
        )
    except StateFileError as error:
        raise click.ClickException(str(error)) from None
    app.luxsci.configure(
        token=os.environ.get("LUXSCI_API_TOKEN") or None,
        secret=os.environ.get("LUXSCI_API_SECRET") or None,
        account_id=os.environ.get("LUXSCI_ACCOUNT_ID") or None,
    )
    return app


def _seed_file(app: SandboxApp, path: Path) -> dict[str, int]:
    try:
        return app.seed(path.read_text(encoding="utf-8"), source=str(path))
    except (OSError, SeedError) as error:
        raise click.ClickException(str(error)) from None


def _describe_faults(settings: FaultSettings) -> str:
    parts = []
    if settings.latency or settings.jitter:
        parts.append(f"latency {settings.latency:g}s + up to {settings.jitter:g}s")
    if settings.rate_limit is not None:
        parts.append(f"rate limit {settings.rate_limit}")
    if settings.error_rate:
        parts.append(f"{settings.error_rate:.0%} server errors")
    if settings.drop_rate:
        parts.append(f"{settings.drop_rate:.0%} dropped connections")
    if settings.drop_next:
        parts.append(f"drop the next {settings.drop_next} changes")
    return ", ".join(parts) or "none"


def _describe_counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in counts.items()) or "nothing"


state_option = click.option(
    "--state",
    "state",
    default=DEFAULT_STATE,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file the accounts are kept in; survives restarts.",
)


@click.group()
def sandbox() -> None:
    """Run and seed the local sandbox of the LuxSci and LianaMailer APIs."""


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port.")
@state_option
@click.option("--latency", default=0.0, type=float, help="Seconds added to every request.")
@click.option("--jitter", default=0.0, type=float, help="Up to this many more random seconds.")
@click.option("--rate-limit", default=None, help="Answer 429 beyond N requests per window: N/60s.")
@click.option("--error-rate", default=0.0, type=float, help="Share (0..1) of 503 answers.")
@click.option(
    "--drop-rate",
    default=0.0,
    type=float,
    help="Share (0..1) of changes committed and then answered with a dropped connection.",
)
@click.option("--drop-next", default=0, type=int, help="Drop the answers of the next N changes.")
@click.option("--fault-seed", default=None, type=int, help="Seed of the random fault draws.")
@click.option(
    "--expire-auth",
    is_flag=True,
    help="Expire the auth tokens kept in the state file: clients must authenticate again.",
)
@click.option(
    "--auth-lifetime", default=3600.0, show_default=True, type=float, help="Seconds an auth lives."
)
@click.option(
    "--create-limits",
    default=None,
    callback=_create_limits,
    help="24 h create limits of the default integration: domains=100,aliases=1000,users=100.",
)
@click.option(
    "--seed",
    "seed_file",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Stack file to seed the account from before serving.",
)
@click.option("--log-level", default="info", show_default=True, help="uvicorn log level.")
def serve(
    host: str,
    port: int,
    state: Path,
    latency: float,
    jitter: float,
    rate_limit: str | None,
    error_rate: float,
    drop_rate: float,
    drop_next: int,
    fault_seed: int | None,
    expire_auth: bool,
    auth_lifetime: float,
    create_limits: dict[str, int] | None,
    seed_file: Path | None,
    log_level: str,
) -> None:
    """Serve the sandbox over HTTP until interrupted (Ctrl-C)."""
    changes: dict[str, Any] = {
        "latency": latency,
        "jitter": jitter,
        "rate_limit": rate_limit,
        "error_rate": error_rate,
        "drop_rate": drop_rate,
        "drop_next": drop_next,
        "seed": fault_seed,
    }
    try:
        faults = FaultSettings().updated(changes)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    app = _open_sandbox(
        state,
        faults=faults,
        settings=LuxSciSettings(auth_lifetime=auth_lifetime),
        create_limits=create_limits,
    )
    if expire_auth:
        app.faults.expire_auth()
    if seed_file is not None:
        counts = _seed_file(app, seed_file)
        click.echo(f"Seeded from {seed_file}: {_describe_counts(counts)}")
    base_url = f"http://{host}:{port}"
    dns_server = DnsServer(app.dns_records, host=host, port=port).start()
    click.echo(
        f"mailform sandbox: LuxSci API v2 at {base_url}/perl/api/v2, "
        f"LianaMailer at {base_url}/api/v1\n"
        f"  state:    {state}\n"
        f"  faults:   {_describe_faults(faults)}\n"
        f"  control:  {base_url}/_sandbox/health, /faults, /reset, /state, /seed, /clock\n"
        "Point mailform at it with (MAILFORM_DNS answers with the records the seeds publish):\n"
        + _exports(app, base_url, dns_server.address)
    )
    config = uvicorn.Config(
        app, host=host, port=port, log_level=log_level, http="h11", lifespan="off"
    )
    try:
        uvicorn.Server(config).run()
    finally:
        dns_server.stop()


@sandbox.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@state_option
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="The address `serve` will use."
)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Its port.")
def seed(file: Path, state: Path, host: str, port: int) -> None:
    """Seed the sandbox state from a stack FILE, as an account that already exists, and
    print the environment that points mailform at `mailform sandbox serve` on HOST:PORT,
    as shell lines to `eval "$(mailform sandbox seed FILE)"` (the summary goes to stderr).

    Do this while no sandbox serves the same state file (a running one keeps its own copy:
    POST the file to its /_sandbox/seed instead).
    """
    app = _open_sandbox(state)
    counts = _seed_file(app, file)
    click.echo(f"Seeded {state} from {file}: {_describe_counts(counts)}", err=True)
    click.echo(_exports(app, f"http://{host}:{port}", f"{host}:{port}"))


def _exports(app: SandboxApp, base_url: str, dns: str) -> str:
    """The environment pointing mailform at the sandbox, as ``export`` lines a shell can
    ``eval`` (values quoted for the shell)."""
    credentials = app.credentials
    liana = app.lianamailer_credentials
    variables = {
        "LUXSCI_API_HOST": base_url,
        "LUXSCI_API_TOKEN": credentials.token,
        "LUXSCI_API_SECRET": credentials.secret,
        "LUXSCI_ACCOUNT_ID": credentials.account_id,
        "LIANAMAILER_API_URL": base_url,
        "LIANAMAILER_REALM": liana.realm,
        "LIANAMAILER_USER_ID": liana.user_id,
        "LIANAMAILER_API_SECRET": liana.secret,
        "MAILFORM_DNS": dns,
    }
    # A value the environment holds already is not printed again (it may be a real
    # credential the sandbox adopted): the shell keeps it.
    kept = [name for name, value in variables.items() if os.environ.get(name) == value]
    lines = [
        f"export {name}={shlex.quote(value)}"
        for name, value in variables.items()
        if name not in kept
    ]
    if kept:
        lines.append(f"# kept from your environment: {' '.join(kept)}")
    return "\n".join(lines)
