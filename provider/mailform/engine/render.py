"""Renderings of a plan: text for terminals, markdown for pull-request comments, JSON for
tools. Secrets never appear: write-only fields render as ``(sensitive)``.

Every rendering shows the same differences (``mailform.engine.differences``: unified diffs
of long text, path-wise differences of nested values) and the same grouping
(``mailform.engine.outline``); this module is the one entry point for them. The terminal
text is ``mailform.engine.textplan``'s styled segments, which the CLI colours (the core
builds no terminal objects); the markdown comment is built by ``mailform.engine.comment``;
the JSON document is ``Plan.data()``, its schema documented in ``docs/plan-json.md``.
"""

from __future__ import annotations

import json

from mailform.engine.comment import MARKDOWN_LIMIT, comment
from mailform.engine.differences import difference
from mailform.engine.outline import summary_line
from mailform.engine.plan import Change, FieldChange, Plan
from mailform.engine.textplan import Segment, Style, plain, text_plan

__all__ = [
    "MARKDOWN_LIMIT",
    "Segment",
    "Style",
    "describe",
    "plain",
    "render_json",
    "render_markdown",
    "summary_line",
    "text_plan",
]


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
