"""Renderings of a plan: text for terminals, markdown for pull-request comments, JSON for
tools. Secrets never appear: write-only fields render as ``(sensitive)``.

Every rendering shows the same differences (``mailform.engine.differences``: unified diffs
of long text, path-wise differences of nested values) and the same grouping
(``mailform.engine.outline``); this module styles them for a terminal, and is the one
entry point for the others. The markdown comment is built by ``mailform.engine.comment``;
the JSON document is ``Plan.data()``, its schema documented in ``docs/plan-json.md``.
"""

from __future__ import annotations

import json

from rich.text import Text

from mailform.engine.comment import MARKDOWN_LIMIT, comment
from mailform.engine.differences import Difference, Kind, Sign, difference
from mailform.engine.outline import (
    SYMBOLS,
    by_type,
    key_text,
    no_changes,
    summary_line,
    unmanaged_by_type,
)
from mailform.engine.plan import Change, FieldChange, Plan

__all__ = [
    "MARKDOWN_LIMIT",
    "describe",
    "render_json",
    "render_markdown",
    "render_text",
    "summary_line",
]

#: How each kind of detail line is styled on a terminal.
_LINE_STYLES = {
    Sign.ADDED: "green",
    Sign.REMOVED: "red",
    Sign.CHANGED: "yellow",
    Sign.HUNK: "cyan",
    Sign.CONTEXT: "",
    Sign.NOTE: "dim",
}
_FIELD_INDENT = " " * 6
_LINE_INDENT = " " * 8


def render_text(plan: Plan, *, title: str = "Plan", stack: str | None = None) -> Text:
    """A readable plan, grouped by object type, with every field's full difference;
    styled when shown on a terminal. ``stack`` names the stack file in the summary."""
    text = Text()
    if not plan.changes:
        _append_stack(text, stack)
        text.append(f"{title}: {no_changes(plan)}\n", style="bold")
    for type_label, changes in by_type(plan.changes):
        text.append(f"{type_label}\n", style="bold")
        for change in changes:
            _append_change(text, change)
    _append_destructive(text, plan)
    _append_problems(text, plan)
    _append_unmanaged(text, plan)
    if plan.changes:
        _append_stack(text, stack)
        text.append(f"{title}: {summary_line(plan)}.\n", style="bold")
        text.append(f"Checksum: {plan.checksum()}\n", style="dim")
    return text


def render_markdown(
    plan: Plan,
    *,
    title: str = "mailform plan",
    full_plan_hint: str = "",
    stack: str | None = None,
) -> str:
    """A pull-request comment: the summary first (counts, destructive changes, problems,
    unmanaged objects), a dependency graph, one collapsible section per object type, the
    checksum last; cut to fit a comment, with ``full_plan_hint`` saying where the rest is."""
    return comment(plan, title=title, full_plan_hint=full_plan_hint, stack=stack)


def render_json(plan: Plan) -> str:
    """The plan as a stable JSON document (keys sorted, two-space indent)."""
    return json.dumps(plan.data(), indent=2, sort_keys=True) + "\n"


def describe(field_change: FieldChange, change: Change) -> str:
    """A field change on one line: ``before → after`` for a short value, the value for a
    create, a count of what changed for long text and nested values; masked when
    sensitive."""
    return difference(field_change, change).summary


# -- the text rendering's parts -------------------------------------------------------------


def _append_change(text: Text, change: Change) -> None:
    symbol, colour = SYMBOLS[change.action]
    text.append(f"  {symbol} {change.action:<8}", style=colour)
    text.append(f" {key_text(change)}")
    if change.reason:
        text.append(f"  ({change.reason})", style="dim")
    if change.destroys:
        text.append(f"  DESTROYS {change.destroys}", style="bold red")
    text.append("\n")
    for field_change in change.fields:
        _append_difference(text, difference(field_change, change))


def _append_difference(text: Text, diff: Difference) -> None:
    """A scalar on the field's line; path-wise lines each on its own line; a text diff's
    lines indented under the field's line."""
    if diff.kind == Kind.PATHS:
        for line in diff.lines:
            text.append(f"{_FIELD_INDENT}{line.plain()}\n", style=_LINE_STYLES[line.sign])
        return
    text.append(f"{_FIELD_INDENT}{diff.name}: {diff.summary}\n")
    for line in diff.lines:
        text.append(f"{_LINE_INDENT}{line.unified()}\n", style=_LINE_STYLES[line.sign])


def _append_stack(text: Text, stack: str | None) -> None:
    if stack:
        text.append(f"Stack: {stack}\n", style="bold")


def _append_destructive(text: Text, plan: Plan) -> None:
    if not plan.destructive:
        return
    text.append("Destructive (each kind needs an explicit opt-in):\n", style="bold red")
    for change in plan.destructive:
        text.append(f"  ! {change.action} {change.id}: destroys {change.destroys}\n", style="red")


def _append_problems(text: Text, plan: Plan) -> None:
    if not plan.problems:
        return
    text.append("Problems (the plan cannot be applied):\n", style="bold red")
    for problem in plan.problems:
        text.append(f"  ! {problem}\n", style="red")


def _append_unmanaged(text: Text, plan: Plan) -> None:
    if not plan.unmanaged:
        return
    text.append(
        f"Unmanaged: {len(plan.unmanaged)} live object(s) the file does not declare "
        "(left alone):\n",
        style="bold",
    )
    for type_label, keys in unmanaged_by_type(plan.unmanaged):
        text.append(f"  {type_label}: {', '.join(keys)}\n", style="dim")
