"""The ``mailform`` command: a thin layer over ``mailform.engine``.

Exit codes (the README's "The CLI"): 0 success with nothing to change; 2 success with
changes pending or drift found (plan, drift); 1 an error (invalid input, an API failure, a
refused safety check, a failed change).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.markup import escape

from mailform import extras
from mailform.cli.connect import (
    INSECURE_HTTP_VARIABLE,
    account_identities,
    open_chosen_services,
    open_manager,
)
from mailform.cli.output import ReaderMayLeave, err, out, setup_logging
from mailform.cli.progress import FEEDBACK
from mailform.cli.text import render_text
from mailform.engine.apply import ApplyReport, Outcome
from mailform.engine.manager import Manager
from mailform.engine.objecttype import LiveObject, ObjectId
from mailform.engine.outline import duplicate_text
from mailform.engine.plan import DestructivePlan, Plan, TooManyChanges, UnsafePlan
from mailform.engine.planfile import NotAPlanFile, SavedPlan
from mailform.engine.render import render_json, render_markdown, summary_line
from mailform.engine.schema import stack_file_schema
from mailform.engine.selection import Selector, SelectorError
from mailform.engine.stack import Stack, load_stack
from mailform.errors import MailformError, WriteOnlyNotApplied
from mailform.services import SERVICES, catalog
from mailform.stackfile import StackFileError
from mailform.stackfile.reading import UnreadableFile, read_regular_file
from mailform.stackfile.secrets import MissingSecretError
from mailform.stackfile.yamlout import dump_yaml

#: The kinds of object whose deletion or replacement destroys data (``--allow-destructive``).
DESTRUCTIVE_KINDS = tuple(
    f"{service.name}.{object_type.name}"
    for service in SERVICES.values()
    for object_type in service.object_types
    if object_type.destroys
)

#: A click command function, kept as it is by the option decorators.
F = TypeVar("F", bound=Callable[..., Any])

#: The file name ``export`` points editors at, beside the stack file.
SCHEMA_FILE = "mailform.schema.json"
#: The comment that tells the YAML language server (VS Code, JetBrains…) the schema.
SCHEMA_LINE = "# yaml-language-server: $schema="

#: The garbage collector's thresholds for a CLI run. A plan builds many small objects that
#: live to the end of the run, and Python's default (a collection every 700 allocations)
#: scans that growing heap over and over: half the CPU of loading a 20,000-object file, and
#: the reason the time grew faster than the file. A run is short: collect less often.
GC_THRESHOLDS = (50_000, 20, 100)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
#: An apply stopped by Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130

sandbox_option = click.option(
    "--sandbox",
    is_flag=True,
    envvar="MAILFORM_SANDBOX",
    help="Run against the embedded local sandbox (state under .mailform/) instead of the "
    "live services.",
)


rate_limit_option = click.option(
    "--rate-limit",
    type=click.FloatRange(min=0),
    envvar="MAILFORM_RATE_LIMIT",
    help="Requests each client sends in any minute at most (default: the service's documented "
    "limit, 60 a minute for LuxSci shared servers, 4 a second for LianaMailer; 0 for none).",
)


def services_option(verb: str) -> Callable[[F], F]:
    """``--service``, repeatable, for a verb that reads whole accounts (``export``,
    ``doctor``): which services to ``verb``."""
    return click.option(
        "--service",
        "services",
        multiple=True,
        type=click.Choice(sorted(SERVICES)),
        help=f"Services to {verb} (default: every service whose credentials are set). Repeatable.",
    )


def owners_option(help_text: str) -> Callable[[F], F]:
    """``--owner LOGIN``, repeatable: whose user-scope objects a verb reads."""
    return click.option("--owner", "owners", multiple=True, metavar="LOGIN", help=help_text)


insecure_http_option = click.option(
    "--insecure-http",
    is_flag=True,
    envvar=INSECURE_HTTP_VARIABLE,
    help="Allow plain http:// API URLs (LUXSCI_API_HOST, LIANAMAILER_API_URL) to hosts other "
    "than this machine. The API token, request signatures, users' passwords and the "
    "account's data then travel in clear: for a test server on a trusted network only.",
)

dns_option = click.option(
    "--dns",
    metavar="HOST[:PORT]",
    help="The DNS server a plan asks about records it depends on, such as a bounce "
    "domain's CNAME (default: MAILFORM_DNS, else the system's; --sandbox: the sandbox's).",
)


@contextmanager
def failures_exit() -> Iterator[None]:
    """Turn every expected failure into a message on stderr and exit code 1."""
    try:
        yield
    except StackFileError as error:
        err.print(f"[red]{len(error.problems)} problem(s) in the stack file:[/red]")
        for problem in error.problems:
            err.print(f"  {problem}", markup=False)
        sys.exit(EXIT_ERROR)
    except (MailformError, MissingSecretError, OSError) as error:
        err.print(f"[red]error:[/red] {escape(str(error))}")
        sys.exit(EXIT_ERROR)


class MailformGroup(click.Group):
    """The command group, with one change to click's conventions: a usage error (an unknown
    command or flag, a missing argument) exits 1, not click's 2, because 2 means "changes
    pending" or "drift found" to every CI job that runs mailform."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        # click's signature, spelt out: this override runs click in its non-standalone mode
        # and does the standalone part (messages, exit codes) itself.
        extra["windows_expand_args"] = windows_expand_args
        if standalone_mode is False:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.UsageError as error:
            error.show()
            sys.exit(EXIT_ERROR)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            # Ctrl-C outside an apply's changes (reading the account, at the prompt).
            err.print("Interrupted: nothing was applied.")
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(code if isinstance(code, int) else EXIT_OK)


@click.group(cls=MailformGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More logging (-v, -vv); never secrets.")
@click.option(
    "-q", "--quiet", is_flag=True, help="No progress or notes on stderr; warnings and errors only."
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False),
    help="Write a debug log with a trace of every request (method, path, status, time; "
    "never a body or a secret).",
)
@click.version_option(package_name="mailform")
def cli(verbose: int, quiet: bool, log_file: str | None) -> None:
    """Email-service accounts (LuxSci, LianaMailer) as code: validate, plan, apply, drift,
    export."""
    gc.set_threshold(*GC_THRESHOLDS)
    setup_logging(verbose, log_file)
    FEEDBACK.quiet = quiet


def main() -> NoReturn:
    """The ``mailform`` command (the console script): the CLI, then an exit that skips the
    interpreter's teardown.

    By the time a command returns it has finished its work: the auth session is revoked,
    an embedded sandbox's state is closed, the plan is written. What is left is freeing
    every object the run made, one by one, and a last full collection: a sixth of the CPU
    of a plan of 5,000 objects, for nothing the user sees. So the output streams and the
    log files are flushed, and the process ends there (``os._exit``). A reader that stops
    reading the output (``mailform plan | head``, or one that reads stderr too) does not
    change the exit status (``output.ReaderMayLeave``). ``cli`` itself exits
    as any click command does, for callers in the same process (the tests, a program that
    calls it)."""
    sys.stdout, sys.stderr = ReaderMayLeave(sys.stdout), ReaderMayLeave(sys.stderr)
    try:
        cli.main(prog_name="mailform")
    except SystemExit as stop:
        code = _exit_status(stop.code)
    else:  # pragma: no cover - the group always ends with SystemExit
        code = EXIT_OK
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe (`mailform plan | head`)
            stream.flush()
    os._exit(code)


def _exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` would end the process with (a message is printed)."""
    if code is None:
        return EXIT_OK
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return EXIT_ERROR


class SandboxGroup(click.Group):
    """``mailform sandbox``, whose commands (and the web server under them) are imported
    only when a sandbox command runs: every other command starts without them."""

    def _real(self) -> click.Group:
        if not extras.installed("sandbox"):
            err.print(f"[red]error:[/red] {escape(extras.hint('sandbox', 'mailform sandbox'))}")
            sys.exit(EXIT_ERROR)
        from mailform.cli.sandbox_commands import sandbox

        return sandbox

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._real().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._real().get_command(ctx, cmd_name)


@cli.group(cls=SandboxGroup)
def sandbox() -> None:
    """Run and seed the local sandbox of the LuxSci and LianaMailer APIs."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> None:
    """Check stack files (schema and cross-references) without any network access."""
    failed = False
    for file in files:
        try:
            stack = load_stack(file, catalog())
        except StackFileError as error:
            failed = True
            err.print(f"[red]{escape(file)}: {len(error.problems)} problem(s)[/red]")
            for problem in error.problems:
                err.print(f"  {problem}", markup=False)
        except OSError as error:
            failed = True
            err.print(f"[red]{escape(file)}: {escape(str(error))}[/red]")
        else:
            out.print(f"{escape(file)}: valid ({len(stack.objects)} objects)")
    sys.exit(EXIT_ERROR if failed else EXIT_OK)


def format_option(help_text: str) -> Callable[[F], F]:
    """``--format text|markdown|json`` (default text), as the verb uses each format."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "markdown", "json"]),
        default="text",
        show_default=True,
        help=help_text,
    )


#: ``--format`` of the verbs that show a plan.
_format_option = format_option(
    "text for terminals, markdown for pull-request comments, json for tools."
)


def _show(plan: Plan, output_format: str, title: str, *, stack: str | None = None) -> None:
    if output_format == "json":
        out.file.write(render_json(plan))
    elif output_format == "markdown":
        hint = (
            "The full plan is the JSON plan: `mailform plan FILE -o plan.json`, kept as an "
            "artifact of the CI run (the recipe in examples/ci does)."
        )
        out.file.write(
            render_markdown(
                plan, title=f"mailform {title.lower()}", stack=stack, full_plan_hint=hint
            )
        )
    else:
        out.print(render_text(plan, title=title, stack=stack))


def _rotations(stack: Stack, logins: tuple[str, ...]) -> frozenset[ObjectId]:
    wanted = {login.lower() for login in logins}
    found = {
        obj.id for obj in stack.objects if obj.id.type_name == "users" and obj.id.key[0] in wanted
    }
    missing = wanted - {object_id.key[0] for object_id in found}
    if missing:
        raise click.BadParameter(
            f"not declared as users in the file: {', '.join(sorted(missing))}",
            param_hint="--rotate-password",
        )
    return frozenset(found)


def _kinds() -> list[str]:
    return [
        f"{service.name}.{object_type.name}"
        for service in SERVICES.values()
        for object_type in service.object_types
    ]


def _parse_targets(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[Selector, ...]:
    try:
        return tuple(Selector.parse(value, _kinds()) for value in values)
    except SelectorError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from None


#: A plan's checksum as ``Plan.checksum`` writes it: a SHA-256 in hexadecimal.
CHECKSUM = re.compile(r"[0-9a-f]{64}")


def _parse_checksum(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """The reviewed checksum in lower case, or a usage error (exit 1, before anything is
    read): an empty or malformed value would otherwise match nothing, or be taken for no
    checksum at all and skip the check."""
    if value is None:
        return None
    if not CHECKSUM.fullmatch(value.lower()):
        raise click.BadParameter(
            f"{value!r} is not a plan checksum: that is 64 hexadecimal digits, as the plan "
            "prints them after 'Checksum:' (\"checksum\" in --format json)",
            ctx=ctx,
            param=param,
        )
    return value.lower()


target_option = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="TYPE[KEY]",
    callback=_parse_targets,
    help="Limit the plan to these objects and what they need: luxsci.aliases, "
    "luxsci.aliases[sales@example.com], luxsci.aliases[test-*] (repeatable).",
)


rotate_option = click.option(
    "--rotate-password",
    "rotate",
    multiple=True,
    metavar="LOGIN",
    help="Send this user's password again (passwords are write-only, so a rotation is "
    "always asked for explicitly). Repeatable.",
)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@_format_option
@sandbox_option
@rate_limit_option
@insecure_http_option
@dns_option
@rotate_option
@target_option
@click.option(
    "-o",
    "--out",
    "out_file",
    type=click.Path(dir_okay=False),
    metavar="PLANFILE",
    help="Also save the plan (JSON, with the stack file's hash); `mailform apply PLANFILE` "
    "applies exactly it, or refuses when the file or the account moved since.",
)
def plan(
    file: str,
    output_format: str,
    sandbox: bool,
    rotate: tuple[str, ...],
    rate_limit: float | None,
    insecure_http: bool,
    dns: str | None,
    targets: tuple[Selector, ...],
    out_file: str | None,
) -> None:
    """Show the changes that would bring the live account to FILE. Read-only.

    Exits 0 with nothing to change, 2 with changes pending, 1 on error.
    """
    with failures_exit():
        stack = load_stack(file, catalog())
        # After the load, which has said what is wrong with a path that is no regular file.
        stack_bytes = read_regular_file(file)
        with (
            open_manager(
                stack.services(),
                sandbox=sandbox,
                rate_limit=rate_limit,
                dns=dns,
                insecure_http=insecure_http,
            ) as manager,
            FEEDBACK.reading() as reading,
        ):
            the_plan = manager.plan(
                stack, rotate=_rotations(stack, rotate), targets=targets, progress=reading
            )
        _show(the_plan, output_format, "Plan", stack=file)
        if out_file:
            saved = SavedPlan.of(
                the_plan,
                stack_path=file,
                stack_bytes=stack_bytes,
                accounts=account_identities(stack.services(), sandbox=sandbox),
                targets=tuple(str(target) for target in targets),
                rotate=tuple(sorted(login.lower() for login in rotate)),
            )
            Path(out_file).write_text(saved.to_json(), encoding="utf-8")
            err.print(
                f"saved the plan to {escape(out_file)}; apply it with: mailform apply "
                f"{escape(out_file)}"
            )
    if the_plan.problems:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_CHANGES if the_plan.has_changes else EXIT_OK)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@_format_option
@sandbox_option
@rate_limit_option
@insecure_http_option
@dns_option
@target_option
@click.option(
    "--ignore-unmanaged",
    is_flag=True,
    help="Do not count live objects the file does not declare as drift (a duplicate of a "
    "managed object's name still counts).",
)
def drift(
    file: str,
    output_format: str,
    sandbox: bool,
    ignore_unmanaged: bool,
    rate_limit: float | None,
    insecure_http: bool,
    dns: str | None,
    targets: tuple[Selector, ...],
) -> None:
    """Compare the live account with FILE and list live objects FILE does not declare.

    Exits 0 when the account matches, 2 on drift (including duplicates of a managed
    object's name, and unmanaged objects unless --ignore-unmanaged), 1 on error.
    """
    with failures_exit():
        stack = load_stack(file, catalog())
        with (
            open_manager(
                stack.services(),
                sandbox=sandbox,
                rate_limit=rate_limit,
                dns=dns,
                insecure_http=insecure_http,
            ) as manager,
            FEEDBACK.reading() as reading,
        ):
            the_plan = manager.plan(stack, targets=targets, progress=reading)
        _show(the_plan, output_format, "Drift", stack=file)
    if the_plan.problems:
        sys.exit(EXIT_ERROR)
    found = []
    if the_plan.has_changes:
        found.append("the live account differs from the file")
    if the_plan.duplicates:
        found.append(
            f"the live account holds {len(the_plan.duplicates)} duplicate(s) of a managed "
            "object's name"
        )
    if the_plan.undeclared and not ignore_unmanaged:
        found.append("the live account has objects the file does not declare")
    if found and output_format == "text":
        err.print(f"[yellow]Drift found: {'; '.join(found)}.[/yellow]")
    sys.exit(EXIT_CHANGES if found else EXIT_OK)


@cli.command()
@click.argument("file", metavar="FILE|PLANFILE", type=click.Path(dir_okay=False))
@sandbox_option
@rate_limit_option
@insecure_http_option
@dns_option
@rotate_option
@target_option
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (for CI).")
@click.option("--force", is_flag=True, help="Apply plans over the change threshold (30 %).")
@click.option(
    "--allow-destructive",
    "allowed",
    multiple=True,
    type=click.Choice(DESTRUCTIVE_KINDS),
    help="Allow changes that destroy data of this kind (repeatable): a user's mail, a "
    "list's members, a property's values.",
)
@click.option(
    "--allow-delete-users", is_flag=True, help="Same as --allow-destructive luxsci.users."
)
@click.option(
    "--checksum",
    callback=_parse_checksum,
    metavar="SHA256",
    help="Apply only if the fresh plan has this checksum (as reviewed): the 64 hex digits "
    "the plan prints after 'Checksum:'.",
)
@click.option("--workers", default=4, show_default=True, help="Changes applied at once.")
def apply(
    file: str,
    sandbox: bool,
    rotate: tuple[str, ...],
    targets: tuple[Selector, ...],
    yes: bool,
    force: bool,
    allowed: tuple[str, ...],
    allow_delete_users: bool,
    checksum: str | None,
    workers: int,
    rate_limit: float | None,
    insecure_http: bool,
    dns: str | None,
) -> None:
    """Apply the changes that bring the live account to FILE, or apply the plan saved in
    PLANFILE (by `mailform plan FILE -o PLANFILE`) exactly, refusing when the stack file
    or the live objects it changes moved since.

    Stops a dependency chain at its first failed change and goes on with independent ones,
    then reports what was done, what failed and what was skipped. A service that stops
    answering stops its changes early (they are reported as not started). Ctrl-C stops
    starting changes and lets the running ones finish (a second Ctrl-C abandons them). Exits
    0 when everything was applied (or nothing was needed), 1 otherwise (130 when
    interrupted).
    """
    with failures_exit():
        saved = _saved_plan(Path(file))
        if saved is not None:
            if targets or rotate:
                raise click.UsageError(
                    "a saved plan applies the targets and rotations it was planned with; "
                    "give --target and --rotate-password to `mailform plan -o`"
                )
            stack_path = _stack_file_of(saved, Path(file))
            saved.check_stack(read_regular_file(stack_path))
            stack = load_stack(stack_path, catalog())
            targets = tuple(Selector.parse(text, _kinds()) for text in saved.targets)
            rotate = saved.rotate
        else:
            stack = load_stack(file, catalog())
        with open_manager(
            stack.services(),
            sandbox=sandbox,
            rate_limit=rate_limit,
            dns=dns,
            insecure_http=insecure_http,
        ) as manager:
            with FEEDBACK.reading() as reading:
                the_plan = manager.plan(
                    stack, rotate=_rotations(stack, rotate), targets=targets, progress=reading
                )
            if saved is not None:
                identities = account_identities(stack.services(), sandbox=sandbox)
                saved.check_fresh(the_plan, identities)
            out.print(render_text(the_plan, stack=str(stack.file)))
            if not the_plan.has_changes:
                sys.exit(EXIT_ERROR if the_plan.problems else EXIT_OK)
            if checksum is not None and checksum != the_plan.checksum():
                raise UnsafePlan(
                    "the plan changed since it was reviewed (checksum mismatch): "
                    f"expected {checksum}, got {the_plan.checksum()}; plan again and review"
                )
            allow = {*allowed, *(["luxsci.users"] if allow_delete_users else [])}
            try:
                the_plan.check_safety(force=force, allow_destructive=frozenset(allow))
            except DestructivePlan as refused:
                flags = " ".join(f"--allow-destructive {kind}" for kind in refused.kinds)
                raise UnsafePlan(f"{refused}: pass {flags} to apply it") from None
            except TooManyChanges as refused:
                raise UnsafePlan(f"{refused}: pass --force to apply it") from None
            _confirm(the_plan, yes)
            report = _apply_with_progress(manager, the_plan, workers)
        _show_report(report)
    if report.interrupted:
        _exit_now(EXIT_INTERRUPTED)
    sys.exit(EXIT_OK if report.succeeded else EXIT_ERROR)


def _saved_plan(path: Path) -> SavedPlan | None:
    """The saved plan in ``path``, or None when it is a stack file (or no readable file:
    loading it as a stack file then says what is wrong with it, at ``file:1:1``)."""
    if path.suffix.lower() in (".yaml", ".yml"):
        return None
    try:
        return SavedPlan.load(path)
    except (NotAPlanFile, UnreadableFile):
        return None
    except ValueError as error:
        raise UnsafePlan(str(error)) from None


def _stack_file_of(saved: SavedPlan, plan_file: Path) -> Path:
    """The stack file a saved plan was made from: its path as given to `plan` (relative
    to the working directory), else next to the plan file."""
    given = Path(saved.stack_path)
    if given.exists() or given.is_absolute():
        return given
    beside = plan_file.parent / given
    return beside if beside.exists() else given


def _confirm(the_plan: Plan, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise UnsafePlan("not on a terminal: pass --yes to apply without confirmation")
    if not click.confirm(f"Apply {summary_line(the_plan)}?", default=False, err=True):
        err.print("Nothing applied.")
        sys.exit(EXIT_ERROR)


@contextmanager
def _interruptible() -> Iterator[threading.Event]:
    """A stop event that the first Ctrl-C sets (running changes finish, no new one
    starts); the second Ctrl-C raises ``KeyboardInterrupt``, which abandons them."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def first(signum: int, frame: object) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        err.print(
            "[yellow]Stopping: no new change starts; the running ones finish "
            "(Ctrl-C again to abandon them).[/yellow]"
        )

    previous = signal.signal(signal.SIGINT, first)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _apply_with_progress(manager: Manager, the_plan: Plan, workers: int) -> ApplyReport:
    with _interruptible() as stop, FEEDBACK.applying(len(the_plan.changes)) as progress:
        return manager.apply(the_plan, workers=workers, progress=progress, stop=stop)


def _exit_now(code: int) -> None:
    """Exit without waiting for abandoned calls still running in worker threads."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _show_report(report: ApplyReport) -> None:
    styles = {
        Outcome.FAILED: "red",
        Outcome.SKIPPED: "yellow",
        Outcome.ABANDONED: "red",
        Outcome.NOT_STARTED: "yellow",
    }
    for outcome, style in styles.items():
        for result in report.of(outcome):
            what = escape(f"{result.change.action} {result.change.id}: {result.detail}")
            err.print(f"[{style}]{outcome}[/{style}] {what}")
            if isinstance(result.error, WriteOnlyNotApplied):
                login = "/".join(result.change.id.key)
                err.print(
                    f"  the next plan cannot show it: run apply again with "
                    f"--rotate-password {escape(login)}"
                )
    counts = ", ".join(
        f"{len(report.of(outcome))} {outcome}"
        for outcome in Outcome
        if outcome in (Outcome.DONE, Outcome.FAILED, Outcome.SKIPPED) or report.of(outcome)
    )
    out.print(f"Applied: {counts}.")
    for why in report.unavailable.values():
        out.print(f"Stopped early: {escape(why)}; its other changes were not attempted.")
    if report.interrupted:
        out.print(
            "Interrupted. Run apply again: it plans from the live account, so it picks up "
            "where this run stopped (and shows what an abandoned change did)."
        )
    elif report.unavailable:
        out.print(
            "Run apply again once the service answers: it plans from the live account, so it "
            "picks up where this run stopped."
        )
    elif not report.succeeded:
        out.print(
            "Fix the failures and run apply again: it plans from the live account, so it "
            "picks up where this run stopped."
        )


@cli.command()
@services_option("export")
@owners_option(
    "Export user-scope objects (templates, lists…) of these users only (default: every "
    "user of the account). Repeatable."
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file.")
@click.option(
    "--schema",
    "schema_ref",
    default=SCHEMA_FILE,
    show_default=True,
    metavar="PATH|URL",
    help="The schema the first line names for editors (yaml-language-server; a path is "
    "relative to the stack file; `mailform schema --write` writes it); '' for no line.",
)
@sandbox_option
@rate_limit_option
@insecure_http_option
def export(
    services: tuple[str, ...],
    owners: tuple[str, ...],
    output: str | None,
    schema_ref: str,
    sandbox: bool,
    rate_limit: float | None,
    insecure_http: bool,
) -> None:
    """Write the live account as a stack file; planning it right away shows no changes."""
    with failures_exit():
        document: dict[str, object] = {}
        with open_chosen_services(
            services,
            verb="exported",
            sandbox=sandbox,
            rate_limit=rate_limit,
            insecure_http=insecure_http,
        ) as manager:
            left_out: list[LiveObject] = []
            for name in manager.sessions:
                chosen = frozenset(o.lower() for o in owners) or manager.all_owners(name)
                section = manager.export(name, chosen, left_out)
                if section:
                    document[name] = section
        for obj in left_out:
            if obj.duplicate is not None:
                err.print(
                    f"not exported, {DUPLICATE_LEFT_OUT}: {duplicate_text(obj)}", markup=False
                )
            else:
                err.print(f"not exported, no stack file can declare it: {obj.id}", markup=False)
        text = _duplicates_comment(left_out) + dump_yaml(document)
        if schema_ref:
            text = f"{SCHEMA_LINE}{schema_ref}\n{text}"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            FEEDBACK.note(f"wrote {output}")
        else:
            out.file.write(text)


@cli.command()
@services_option("examine")
@owners_option(
    "Read the Secure Marketing objects of these users (default: the account's first 3 "
    "users by login). Repeatable."
)
@format_option("text: a table for terminals; markdown for an issue report; json for tools.")
@click.option(
    "--show-values",
    is_flag=True,
    help="Also print the answer values behind each finding (secret-looking ones masked).",
)
@sandbox_option
@rate_limit_option
@insecure_http_option
def doctor(
    services: tuple[str, ...],
    owners: tuple[str, ...],
    output_format: str,
    show_values: bool,
    sandbox: bool,
    rate_limit: float | None,
    insecure_http: bool,
) -> None:
    """Check every API assumption (docs/api-assumptions.md) against the account, reading
    only: each is confirmed, contradicted (with what was seen), not checkable read-only (with
    how to check it by hand), or not seen on this account.

    Exits 0 when nothing is contradicted, 2 when something is, 1 on error.
    """
    with failures_exit():
        from mailform.cli.doctor import examine, show

        report = examine(
            services,
            frozenset(login.lower() for login in owners),
            sandbox=sandbox,
            rate_limit=rate_limit,
            insecure_http=insecure_http,
        )
        show(report, output_format, show_values=show_values)
    for error in report.errors:
        err.print(f"[red]error: stopped early:[/red] {escape(error)}")
    sys.exit(report.exit_code)


#: Why ``export`` leaves a duplicate out.
DUPLICATE_LEFT_OUT = "a duplicate of a managed object's name, which no stack file can declare"


def _duplicates_comment(left_out: Sequence[LiveObject]) -> str:
    """Comment lines naming the duplicates an export left out, so that the file says so
    too (stderr scrolls away); names are written with their line breaks and other
    unprintable characters escaped, so that a name cannot end the comment."""
    duplicates = [obj for obj in left_out if obj.duplicate is not None]
    if not duplicates:
        return ""
    lines = [f"# Not exported, {len(duplicates)} {DUPLICATE_LEFT_OUT}:"]
    lines += [f"#   {_printable(duplicate_text(obj))}" for obj in duplicates]
    return "\n".join(lines) + "\n"


def _printable(text: str) -> str:
    """``text`` with each unprintable character (line breaks included) as its escape."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


@cli.command()
@click.option(
    "--write",
    "path",
    type=click.Path(dir_okay=False),
    help="Write it to this file (stacks/mailform.schema.json, beside the stack files that "
    "name it) instead of printing it.",
)
def schema(path: str | None) -> None:
    """Print the JSON Schema of stack files, for editor completion and inline errors.

    A stack file names it in its first line, as `mailform export` writes it:
    `# yaml-language-server: $schema=mailform.schema.json`.
    """
    text = json.dumps(stack_file_schema(SERVICES), indent=2) + "\n"
    if path is None:
        out.file.write(text)
        return
    with failures_exit():
        Path(path).write_text(text, encoding="utf-8")
    FEEDBACK.note(f"wrote {path}")
