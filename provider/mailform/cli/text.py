"""A plan in colour on a terminal.

The engine describes the plan's text as segments that say what each piece is (a create, a
removed line, a problem: ``mailform.engine.textplan``), because the core, which the Pulumi
provider and the Python API import too, must not build terminal objects. How each of those
looks is decided here, the one place that knows about rich; the characters are the
engine's, so the colours never change what a log or a test reads.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from mailform.engine.plan import Plan
from mailform.engine.render import Segment, Style, text_plan

#: Each style as a rich style (an empty one is unstyled): the colours of a diff, the
#: red of danger.
COLOURS: dict[Style, str] = {
    Style.PLAIN: "",
    Style.BOLD: "bold",
    Style.DIM: "dim",
    Style.CREATE: "green",
    Style.UPDATE: "yellow",
    Style.REPLACE: "magenta",
    Style.DELETE: "red",
    Style.HUNK: "cyan",
    Style.PROBLEM: "red",
    Style.ALARM: "bold red",
}


def coloured(segments: Iterable[Segment]) -> Text:
    """Segments as one rich ``Text``, each in its colour."""
    text = Text()
    for segment in segments:
        text.append(segment.text, style=COLOURS[segment.style])
    return text


def render_text(plan: Plan, *, title: str = "Plan", stack: str | None = None) -> Text:
    """The engine's text plan (``text_plan``) in colour; ``stack`` names the stack file in
    the summary."""
    return coloured(text_plan(plan, title=title, stack=stack))
