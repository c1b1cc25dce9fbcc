"""Plans render for terminals, pull requests and tools, never showing a secret."""

from __future__ import annotations

import json

import pytest

from mailform.engine.diff import build_plan
from mailform.engine.render import MARKDOWN_LIMIT, render_json, render_markdown, render_text
from mailform.luxsci.service import OBJECT_TYPES
from tests.engine.builders import declare, live


@pytest.fixture(autouse=True)
def ann_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """The variable Ann's password reference names (a create needs it)."""
    monkeypatch.setenv("ANN_PW", "Ann-Passw0rd")


def sample_plan():  # type: ignore[no-untyped-def]
    declared = [
        declare("domains", domain="example.com"),
        declare("users", user="ann@example.com", name="Ann", password={"env": "ANN_PW"}),
        declare("aliases", alias="sales@example.com", dest=["ann@example.com"]),
    ]
    current = [
        live("domains", domain="example.com"),
        live("aliases", alias="sales@example.com", dest=["bob@example.com"]),
        live("aliases", alias="old@example.com"),
    ]
    return build_plan(declared, current, OBJECT_TYPES)


def test_text_groups_changes_by_type_and_masks_passwords() -> None:
    text = render_text(sample_plan()).plain
    assert "luxsci.users\n  + create   ann@example.com\n" in text
    assert "      password: (sensitive)\n" in text
    assert '      dest: ["bob@example.com"] → ["ann@example.com"]\n' in text
    assert "Unmanaged: 1 live object(s)" in text
    assert "Plan: 1 to create, 1 to update, 0 to replace, 0 to delete." in text
    assert "ANN_PW" not in text


def test_markdown_puts_the_summary_first() -> None:
    document = render_markdown(sample_plan())
    lines = document.splitlines()
    assert lines[0] == "### mailform plan"
    assert lines[4] == "| 1 | 1 | 0 | 0 | 1 | 0 |"
    assert "<summary><code>luxsci.aliases</code>: 1</summary>" in document


def test_markdown_is_cut_to_fit_a_comment_with_a_pointer() -> None:
    declared = [declare("domains", domain="example.com")] + [
        declare("aliases", alias=f"a{n:05}@example.com", dest=["x@example.com"])
        for n in range(3000)
    ]
    document = render_markdown(
        build_plan(declared, [], OBJECT_TYPES), full_plan_hint="See the CI log."
    )
    assert len(document) <= MARKDOWN_LIMIT
    assert document.rstrip().endswith("See the CI log.*")


def test_json_is_stable_and_documented_shape() -> None:
    data = json.loads(render_json(sample_plan()))
    assert data["format_version"] == 1
    assert data["summary"] == {"create": 1, "update": 1, "replace": 0, "delete": 0, "unmanaged": 1}
    user = data["changes"][0]
    assert user["id"] == "luxsci.users[ann@example.com]"
    assert {"field": "password", "before": "(sensitive)", "after": "(sensitive)"} in user["fields"]
    assert render_json(sample_plan()) == render_json(sample_plan())


def test_destructive_changes_are_named_with_what_they_destroy_in_every_rendering() -> None:
    current = [live("lists", owner="ann@example.com", name="Old", n_subscribers=42)]
    plan = build_plan([], current, OBJECT_TYPES, prune=frozenset({"luxsci.lists"}))
    text = render_text(plan).plain
    assert "- delete   ann@example.com/Old  DESTROYS its contacts (42)" in text
    assert "Destructive (each kind needs an explicit opt-in):" in text
    markdown = render_markdown(plan)
    assert markdown.index("**Destructive changes") < markdown.index("<details>")
    assert "destroys its contacts (42)" in markdown
    assert json.loads(render_json(plan))["changes"][0]["destroys"] == "its contacts (42)"
