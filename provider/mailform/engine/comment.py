"""The plan as a pull-request comment: the summary first, the details after, within
GitHub's size limit.

Reviewers read a plan comment from the top and stop when they have seen enough, so the
order is fixed: the title and stack, the counts, what the plan destroys, what stops it, what
it leaves alone (unmanaged objects), the dependency graph, then one collapsed section per
object type with every field's real difference, and last the checksum that ``apply
--checksum`` takes.

GitHub refuses a comment over 65,536 characters, and a cut in the middle of a string could
leave a ``<details>`` or a code fence open and swallow the rest of the page. So the comment
is assembled from whole parts against a budget instead: the summary and the checksum
always, then the graph, then as many whole type sections as fit (the smallest first, so
that three thousand alias creates cannot crowd out one template edit), then rows of the
sections that did not fit; whatever is left out is counted in a note that says where the
full plan is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from mailform.engine import markdown
from mailform.engine.differences import Difference, DiffLine, Kind, Sign, difference
from mailform.engine.mermaid import GROUP_ABOVE, flowchart
from mailform.engine.outline import (
    DUPLICATES_NOTE,
    action_counts,
    by_type,
    duplicate_text,
    key_text,
    no_changes,
    symbol,
    unmanaged_by_type,
)
from mailform.engine.plan import FINISHES_CREATE, Change, Plan, PlanProblem

#: GitHub refuses comments over 65,536 characters; keep a margin for the wrapper text.
MARKDOWN_LIMIT = 65_000
#: Items listed in each part of the summary (destructive changes, problems, unmanaged
#: objects) before "and N more"; fewer when even the summary would not fit otherwise.
LISTED = 50
_SUMMARY_CAPS = (LISTED, 20, 5, 0)
#: Path-wise lines shown in a table cell per field.
CELL_LINES = 20
#: Diff lines shown per field; the rest are in the full plan.
DIFF_LINES = 200
_SEPARATOR = "\n\n"


def comment(plan: Plan, *, title: str, full_plan_hint: str = "", stack: str | None = None) -> str:
    """The markdown comment of ``plan``, at most ``MARKDOWN_LIMIT`` characters; a cut one
    ends with a note of what was left out and ``full_plan_hint`` (markdown, as given)."""
    tail = f"Checksum: `{plan.checksum()}`"
    sections = [Section(kind, changes) for kind, changes in by_type(plan.changes)]
    worst_note = _cut_note(plan, [(section, 0) for section in sections], full_plan_hint)
    head = _fitting_summary(plan, title, stack, len(tail) + len(worst_note))
    graph = _graph(plan)
    document = _join([head, graph, *(section.whole for section in sections), tail])
    if len(document) <= MARKDOWN_LIMIT:
        return document
    room = MARKDOWN_LIMIT - len(_join([head, worst_note, tail]))
    middle, shown = _fit(graph, sections, room)
    note = _cut_note(plan, shown, full_plan_hint)
    return _join([head, *middle, note, tail])


# -- the summary --------------------------------------------------------------------------


def _fitting_summary(plan: Plan, title: str, stack: str | None, reserved: int) -> str:
    """The summary with as many listed items as leave room for ``reserved`` characters."""
    for cap in _SUMMARY_CAPS[:-1]:
        head = summary(plan, title, stack, cap)
        if len(head) + reserved + 3 * len(_SEPARATOR) <= MARKDOWN_LIMIT:
            return head
    return summary(plan, title, stack, _SUMMARY_CAPS[-1])


def summary(plan: Plan, title: str, stack: str | None, cap: int = LISTED) -> str:
    """Title, stack, counts, then the destructive changes, problems, duplicates and the
    other unmanaged objects, each listing at most ``cap`` items; the count of unmanaged
    objects includes the duplicates, as the JSON summary's does."""
    counts = plan.counts()
    parts = [f"### {markdown.text(title)}"]
    if stack:
        parts.append(f"Stack: {markdown.code(stack)}")
    parts.append(
        "| create | update | replace | delete | unmanaged | problems |\n"
        "|---:|---:|---:|---:|---:|---:|\n"
        f"| {counts['create']} | {counts['update']} | {counts['replace']} | {counts['delete']} "
        f"| {len(plan.unmanaged)} | {len(plan.problems)} |"
    )
    if not plan.changes:
        parts.append(no_changes(plan).capitalize())
    if plan.destructive:
        items = [
            f"- :warning: {change.action} {markdown.code(str(change.id))}: "
            f"destroys {markdown.text(change.destroys or '')}"
            for change in plan.destructive
        ]
        heading = "**Destructive changes (each kind needs an explicit opt-in):**"
        parts.append(_listing(heading, items, cap, "destructive changes"))
    if plan.problems:
        items = [_problem(problem) for problem in plan.problems]
        parts.append(_listing("**Problems (the plan cannot be applied):**", items, cap, "problems"))
    if plan.duplicates:
        items = [f"- :warning: {markdown.code(duplicate_text(obj))}" for obj in plan.duplicates]
        heading = f"**Duplicates ({markdown.text(DUPLICATES_NOTE)}):**"
        parts.append(_listing(heading, items, cap, "duplicates"))
    if plan.undeclared:
        parts.append(_unmanaged(plan, cap))
    return _SEPARATOR.join(parts)


def _problem(problem: PlanProblem) -> str:
    """A problem as a list item, with where the stack file declares it when known."""
    where = f"{markdown.code(str(problem.location))}: " if problem.location else ""
    return f"- {where}{markdown.code(str(problem.id))}: {markdown.text(problem.message)}"


def _listing(heading: str, items: Sequence[str], cap: int, what: str) -> str:
    shown = list(items[:cap])
    if len(items) > cap:
        shown.append(f"- … and {len(items) - cap:,} more {what} (see the full plan)")
    return "\n".join([heading, "", *shown])


def _unmanaged(plan: Plan, cap: int) -> str:
    """The unmanaged objects besides the duplicates by type, at most ``cap`` keys in all."""
    undeclared = plan.undeclared
    lines = [
        f"**Unmanaged: {len(undeclared):,} live object(s) the file does not declare "
        "(left alone):**",
        "",
    ]
    left = cap
    for kind, keys in unmanaged_by_type(undeclared):
        listed = [markdown.code(key) for key in keys[:left]]
        if len(keys) > left:
            listed.append(f"… and {len(keys) - left:,} more")
        left = max(0, left - len(keys))
        lines.append(f"- {markdown.code(kind)} ({len(keys):,}): {', '.join(listed)}")
    return "\n".join(lines)


# -- the graph ------------------------------------------------------------------------------


def _graph(plan: Plan) -> str:
    """The dependency graph in a collapsed section; empty without changes."""
    if not plan.changes:
        return ""
    grouped = ", grouped by type and action" if len(plan.changes) > GROUP_ABOVE else ""
    count = len(plan.changes)
    noun = "change" if count == 1 else "changes"
    summary = f"Graph: {count:,} {noun}{grouped}; an arrow leads to what waits"
    return markdown.details(summary, markdown.fence(flowchart(plan.changes), "mermaid"))


# -- the sections ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One change as its section shows it: a table row, and the diff blocks of its long
    texts, shown below the table (a cell cannot hold a code block)."""

    row: str
    blocks: tuple[str, ...]


class Section:
    """The collapsed section of one object type's changes; rendered whole or with its
    first changes only."""

    def __init__(self, kind: str, changes: list[Change]) -> None:
        self.kind = kind
        self.changes = changes
        self.entries = [entry(change) for change in changes]

    @cached_property
    def whole(self) -> str:
        """The section with all its changes."""
        return self.render()

    def render(self, count: int | None = None) -> str:
        """The section with its first ``count`` changes (all by default)."""
        count = len(self.entries) if count is None else count
        entries = self.entries[:count]
        table = ["| | object | fields |", "|---|---|---|", *(e.row for e in entries)]
        body = ["\n".join(table), *(block for e in entries for block in e.blocks)]
        if count < len(self.entries):
            body.append(
                f"*{count:,} of {len(self.entries):,} changes shown here; the full plan "
                "has the others.*"
            )
        summary = f"{markdown.code(self.kind, html=True)}: {action_counts(self.changes)}"
        return markdown.details(summary, _SEPARATOR.join(body))

    def fit(self, room: int) -> tuple[str, int]:
        """The section with as many changes as fit in ``room`` characters, and how many;
        ``("", 0)`` when not even one does."""
        if len(self.whole) <= room:
            return self.whole, len(self.entries)
        low, high = 0, len(self.entries) - 1  # the most that fit is in [low, high]
        while low < high:
            middle = (low + high + 1) // 2
            if len(self.render(middle)) <= room:
                low = middle
            else:
                high = middle - 1
        return (self.render(low), low) if low else ("", 0)


def entry(change: Change) -> Entry:
    """A change's table row and diff blocks."""
    differences = [difference(field_change, change) for field_change in change.fields]
    cell = []
    if change.destroys:
        cell.append(f"**destroys {markdown.text(change.destroys)}**")
    if change.reason:
        cell.append(f"*{markdown.text(change.reason)}*")
    if change.finishes_create:
        cell.append(f"*{FINISHES_CREATE}*")
    cell += [line for diff in differences for line in _cell_lines(diff)]
    key = markdown.code(key_text(change))
    row = f"| {symbol(change.action)} {change.action} | {key} | {'<br>'.join(cell)} |"
    blocks = tuple(_block(change, diff, key) for diff in differences if diff.kind == Kind.TEXT)
    return Entry(row, blocks)


def _cell_lines(diff: Difference) -> list[str]:
    """A difference in a table cell: its summary, or its path-wise lines."""
    name = markdown.code(diff.name)
    if diff.kind == Kind.TEXT:
        return [f"{name}: {markdown.text(diff.summary)} (diff below)"]
    if diff.kind != Kind.PATHS:
        return [f"{name}: {markdown.text(diff.summary)}"]
    lines = [
        f"{markdown.code(line.path)}: {markdown.text(line.text)}"
        for line in diff.lines[:CELL_LINES]
    ]
    if len(diff.lines) > CELL_LINES:
        lines.append(f"… and {len(diff.lines) - CELL_LINES:,} more (see the full plan)")
    return lines


def _block(change: Change, diff: Difference, key: str) -> str:
    """A long text's diff: a line naming the object and field, then a ``diff`` block."""
    lines = [line.unified() for line in diff.lines[:DIFF_LINES]]
    if len(diff.lines) > DIFF_LINES:
        left = len(diff.lines) - DIFF_LINES
        lines.append(DiffLine(Sign.NOTE, f"… {left:,} more lines in the full plan").unified())
    heading = f"{symbol(change.action)} {key} {markdown.code(diff.name)}:"
    return f"{heading}\n\n{markdown.fence(lines, 'diff')}"


# -- fitting ----------------------------------------------------------------------------------


def _fit(
    graph: str, sections: Sequence[Section], room: int
) -> tuple[list[str], list[tuple[Section, int]]]:
    """The parts between the summary and the checksum that fit in ``room``: the graph, the
    whole sections smallest first, then the first rows of the others, in plan order; and
    how many changes of each section are shown."""
    chosen: dict[int, tuple[str, int]] = {}
    if graph and len(graph) + len(_SEPARATOR) <= room:
        room -= len(graph) + len(_SEPARATOR)
    else:
        graph = ""
    for index in sorted(range(len(sections)), key=lambda i: len(sections[i].whole)):
        text = sections[index].whole
        if len(text) + len(_SEPARATOR) > room:
            break
        chosen[index] = (text, len(sections[index].entries))
        room -= len(text) + len(_SEPARATOR)
    for index, section in enumerate(sections):
        if index in chosen:
            continue
        text, count = section.fit(room - len(_SEPARATOR))
        chosen[index] = (text, count)
        if text:
            room -= len(text) + len(_SEPARATOR)
    middle = [graph] + [chosen[index][0] for index in range(len(sections))]
    shown = [(section, chosen[index][1]) for index, section in enumerate(sections)]
    return [part for part in middle if part], shown


def _cut_note(plan: Plan, shown: Sequence[tuple[Section, int]], hint: str) -> str:
    """What a cut comment leaves out, by type, and where the whole plan is."""
    left = [(section, len(section.entries) - count) for section, count in shown]
    left = [(section, number) for section, number in left if number]
    total = sum(number for _, number in left)
    kinds = ", ".join(
        f"{markdown.code(section.kind)} {number:,} of {len(section.entries):,}"
        for section, number in left
    )
    sentence = f"The plan is too long for one comment: {total:,} of {len(plan.changes):,} changes"
    sentence += f" are not shown ({kinds})." if kinds else " are not shown."
    return f"*{' '.join(part for part in (sentence, hint.strip()) if part)}*"


def _join(parts: Sequence[str]) -> str:
    return _SEPARATOR.join(part for part in parts if part) + "\n"
