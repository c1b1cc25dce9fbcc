"""A doctor's report as JSON (for tools) and as markdown (for an issue report).

Neither shows an answer value unless asked (``show_values``), and then with anything
secret-looking masked (``mailform.assumptions.base.shown``); no rendering ever holds a
credential, since no finding is made of one. The terminal's table is the CLI's
(``mailform.cli.doctor``).
"""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from mailform.assumptions.base import Status
from mailform.doctor import Report, Result, ServiceReport
from mailform.engine.markdown import fence

#: The JSON report's format, bumped when a key changes meaning.
FORMAT_VERSION = 1

#: The order statuses are listed in: what needs attention first.
ORDER = (Status.CONTRADICTED, Status.NOT_SEEN, Status.CONFIRMED, Status.NOT_CHECKABLE)

TITLES = {"luxsci": "LuxSci", "lianamailer": "LianaMailer"}


def mailform_version() -> str:
    """The installed mailform's version, or ``unknown``."""
    try:
        return version("mailform")
    except PackageNotFoundError:
        return "unknown"


def summary(counts: dict[Status, int]) -> str:
    """``40 confirmed, 0 contradicted, …``."""
    return ", ".join(f"{counts[status]} {status}" for status in Status)


def counts_of(results: list[Result] | tuple[Result, ...]) -> dict[Status, int]:
    """How many results have each status."""
    return {status: sum(1 for r in results if r.status is status) for status in Status}


def values_of(result: Result) -> dict[str, Any]:
    """A result's answer values by label (already masked where secret-looking)."""
    return {label: value for label, value in result.finding.values}


def _result_json(result: Result, show_values: bool) -> dict[str, Any]:
    assumption = result.assumption
    entry: dict[str, Any] = {
        "id": assumption.id,
        "section": assumption.section,
        "topic": assumption.topic,
        "call": assumption.call or None,
        "statement": assumption.statement,
        "evidence": assumption.evidence,
        "status": str(result.status),
        "seen": result.finding.seen if result.status is not Status.NOT_CHECKABLE else None,
        "how_to_check": assumption.manual or None,
    }
    if result.status is Status.NOT_CHECKABLE:
        entry["how_to_check"] = result.finding.seen
    if show_values and result.finding.values:
        entry["values"] = values_of(result)
    return entry


def _service_json(service: ServiceReport, show_values: bool) -> dict[str, Any]:
    return {
        "service": service.service,
        "account": service.account,
        "requests": service.requests,
        "error": service.error,
        "summary": {str(k): v for k, v in counts_of(service.results).items()},
        "assumptions": [_result_json(result, show_values) for result in service.results],
    }


def render_json(report: Report, *, show_values: bool = False) -> str:
    """The report as a JSON document (``docs/api-assumptions.md`` describes it)."""
    document = {
        "mailform_doctor": FORMAT_VERSION,
        "mailform_version": mailform_version(),
        "exit_code": report.exit_code,
        "summary": {str(k): v for k, v in counts_of(report.results).items()},
        "services": [_service_json(service, show_values) for service in report.services],
    }
    return json.dumps(document, indent=2, default=str) + "\n"


def cell(text: str, *, ours: bool = False) -> str:
    """Text for a markdown table cell, kept on one line, the cell's bar escaped. The code
    spans of the registry's own words (``ours``: ```<id>-<unix>```) stay as they are; text
    that may quote a server (what was seen) has its HTML escaped too."""
    if not ours:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _rows(results: list[Result], show_values: bool) -> list[str]:
    lines = ["| id | assumption | evidence | seen |", "|---|---|---|---|"]
    for result in results:
        a = result.assumption
        what = f"{a.call}: {a.statement}" if a.call else f"{a.topic}: {a.statement}"
        lines.append(
            f"| `{a.id}` | {cell(what, ours=True)} | {cell(a.evidence, ours=True)} | "
            f"{cell(result.finding.seen)} |"
        )
    if show_values:
        for result in results:
            if result.finding.values:
                text = json.dumps(values_of(result), indent=2, default=str)
                lines += ["", f"`{result.assumption.id}`:", "", fence(text.splitlines(), "json")]
    return lines


def render_markdown(report: Report, *, show_values: bool = False) -> str:
    """The report as markdown for an issue: what contradicts first, then what this account
    could not show, and the rest folded away."""
    counts = counts_of(report.results)
    lines = [
        "## mailform doctor",
        "",
        f"mailform {mailform_version()}: {summary(counts)}.",
        "",
    ]
    for service in report.services:
        requests = ", ".join(f"{n} {method}" for method, n in sorted(service.requests.items()))
        title = TITLES.get(service.service, service.service)
        counted = summary(counts_of(service.results))
        lines.append(f"- **{title}**: {counted} ({requests or 'no'} requests)")
        if service.error:
            lines.append(f"  - stopped early: {cell(service.error)}")
    for status in ORDER:
        chosen = [r for r in report.results if r.status is status]
        if not chosen:
            continue
        heading = f"{str(status).capitalize()} ({len(chosen)})"
        if status in (Status.CONTRADICTED, Status.NOT_SEEN):
            lines += ["", f"### {heading}", "", *_rows(chosen, show_values)]
        else:
            lines += [
                "",
                f"<details><summary>{heading}</summary>",
                "",
                *_rows(chosen, show_values and status is not Status.NOT_CHECKABLE),
                "",
                "</details>",
            ]
    return "\n".join(lines) + "\n"
