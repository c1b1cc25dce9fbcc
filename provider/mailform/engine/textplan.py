"""The plan as text to read in a terminal, described without a terminal.

The core is imported by the Pulumi provider and the Python API as well as the CLI, so it
builds no terminal objects: it says *what* each piece of text is (a create, a removed line,
a problem) as a ``Style``, and the CLI (``mailform.cli.text``) decides what that looks
like. The text itself, every character of it, is decided here, so that a terminal, a log
without colours and a test all read the same plan.

The groups and symbols come from ``mailform.engine.outline`` and the details from
``mailform.engine.differences``, as for the other renderings.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

from mailform.engine.differences import Difference, Kind, Sign, difference
from mailform.engine.outline import (
    DUPLICATES_NOTE,
    by_type,
    duplicate_text,
    key_text,
    no_changes,
    summary_line,
    symbol,
    unmanaged_by_type,
)
from mailform.engine.plan import FINISHES_CREATE, Action, Change, Plan

__all__ = ["Segment", "Style", "plain", "text_plan"]


class Style(StrEnum):
    """What a piece of text is, for a reader to tell apart at a glance."""

    #: Text that needs no emphasis: keys, field names, unchanged context lines.
    PLAIN = "plain"
    #: Headings: an object type, the stack, the summary.
    BOLD = "bold"
    #: Asides: why a change is planned, notes, the checksum, unmanaged keys.
    DIM = "dim"
    #: A create, and what a change adds.
    CREATE = "create"
    #: An update, and a value that changes in place.
    UPDATE = "update"
    #: A replacement (a delete and a create of one object).
    REPLACE = "replace"
    #: A delete, and what a change removes.
    DELETE = "delete"
    #: Where a unified diff's hunk starts (``@@ -1,3 +1,3 @@``).
    HUNK = "hunk"
    #: One destructive change or one problem in the lists that close a plan.
    PROBLEM = "problem"
    #: What must not be missed: the headings of those lists, and a change's ``DESTROYS``.
    ALARM = "alarm"


class Segment(NamedTuple):
    """A run of text in one style; a plan's text is the segments in order, lines ending in
    ``\\n`` inside them."""

    text: str
    style: Style = Style.PLAIN


#: Each action's style.
ACTION_STYLES = {
    Action.CREATE: Style.CREATE,
    Action.UPDATE: Style.UPDATE,
    Action.REPLACE: Style.REPLACE,
    Action.DELETE: Style.DELETE,
}
#: Each kind of detail line's style.
SIGN_STYLES = {
    Sign.ADDED: Style.CREATE,
    Sign.REMOVED: Style.DELETE,
    Sign.CHANGED: Style.UPDATE,
    Sign.HUNK: Style.HUNK,
    Sign.CONTEXT: Style.PLAIN,
    Sign.NOTE: Style.DIM,
}
_FIELD_INDENT = " " * 6
_LINE_INDENT = " " * 8


def plain(segments: Iterable[Segment]) -> str:
    """The text of some segments without their styles, as a log or a pipe shows it."""
    return "".join(segment.text for segment in segments)


def text_plan(plan: Plan, *, title: str = "Plan", stack: str | None = None) -> list[Segment]:
    """A readable plan, grouped by object type, with every field's full difference.
    ``stack`` names the stack file in the summary."""
    segments: list[Segment] = []
    if not plan.changes:
        segments += _stack(stack)
        segments.append(Segment(f"{title}: {no_changes(plan)}\n", Style.BOLD))
    for type_label, changes in by_type(plan.changes):
        segments.append(Segment(f"{type_label}\n", Style.BOLD))
        for change in changes:
            segments += _change(change)
    segments += _destructive(plan)
    segments += _problems(plan)
    segments += _duplicates(plan)
    segments += _unmanaged(plan)
    if plan.changes:
        segments += _stack(stack)
        segments.append(Segment(f"{title}: {summary_line(plan)}.\n", Style.BOLD))
        segments.append(Segment(f"Checksum: {plan.checksum()}\n", Style.DIM))
    return segments


def _change(change: Change) -> list[Segment]:
    segments = [
        Segment(f"  {symbol(change.action)} {change.action:<8}", ACTION_STYLES[change.action]),
        Segment(f" {key_text(change)}"),
    ]
    if change.reason:
        segments.append(Segment(f"  ({change.reason})", Style.DIM))
    if change.finishes_create:
        segments.append(Segment(f"  ({FINISHES_CREATE})", Style.DIM))
    if change.destroys:
        segments.append(Segment(f"  DESTROYS {change.destroys}", Style.ALARM))
    segments.append(Segment("\n"))
    for field_change in change.fields:
        segments += _difference(difference(field_change, change))
    return segments


def _difference(diff: Difference) -> list[Segment]:
    """A scalar on the field's line; path-wise lines each on its own line; a text diff's
    lines indented under the field's line."""
    if diff.kind == Kind.PATHS:
        return [
            Segment(f"{_FIELD_INDENT}{line.plain()}\n", SIGN_STYLES[line.sign])
            for line in diff.lines
        ]
    return [
        Segment(f"{_FIELD_INDENT}{diff.name}: {diff.summary}\n"),
        *(
            Segment(f"{_LINE_INDENT}{line.unified()}\n", SIGN_STYLES[line.sign])
            for line in diff.lines
        ),
    ]


def _stack(stack: str | None) -> list[Segment]:
    return [Segment(f"Stack: {stack}\n", Style.BOLD)] if stack else []


def _destructive(plan: Plan) -> list[Segment]:
    if not plan.destructive:
        return []
    return [
        Segment("Destructive (each kind needs an explicit opt-in):\n", Style.ALARM),
        *(
            Segment(f"  ! {change.action} {change.id}: destroys {change.destroys}\n", Style.PROBLEM)
            for change in plan.destructive
        ),
    ]


def _problems(plan: Plan) -> list[Segment]:
    if not plan.problems:
        return []
    return [
        Segment("Problems (the plan cannot be applied):\n", Style.ALARM),
        *(Segment(f"  ! {problem}\n", Style.PROBLEM) for problem in plan.problems),
    ]


def _duplicates(plan: Plan) -> list[Segment]:
    duplicates = plan.duplicates
    if not duplicates:
        return []
    heading = f"Duplicates: {len(duplicates)} live object(s) ({DUPLICATES_NOTE}):\n"
    return [
        Segment(heading, Style.ALARM),
        *(Segment(f"  ! {duplicate_text(obj)}\n", Style.PROBLEM) for obj in duplicates),
    ]


def _unmanaged(plan: Plan) -> list[Segment]:
    undeclared = plan.undeclared
    if not undeclared:
        return []
    heading = (
        f"Unmanaged: {len(undeclared)} live object(s) the file does not declare (left alone):\n"
    )
    return [
        Segment(heading, Style.BOLD),
        *(
            Segment(f"  {type_label}: {', '.join(keys)}\n", Style.DIM)
            for type_label, keys in unmanaged_by_type(undeclared)
        ),
    ]
