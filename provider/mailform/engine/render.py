"""Renderings of a plan: text for terminals, markdown for pull-request comments, JSON for
tools. Secrets never appear: write-only fields render as ``(sensitive)``.

The JSON document is ``Plan.data()``; its schema is documented in ``docs/plan-json.md``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import groupby
from typing import Any

from rich.text import Text

from mailform.engine.plan import SENSITIVE, Action, Change, FieldChange, Plan

#: GitHub refuses comments over 65,536 characters; keep a margin for the wrapper text.
MARKDOWN_LIMIT = 65_000

_SYMBOLS = {
    Action.CREATE: ("+", "green"),
    Action.UPDATE: ("~", "yellow"),
    Action.REPLACE: ("±", "magenta"),
    Action.DELETE: ("-", "red"),
}


def summary_line(plan: Plan) -> str:
    """``2 to create, 1 to update, 0 to replace, 1 to delete``."""
    counts = plan.counts()
    return ", ".join(f"{counts[str(action)]} to {action}" for action in Action)


def render_text(plan: Plan, *, title: str = "Plan") -> Text:
    """A readable plan, grouped by object type; styled when shown on a terminal."""
    text = Text()
    if not plan.changes:
        text.append(f"{title}: no changes.\n", style="bold")
    for type_label, changes in _by_type(plan.changes):
        text.append(f"{type_label}\n", style="bold")
        for change in changes:
            symbol, colour = _SYMBOLS[change.action]
            text.append(f"  {symbol} {change.action:<8}", style=colour)
            text.append(f" {'/'.join(change.id.key)}")
            if change.reason:
                text.append(f"  ({change.reason})", style="dim")
            if change.destroys:
                text.append(f"  DESTROYS {change.destroys}", style="bold red")
            text.append("\n")
            for field_change in change.fields:
                text.append(f"      {field_change.name}: {describe(field_change, change)}\n")
    if plan.destructive:
        text.append("Destructive (each kind needs an explicit opt-in):\n", style="bold red")
        for change in plan.destructive:
            text.append(
                f"  ! {change.action} {change.id}: destroys {change.destroys}\n", style="red"
            )
    if plan.problems:
        text.append("Problems (the plan cannot be applied):\n", style="bold red")
        for problem in plan.problems:
            text.append(f"  ! {problem}\n", style="red")
    if plan.unmanaged:
        text.append(
            f"Unmanaged: {len(plan.unmanaged)} live object(s) the file does not declare "
            "(left alone):\n",
            style="bold",
        )
        for type_label, objects in groupby(
            plan.unmanaged, key=lambda obj: f"{obj.id.service}.{obj.id.type_name}"
        ):
            keys = ", ".join("/".join(obj.id.key) for obj in objects)
            text.append(f"  {type_label}: {keys}\n", style="dim")
    if plan.changes:
        text.append(f"{title}: {summary_line(plan)}.\n", style="bold")
        text.append(f"Checksum: {plan.checksum()}\n", style="dim")
    return text


def render_markdown(plan: Plan, *, title: str = "mailform plan", full_plan_hint: str = "") -> str:
    """A pull-request comment: the summary first, then one collapsible section per object
    type; cut to fit a comment, with ``full_plan_hint`` saying where the rest is."""
    counts = plan.counts()
    head = [
        f"### {title}",
        "",
        "| create | update | replace | delete | unmanaged | problems |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {counts['create']} | {counts['update']} | {counts['replace']} | {counts['delete']} "
        f"| {len(plan.unmanaged)} | {len(plan.problems)} |",
        "",
    ]
    if not plan.changes:
        head.append("No changes.")
    body: list[str] = []
    if plan.destructive:
        body += ["**Destructive changes (each kind needs an explicit opt-in):**", ""]
        body += [
            f"- :warning: {change.action} `{change.id}`: destroys {_escape(str(change.destroys))}"
            for change in plan.destructive
        ]
        body.append("")
    if plan.problems:
        body += ["**Problems (the plan cannot be applied):**", ""]
        body += [f"- `{problem.id}`: {_escape(str(problem.message))}" for problem in plan.problems]
        body.append("")
    for type_label, changes in _by_type(plan.changes):
        body += [f"<details><summary><code>{type_label}</code>: {len(changes)}</summary>", ""]
        body += ["| | object | fields |", "|---|---|---|"]
        for change in changes:
            symbol, _ = _SYMBOLS[change.action]
            fields = "<br>".join(
                f"`{fc.name}`: {_escape(describe(fc, change))}" for fc in change.fields
            )
            if change.reason:
                fields = f"*{_escape(change.reason)}*<br>{fields}"
            if change.destroys:
                fields = f"**destroys {_escape(change.destroys)}**<br>{fields}"
            body.append(f"| {symbol} {change.action} | `{'/'.join(change.id.key)}` | {fields} |")
        body += ["", "</details>", ""]
    if plan.unmanaged:
        body.append(f"{len(plan.unmanaged)} live object(s) not declared in the file (left alone).")
    if plan.changes:
        body.append(f"\nChecksum: `{plan.checksum()}`")
    document = "\n".join(head + body) + "\n"
    if len(document) <= MARKDOWN_LIMIT:
        return document
    note = f"\n\n*The plan is too long for a comment and was cut. {full_plan_hint}*\n"
    return document[: MARKDOWN_LIMIT - len(note)].rsplit("\n", 1)[0] + note


def render_json(plan: Plan) -> str:
    """The plan as a stable JSON document (keys sorted, two-space indent)."""
    return json.dumps(plan.data(), indent=2, sort_keys=True) + "\n"


def describe(field_change: FieldChange, change: Change) -> str:
    """``before → after`` for an update; the value for a create; masked when sensitive."""
    if field_change.sensitive:
        return SENSITIVE
    after = _value(field_change.after)
    if change.action == Action.CREATE:
        return after
    return f"{_value(field_change.before)} → {after}"


def _value(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json")
    if isinstance(value, str):
        return value if len(value) <= 60 else value[:57] + "..."
    return json.dumps(value, sort_keys=True, default=str)


def _by_type(changes: Iterable[Change]) -> list[tuple[str, list[Change]]]:
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(f"{change.id.service}.{change.id.type_name}", []).append(change)
    return list(groups.items())


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
