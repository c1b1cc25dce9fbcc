"""``mailform sandbox``: run, seed and read the local API sandbox.

``serve`` runs the sandbox over HTTP with its state in a file, so that ``mailform apply`` then
``mailform plan`` against it converge across runs; ``seed`` loads a stack file into that state
as an account that already exists; ``dump`` prints the state for reading. Credentials come
from ``LUXSCI_API_TOKEN``, ``LUXSCI_API_SECRET`` and ``LUXSCI_ACCOUNT_ID`` (LianaMailer:
``LIANAMAILER_REALM``, ``LIANAMAILER_USER_ID``, ``LIANAMAILER_API_SECRET``) when they are set;
otherwise they are generated once and kept in the state file. The secret is printed only by
``serve``, whose sandbox is a local throwaway.
"""

from __future__ import annotations

import os
import shlex
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import uvicorn

from mailform.cli.connect import EMBEDDED_STATE, embedded_state
from mailform.sandbox import dump as state_dump
from mailform.sandbox.dns import DnsServer
from mailform.sandbox.faults import FaultSettings
from mailform.sandbox.luxsci.account import DEFAULT_CREATE_LIMITS
from mailform.sandbox.luxsci.service import LuxSciSettings
from mailform.sandbox.seed import SeedError
from mailform.sandbox.server import SandboxApp
from mailform.sandbox.store import StateFileError, StateStore

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


def _open_store(state: Path) -> StateStore:
    try:
        return StateStore(state)
    except StateFileError as error:
        raise click.ClickException(str(error)) from None


@contextmanager
def _open_sandbox(
    state: Path,
    *,
    faults: FaultSettings | None = None,
    settings: LuxSciSettings | None = None,
    create_limits: Mapping[str, int] | None = None,
) -> Iterator[SandboxApp]:
    """The sandbox over the state file, with the credentials of the environment applied;
    the file is closed after the block."""
    with _open_store(state) as store:
        app = SandboxApp(store=store, faults=faults, luxsci=settings, create_limits=create_limits)
        app.luxsci.configure(
            token=os.environ.get("LUXSCI_API_TOKEN") or None,
            secret=os.environ.get("LUXSCI_API_SECRET") or None,
            account_id=os.environ.get("LUXSCI_ACCOUNT_ID") or None,
        )
        yield app


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
    default=None,
    show_default=str(EMBEDDED_STATE),
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file the accounts are kept in; survives restarts. A JSON state of an earlier "
    "mailform is converted on first use.",
)


@click.group()
def sandbox() -> None:
    """Run, seed and read the local sandbox of the LuxSci and LianaMailer APIs."""


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
    state: Path | None,
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
    state = state or embedded_state()
    with _open_sandbox(
        state,
        faults=faults,
        settings=LuxSciSettings(auth_lifetime=auth_lifetime),
        create_limits=create_limits,
    ) as app:
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
        # uvicorn stops gracefully on SIGTERM, then raises it again; as an exception it
        # unwinds through here, so the state file is closed (and its log folded back).
        previous = signal.signal(signal.SIGTERM, _exit_on_signal)
        try:
            uvicorn.Server(config).run()
        finally:
            signal.signal(signal.SIGTERM, previous)
            dns_server.stop()


def _exit_on_signal(number: int, frame: object) -> None:
    raise SystemExit(128 + number)


@sandbox.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@state_option
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="The address `serve` will use."
)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Its port.")
def seed(file: Path, state: Path | None, host: str, port: int) -> None:
    """Seed the sandbox state from a stack FILE, as an account that already exists, and
    print the environment that points mailform at `mailform sandbox serve` on HOST:PORT,
    as shell lines to `eval "$(mailform sandbox seed FILE)"` (the summary goes to stderr).

    Do this while no sandbox serves the same state file (a running one keeps its own copy:
    POST the file to its /_sandbox/seed instead).
    """
    state = state or embedded_state()
    with _open_sandbox(state) as app:
        counts = _seed_file(app, file)
        click.echo(f"Seeded {state} from {file}: {_describe_counts(counts)}", err=True)
        click.echo(_exports(app, f"http://{host}:{port}", f"{host}:{port}"))


@sandbox.command()
@state_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(state_dump.FORMATS),
    default="yaml",
    show_default=True,
    help="How to print the state.",
)
@click.option(
    "--show-secrets",
    is_flag=True,
    help="Print the secrets kept in the state as they are (API secrets, password hashes); "
    f"without it they are printed as {state_dump.MASK}.",
)
def dump(state: Path | None, output_format: str, show_secrets: bool) -> None:
    """Print the sandbox's state (every account as the sandbox keeps it) as YAML or JSON, for
    reading. Secrets (the integrations' and LianaMailer's API secrets, the users' password
    hashes) are masked unless --show-secrets is given.

    A sandbox may be serving the same state file meanwhile: the dump shows every call it
    has answered.
    """
    state = state or embedded_state()
    if not state.is_file():
        raise click.ClickException(
            f"{state}: no sandbox state here; `mailform sandbox serve` or `mailform sandbox "
            "seed` makes one (or pass --state)"
        )
    with _open_store(state) as store:
        document = store.snapshot()
    click.echo(state_dump.render(document, output_format, show_secrets=show_secrets), nl=False)


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
