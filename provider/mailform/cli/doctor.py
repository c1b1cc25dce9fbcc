"""``mailform doctor`` for the CLI: run the examination and print the report.

The command's options are ``mailform.cli.main``'s; this module, imported when the command
runs (it brings the clients and httpx), opens the sessions the way every verb does
(``open_chosen_services``: the environment's credentials or the embedded sandbox), lets the doctor
examine each, and prints the report as a table on a terminal, as JSON or as markdown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from mailform.assumptions.base import Status
from mailform.cli.connect import account_identities, open_chosen_services
from mailform.cli.output import out
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

#: Each status's colour in the table.
COLOURS = {
    Status.CONFIRMED: "green",
    Status.CONTRADICTED: "bold red",
    Status.NOT_CHECKABLE: "dim",
    Status.NOT_SEEN: "yellow",
}


def examine(
    services: Sequence[str],
    owners: frozenset[str],
    *,
    sandbox: bool,
    rate_limit: float | None,
    insecure_http: bool,
) -> Report:
    """Examine the named services (none: every service whose credentials are set)."""
    doctor = Doctor()
    with open_chosen_services(
        services,
        verb="examined",
        sandbox=sandbox,
        rate_limit=rate_limit,
        insecure_http=insecure_http,
    ) as manager:
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
            out.print(_table(service.service, service.results))
            if show_values:
                _values(service.results)
        out.print(f"Assumptions: {summary(counts_of(report.results))}.")
        if report.count(Status.CONTRADICTED):
            out.print(
                "Each contradicted assumption is an id of docs/api-assumptions.md: report it "
                "(`mailform doctor --format markdown`) so that mailform can be corrected."
            )


def _table(service: str, results: Sequence[Result]) -> Table:
    """One service's results, what needs attention first: the status above the id, so that
    what was seen keeps most of a narrow terminal's width."""
    table = Table(title=TITLES.get(service, service), title_justify="left", show_lines=True)
    table.add_column("assumption", no_wrap=True)
    table.add_column("seen, or how to check it by hand", overflow="fold")
    for result in sorted(results, key=lambda r: ORDER.index(r.status)):
        heading = Text(str(result.status), style=COLOURS[result.status])
        heading.append(f"\n{result.assumption.id}", style="")
        table.add_row(heading, Text(result.finding.seen))
    return table


def _values(results: Sequence[Result]) -> None:
    """The answer values behind the findings, one line per assumption (``--show-values``)."""
    for result in sorted(results, key=lambda r: ORDER.index(r.status)):
        if result.finding.values:
            shown = json.dumps(values_of(result), default=str, ensure_ascii=False)
            out.print(Text(f"{result.assumption.id}: {shown}"))
