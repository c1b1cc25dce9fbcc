"""The terminal colours a plan: the engine's text, every character of it, in colour."""

from __future__ import annotations

from mailform.cli.text import COLOURS, render_text
from mailform.engine.diff import build_plan
from mailform.engine.render import Style, plain, text_plan
from mailform.services.luxsci.service import OBJECT_TYPES
from tests.engine.builders import declare, live


def test_every_style_has_a_colour() -> None:
    assert set(COLOURS) == set(Style)


def test_the_text_is_the_engines_and_a_diff_is_coloured_as_a_diff() -> None:
    declared = [declare("templates", owner="ann@example.com", name="T", body_text="a\nnew\nc")]
    current = [live("templates", owner="ann@example.com", name="T", body_text="a\nold\nc")]
    plan = build_plan(declared, current, OBJECT_TYPES)
    text = render_text(plan, stack="stacks/prod.yaml")
    assert text.plain == plain(text_plan(plan, stack="stacks/prod.yaml"))
    styles = {text.plain[span.start : span.end].strip(): span.style for span in text.spans}
    assert styles["-old"] == "red"
    assert styles["+new"] == "green"
    assert styles["~ update"] == "yellow"
    assert styles["Stack: stacks/prod.yaml"] == "bold"
