"""``mailform sandbox``: run, seed and read the local API sandbox.

``serve`` runs the sandbox over HTTP with its state in a file, so that ``mailform apply`` then
``mailform plan`` against it converge across runs; ``seed`` loads a stack file into that state
as an account that already exists; ``dump`` prints the state for reading.

The sandbox's credentials are its own: generated when the state file is created and kept in
it, never read from the environment (where ``LUXSCI_API_SECRET`` may be a real account's).
``serve`` and ``seed`` print them, with the control token (``MAILFORM_SANDBOX_TOKEN``), as the
``export`` lines that point a shell at the sandbox. ``serve`` listens on loopback unless
``--allow-remote`` says otherwise on purpose.
"""

from __future__ import annotations

import shlex
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import uvicorn

from mailform.cli.connect import EMBEDDED_STATE, embedded_state, sandbox_environment
from mailform.sandbox import dump as state_dump
from mailform.sandbox.dns import DnsServer
from mailform.sandbox.faults import FaultSettings
from mailform.sandbox.guard import ANY_HOST, is_loopback
from mailform.sandbox.luxsci.account import DEFAULT_CREATE_LIMITS
from mailform.sandbox.luxsci.service import LuxSciSettings
from mailform.sandbox.seed import SeedError
from mailform.sandbox.server import SandboxApp
from mailform.sandbox.store import StateFileError, StateStore

DEFAULT_PORT = 8765

#: The variable ``serve`` and ``seed`` print the control token in.
TOKEN_VARIABLE = "MAILFORM_SANDBOX_TOKEN"


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
    remote: bool = False,
) -> Iterator[SandboxApp]:
    """The sandbox over the state file (its credentials those kept in it, or new ones); the
    file is closed after the block. ``remote``: control requests may name any host."""
    with _open_store(state) as store:
        yield SandboxApp(
            store=store,
            faults=faults,
            luxsci=settings,
            create_limits=create_limits,
            allowed_hosts=(ANY_HOST,) if remote else (),
        )


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
    if settings.late_rate and (settings.late_commit or settings.late_answer):
        parts.append(
            f"{settings.late_rate:.0%} of changes committed {settings.late_commit:g}s late, "
            f"answered {settings.late_answer:g}s after"
        )
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


def _remote_warning(host: str) -> str:
    return (
        f"warning: serving on {host}, not on loopback (--allow-remote): every machine that "
        "can reach this port can call the sandbox's LuxSci and LianaMailer APIs, and anyone "
        f"who has the control token ({TOKEN_VARIABLE}, sent in clear over plain http) can "
        "read every credential the sandbox holds, change its faults and clock, and wipe it. "
        "Its credentials are its own, never a real account's."
    )


@sandbox.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; other than loopback only with --allow-remote.",
)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port.")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a --host other than loopback, to serve other machines (a container, a test "
    "network), and accept control requests addressed to any host name.",
)
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
@click.option(
    "--late-rate",
    default=0.0,
    type=float,
    help="Share (0..1) of changes committed late (--late-commit) and answered late "
    "(--late-answer), whatever the client does meanwhile.",
)
@click.option(
    "--late-commit",
    default=0.0,
    type=float,
    help="Seconds from reading a late change to committing it.",
)
@click.option(
    "--late-answer",
    default=0.0,
    type=float,
    help="Seconds from committing a late change to answering it.",
)
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
    allow_remote: bool,
    state: Path | None,
    latency: float,
    jitter: float,
    rate_limit: str | None,
    error_rate: float,
    drop_rate: float,
    drop_next: int,
    late_rate: float,
    late_commit: float,
    late_answer: float,
    fault_seed: int | None,
    expire_auth: bool,
    auth_lifetime: float,
    create_limits: dict[str, int] | None,
    seed_file: Path | None,
    log_level: str,
) -> None:
    """Serve the sandbox over HTTP until interrupted (Ctrl-C), and print the environment
    that points mailform at it (the sandbox's own credentials and control token)."""
    remote = not is_loopback(host.strip("[]").lower())
    if remote and not allow_remote:
        raise click.UsageError(
            f"--host {host} is not a loopback address: the sandbox would serve its APIs and "
            "its control endpoints to other machines; pass --allow-remote if that is meant"
        )
    changes: dict[str, Any] = {
        "latency": latency,
        "jitter": jitter,
        "rate_limit": rate_limit,
        "error_rate": error_rate,
        "drop_rate": drop_rate,
        "drop_next": drop_next,
        "late_rate": late_rate,
        "late_commit": late_commit,
        "late_answer": late_answer,
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
        remote=remote,
    ) as app:
        if remote:
            click.echo(_remote_warning(host), err=True)
        if expire_auth:
            app.faults.expire_auth()
        if seed_file is not None:
            counts = _seed_file(app, seed_file)
            click.echo(f"Seeded from {seed_file}: {_describe_counts(counts)}")
        base_url = f"http://{_url_host(host)}:{port}"
        dns_server = DnsServer(app.dns_records, host=host, port=port).start()
        click.echo(
            f"mailform sandbox: LuxSci API v2 at {base_url}/perl/api/v2, "
            f"LianaMailer at {base_url}/api/v1\n"
            f"  state:    {state}\n"
            f"  faults:   {_describe_faults(faults)}\n"
            f"  control:  {base_url}/_sandbox/health, /faults, /reset, /state, /seed, /clock "
            f"(all but /health with Authorization: Bearer ${TOKEN_VARIABLE})\n"
            "Point mailform at it with (MAILFORM_DNS answers with the records the seeds publish):\n"
            + _exports(app, base_url, dns_server.address)
        )
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level=log_level,
            http="h11",
            lifespan="off",
            # the services' answers carry the sandbox clock's Date (mailform.sandbox.deviations);
            # uvicorn's own would make it two
            date_header=False,
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
    POST the file to its /_sandbox/seed instead, with the control token).
    """
    state = state or embedded_state()
    with _open_sandbox(state) as app:
        counts = _seed_file(app, file)
        click.echo(f"Seeded {state} from {file}: {_describe_counts(counts)}", err=True)
        # MAILFORM_DNS as the DNS server's own address prints it (what `serve` prints).
        click.echo(_exports(app, f"http://{_url_host(host)}:{port}", f"{_url_host(host)}:{port}"))


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
    help="Print the secrets kept in the state as they are (API secrets, password hashes, "
    "the control token); "
    f"without it they are printed as {state_dump.MASK}.",
)
def dump(state: Path | None, output_format: str, show_secrets: bool) -> None:
    """Print the sandbox's state (every account as the sandbox keeps it) as YAML or JSON, for
    reading. Secrets (the integrations' and LianaMailer's API secrets, the users' password
    hashes, the control token) are masked unless --show-secrets is given.

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


def _url_host(host: str) -> str:
    """``host`` as a URL spells it (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _exports(app: SandboxApp, base_url: str, dns: str) -> str:
    """The environment pointing mailform at the sandbox, as ``export`` lines a shell can
    ``eval`` (values quoted for the shell): every value is the sandbox's own."""
    variables = {**sandbox_environment(app, base_url, dns), TOKEN_VARIABLE: app.control_token}
    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in variables.items())
