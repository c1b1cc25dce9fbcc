"""``mailform doctor`` for the CLI: run the examination and print the report.

The command's options are ``mailform.cli.main``'s; this module, imported when the command
runs (it brings the clients and httpx), opens the sessions the way every verb does
(``open_manager``: the environment's credentials or the embedded sandbox), lets the doctor
examine each, and prints the report as a table on a terminal, as JSON or as markdown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from mailform.assumptions.base import Status
from mailform.cli.connect import account_identities, open_manager
from mailform.cli.output import err, out
from mailform.doctor import Doctor, Report, Result
from mailform.doctor.render import (
    ORDER,
    TITLES,
    counts_of,
    render_json,
    render_markdown,
    summary,
    values_of,
)
from mailform.services import SERVICES

#: Each status's colour in the table.
COLOURS = {
    Status.CONFIRMED: "green",
    Status.CONTRADICTED: "bold red",
    Status.NOT_CHECKABLE: "dim",
    Status.NOT_SEEN: "yellow",
}

#: How long a value may be in the table (``--show-values``) before it is cut.
VALUE_WIDTH = 300


def examine(
    services: Sequence[str],
    owners: frozenset[str],
    *,
    sandbox: bool,
    rate_limit: float | None,
    insecure_http: bool,
) -> Report:
    """Examine the named services (none: every service whose credentials are set)."""
    names = list(services) or sorted(SERVICES)
    doctor = Doctor()
    with open_manager(
        names,
        sandbox=sandbox,
        rate_limit=rate_limit,
        configured_only=not services,
        insecure_http=insecure_http,
    ) as manager:
        for name in sorted(set(names) - set(manager.sessions)):
            err.print(f"{name}: not examined, its credentials are not set")
        for name, session in manager.sessions.items():
            doctor.examine(name, session, owners)
        examined = list(manager.sessions)
    return doctor.report(account_identities(examined, sandbox=sandbox))


def show(report: Report, output_format: str, *, show_values: bool) -> None:
    """Print the report in the chosen format. The table names each assumption by its id
    (``docs/api-assumptions.md`` states it; JSON and markdown carry the statement too)."""
    if output_format == "json":
        out.file.write(render_json(report, show_values=show_values))
    elif output_format == "markdown":
        out.file.write(render_markdown(report, show_values=show_values))
    else:
        for service in report.services:
            out.print(_table(service.service, service.results, show_values))
            if service.error:
                err.print(Text(f"{service.service}: stopped early: {service.error}", style="red"))
        out.print(f"Assumptions: {summary(counts_of(report.results))}.")
        if report.count(Status.CONTRADICTED):
            out.print(
                "Each contradicted assumption is an id of docs/api-assumptions.md: report it "
                "(`mailform doctor --format markdown`) so that mailform can be corrected."
            )


def _table(service: str, results: Sequence[Result], show_values: bool) -> Table:
    table = Table(title=TITLES.get(service, service), title_justify="left", expand=False)
    table.add_column("status", no_wrap=True)
    table.add_column("assumption", no_wrap=True)
    table.add_column("seen, or how to check by hand", overflow="fold")
    if show_values:
        table.add_column("values", overflow="fold")
    for result in sorted(results, key=lambda r: ORDER.index(r.status)):
        a = result.assumption
        row = [
            Text(str(result.status), style=COLOURS[result.status]),
            Text(a.id),
            Text(result.finding.seen),
        ]
        if show_values:
            shown = json.dumps(values_of(result), default=str) if result.finding.values else ""
            row.append(Text(shown[:VALUE_WIDTH] + ("…" if len(shown) > VALUE_WIDTH else "")))
        table.add_row(*row)
    return table
