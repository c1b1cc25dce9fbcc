"""Plans render for terminals, pull requests and tools, never showing a secret."""

from __future__ import annotations

import json
import re

import pytest

from mailform.engine.diff import DeclaredObject, build_plan
from mailform.engine.differences import Kind, difference
from mailform.engine.markdown import fence
from mailform.engine.objecttype import LiveObject, ObjectId
from mailform.engine.plan import Action, Change, FieldChange, Plan, PlanProblem
from mailform.engine.render import (
    MARKDOWN_LIMIT,
    Style,
    describe,
    plain,
    render_json,
    render_markdown,
    text_plan,
)
from mailform.services.lianamailer.service import OBJECT_TYPES as LIANAMAILER_TYPES
from mailform.services.luxsci.service import OBJECT_TYPES
from mailform.stackfile.problems import Location
from tests.engine.builders import TYPES, declare, live

GITHUB_COMMENT_LIMIT = 65_536


@pytest.fixture(autouse=True)
def ann_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """The variable Ann's password reference names (a create needs it)."""
    monkeypatch.setenv("ANN_PW", "Ann-Passw0rd")


def sample_plan() -> Plan:
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


def long_body(closing: str, paragraphs: int = 400) -> str:
    """A long HTML template whose only variable part is near the end."""
    lines = [f"<p>Paragraph {n}: nothing changes here.</p>" for n in range(paragraphs)]
    lines.insert(paragraphs - 10, f"<p>{closing}</p>")
    return "\n".join(
        ["<html><body>", "<script>track()</script>", "<details>x</details>", *lines, "</html>"]
    )


def template_plan(before: str, after: str, **extra: object) -> Plan:
    declared = [declare("templates", owner="ann@example.com", name="Welcome", body_html=after)]
    current = [live("templates", owner="ann@example.com", name="Welcome", body_html=before)]
    return build_plan(declared, current, OBJECT_TYPES, **extra)  # type: ignore[arg-type]


def large_plan() -> Plan:
    """Thousands of alias creates, a late edit of a long template, a user's deletion."""
    declared = [
        declare("domains", domain="example.com"),
        declare("domains", domain="example.net"),
        declare("users", user="ann@example.net", name="Ann"),
        declare(
            "templates",
            owner="ann@example.net",
            name="Welcome",
            body_html=long_body("The new closing words, with love."),
        ),
        *(
            declare("aliases", alias=f"a{n:05}@example.com", dest=["x@example.com"])
            for n in range(3000)
        ),
    ]
    current = [
        live("domains", domain="example.net"),
        live("users", user="ann@example.net", name="Ann"),
        live("users", user="bob@example.net", name="Bob"),
        live(
            "templates",
            owner="ann@example.net",
            name="Welcome",
            body_html=long_body("The old closing words."),
        ),
        live("aliases", alias="old@example.net"),
    ]
    return build_plan(declared, current, OBJECT_TYPES, prune=frozenset({"luxsci.users"}), now=0)


# -- checks of a markdown document's structure ------------------------------------------------

_FENCE = re.compile(r"^(`{3,})(.*)$")


def fenced_blocks(document: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """The text outside fenced code blocks, and each block's info and lines; fails on a
    block that is never closed."""
    outside: list[str] = []
    blocks: list[tuple[str, list[str]]] = []
    lines = iter(document.splitlines())
    for line in lines:
        opening = _FENCE.match(line)
        if not opening:
            outside.append(line)
            continue
        ticks, info = opening.groups()
        body: list[str] = []
        for inner in lines:
            if re.fullmatch(rf" {{0,3}}`{{{len(ticks)},}}\s*", inner):  # GFM's closing rule
                break
            body.append(inner)
        else:
            pytest.fail(f"the code block opened by {line!r} is never closed")
        blocks.append((info, body))
    return "\n".join(outside), blocks


def check_mermaid(lines: list[str]) -> None:
    """A flowchart whose edges join defined nodes."""
    assert lines[0].startswith("flowchart ")
    nodes = {m.group(1) for line in lines if (m := re.match(r'^\s+(n\d+)\["[^"]*"\]$', line))}
    edges = [m.groups() for line in lines if (m := re.match(r"^\s+(\S+) --> (\S+)$", line))]
    assert nodes
    for source, target in edges:
        assert source in nodes and target in nodes


def check_well_formed(document: str) -> str:
    """Every section and code block closed, no HTML from a value outside a code block, the
    mermaid graph sound; answers the text outside the code blocks."""
    outside, blocks = fenced_blocks(document)
    assert outside.count("<details") == outside.count("</details>")
    tags = set(re.findall(r"</?([a-zA-Z]+)", outside))
    assert tags <= {"details", "summary", "code", "br"}, tags
    mermaid = [body for info, body in blocks if info == "mermaid"]
    for body in mermaid:
        check_mermaid(body)
    return outside


# -- the markdown comment ---------------------------------------------------------------------


def test_markdown_puts_the_summary_first() -> None:
    document = render_markdown(sample_plan())
    lines = document.splitlines()
    assert lines[0] == "### mailform plan"
    assert lines[4] == "| 1 | 1 | 0 | 0 | 1 | 0 |"
    assert "<summary><code>luxsci.aliases</code>: 1 to update</summary>" in document
    assert document.index("**Unmanaged") < document.index("<details>")
    assert lines[-1].startswith("Checksum: `")
    check_well_formed(document)


def test_markdown_names_the_stack_under_the_title() -> None:
    lines = render_markdown(sample_plan(), stack="stacks/prod.yaml").splitlines()
    assert lines[:3] == ["### mailform plan", "", "Stack: <code>stacks/prod.yaml</code>"]


def test_a_large_plan_fits_a_comment_whole_where_it_matters() -> None:
    plan = large_plan()
    hint = "The full plan is the `plan.json` artifact."
    document = render_markdown(plan, full_plan_hint=hint, stack="stacks/big.yaml")

    assert len(document) <= MARKDOWN_LIMIT <= GITHUB_COMMENT_LIMIT
    assert document.startswith("### mailform plan\n")
    assert f"| 3001 | 1 | 0 | 1 | 1 | {len(plan.problems)} |" in document
    assert document.rstrip().endswith(f"Checksum: `{plan.checksum()}`")
    # the destructive change comes before any detail, with what it destroys
    destructive = document.index("**Destructive changes")
    assert destructive < document.index("<details")
    assert "delete <code>luxsci.users\\[bob@example.net\\]</code>: destroys the mailbox" in document
    # the unmanaged object is listed, not only counted
    assert "- <code>luxsci.aliases</code> (1): <code>old@example.net</code>" in document
    # the small sections are whole, the template's late change visible despite the aliases
    assert "-<p>The old closing words.</p>" in document
    assert "+<p>The new closing words, with love.</p>" in document
    # the aliases are cut by rows, and the cut is said with the hint
    shown = document.count("| + create | <code>a0")
    assert 0 < shown < 3000
    assert f"{3000 - shown:,} of 3,003 changes are not shown" in document
    assert hint in document

    outside = check_well_formed(document)
    assert "<script>" not in outside and "<p>" not in outside


def test_the_graph_shows_each_change_and_what_it_waits_for() -> None:
    declared = [
        declare("domains", domain="example.com"),
        declare("aliases", alias='a"b#1@example.com', dest=["x@example.com"]),
    ]
    document = render_markdown(build_plan(declared, [], OBJECT_TYPES))
    _, blocks = fenced_blocks(document)
    (graph,) = [body for info, body in blocks if info == "mermaid"]
    check_mermaid(graph)
    assert '  n1["+ domains example.com"]' in graph
    assert '  n2["+ aliases a#quot;b#35;1@example.com"]' in graph
    assert "  n1 --> n2" in graph
    assert document.index("<summary>Graph") < document.index("<summary><code>")


def test_a_large_graph_groups_changes_by_type_and_action() -> None:
    _, blocks = fenced_blocks(render_markdown(large_plan()))
    (graph,) = [body for info, body in blocks if info == "mermaid"]
    check_mermaid(graph)
    assert len(graph) < 20
    assert '  n3["+ 3,000 to create: luxsci.aliases"]' in graph
    assert "  n2 --> n3" in graph


def test_values_render_as_text_never_as_markup() -> None:
    declared = [
        declare("templates", owner="ann@example.com", name="T", subject="<b>Hi</b> | *x* @team #1")
    ]
    current = [live("templates", owner="ann@example.com", name="T", subject="Hello")]
    document = render_markdown(build_plan(declared, current, OBJECT_TYPES))
    assert "&lt;b&gt;Hi&lt;/b&gt; \\| \\*x\\* `@team` `#1`" in document
    assert "<b>" not in document
    check_well_formed(document)


def test_a_value_with_backticks_cannot_close_its_code_block() -> None:
    content = "Use this:\n```\n<script>x()</script>\n````\nend"
    declared = [declare("content_tags", owner="ann@example.com", code_word="t", content=content)]
    current = [live("content_tags", owner="ann@example.com", code_word="t", content="old")]
    document = render_markdown(build_plan(declared, current, OBJECT_TYPES))
    outside = check_well_formed(document)
    assert "<script>" not in outside
    assert "`````diff" in document
    assert fence(["a"], "diff") == "```diff\na\n```"


def test_markdown_is_cut_by_whole_sections_or_rows_never_mid_block() -> None:
    declared = [declare("domains", domain="example.com")] + [
        declare("aliases", alias=f"a{n:05}@example.com", dest=["x@example.com"])
        for n in range(3000)
    ]
    document = render_markdown(
        build_plan(declared, [], OBJECT_TYPES), full_plan_hint="See the CI log."
    )
    assert len(document) <= MARKDOWN_LIMIT
    lines = document.rstrip().splitlines()
    assert lines[-3].endswith("See the CI log.*")
    assert lines[-1].startswith("Checksum: `")
    check_well_formed(document)


# -- differences ------------------------------------------------------------------------------


def test_a_late_change_in_a_long_template_is_a_diff_in_every_rendering() -> None:
    plan = template_plan(long_body("Old words."), long_body("New words."))
    document = render_markdown(plan)
    _, blocks = fenced_blocks(document)
    (diff,) = [body for info, body in blocks if info == "diff"]
    assert "-<p>Old words.</p>" in diff and "+<p>New words.</p>" in diff
    assert len(diff) < 12  # the hunk and its context, not the whole body
    segments = text_plan(plan)
    assert "        -<p>Old words.</p>\n        +<p>New words.</p>\n" in plain(segments)
    styles = {text.strip(): style for text, style in segments}
    assert styles["-<p>Old words.</p>"] == Style.DELETE
    assert styles["+<p>New words.</p>"] == Style.CREATE


def test_a_long_single_line_is_split_so_the_change_shows() -> None:
    before = "".join(f"<p>Paragraph {n} says hello.</p>" for n in range(100))
    after = before.replace("Paragraph 97 says hello.", "Paragraph 97 says goodbye.")
    text = plain(text_plan(template_plan(before, after)))
    assert "-<p>Paragraph 97 says hello.</p>\n" in text
    assert "+<p>Paragraph 97 says goodbye.</p>\n" in text
    assert "Paragraph 50" not in text


def test_a_created_long_text_shows_its_first_lines_and_length() -> None:
    body = "\n".join(f"line {n}" for n in range(40))
    declared = [declare("templates", owner="ann@example.com", name="T", body_text=body)]
    text = plain(text_plan(build_plan(declared, [], OBJECT_TYPES)))
    assert "      body_text: 40 lines, 309 characters\n        +line 0\n" in text
    assert "+line 9\n        … (40 lines in all)\n" in text
    assert "line 10" not in text


def test_a_set_of_addresses_shows_the_addresses_added_and_removed() -> None:
    declared = [declare("aliases", alias="s@example.com", dest=["a@x.com", "c@x.com", "d@x.com"])]
    current = [live("aliases", alias="s@example.com", dest=["a@x.com", "b@x.com"])]
    plan = build_plan(declared, current, OBJECT_TYPES)
    text = plain(text_plan(plan))
    assert (
        '      dest: removed "b@x.com"\n      dest: added "c@x.com"\n      dest: added "d@x.com"\n'
    ) in text
    assert "dest[" not in text
    document = render_markdown(plan)
    assert '<code>dest</code>: removed "b@x.com"<br><code>dest</code>: added "c@x.com"' in document


def test_a_mapping_shows_the_path_of_each_changed_key() -> None:
    declared = [declare("domains", domain="example.com", settings={"spam_filter": "off", "g": 1})]
    current = [live("domains", domain="example.com", settings={"spam_filter": "high"})]
    plan = build_plan(declared, current, OBJECT_TYPES)
    text = plain(text_plan(plan))
    assert "      settings.g: (none) → 1\n" in text
    assert '      settings.spam_filter: "high" → "off"\n' in text
    assert '<code>settings.spam\\_filter</code>: "high" → "off"' in render_markdown(plan)


def test_an_ordered_list_keeps_positions() -> None:
    properties = next(t for t in LIANAMAILER_TYPES if t.name == "properties")
    change = Change(Action.UPDATE, properties, ObjectId("lianamailer", "properties", ("plan",)))
    found = difference(FieldChange("choices", ["a", "b"], ["a", "c"]), change)
    assert found.kind == Kind.PATHS
    assert [line.plain() for line in found.lines] == ['choices[1]: "b" → "c"']


def test_short_values_stay_before_and_after() -> None:
    change = Change(Action.UPDATE, TYPES["users"], ObjectId("luxsci", "users", ("a@x.com",)))
    assert describe(FieldChange("name", "Ann", "Anna"), change) == "Ann → Anna"
    assert describe(FieldChange("name", None, "Anna"), change) == "(none) → Anna"


def test_sensitive_values_never_appear(monkeypatch: pytest.MonkeyPatch) -> None:
    secret_name = "<b>secret</b> that is long enough to be diffed as text, surely, yes"
    change = Change(Action.UPDATE, TYPES["users"], ObjectId("luxsci", "users", ("a@x.com",)))
    masked = FieldChange("password", secret_name, secret_name + "!", sensitive=True)
    assert describe(masked, change) == "(sensitive)"
    assert difference(masked, change).lines == ()
    declared = [declare("users", user="ann@example.com", password={"env": "ANN_PW"})]
    current = [live("users", user="ann@example.com")]
    rotated = build_plan(
        declared,
        current,
        OBJECT_TYPES,
        rotate=frozenset({ObjectId("luxsci", "users", ("ann@example.com",))}),
    )
    plan = sample_plan()
    for each in (plan, rotated):
        for output in (plain(text_plan(each)), render_markdown(each), render_json(each)):
            assert "(sensitive)" in output
            assert "Ann-Passw0rd" not in output and "ANN_PW" not in output


# -- text and JSON ----------------------------------------------------------------------------


def test_text_groups_changes_by_type_and_masks_passwords() -> None:
    text = plain(text_plan(sample_plan(), stack="stacks/prod.yaml"))
    assert "luxsci.users\n  + create   ann@example.com\n" in text
    assert "      password: (sensitive)\n" in text
    assert '      dest: removed "bob@example.com"\n      dest: added "ann@example.com"\n' in text
    assert "Unmanaged: 1 live object(s)" in text
    assert (
        "Stack: stacks/prod.yaml\nPlan: 1 to create, 1 to update, 0 to replace, 0 to delete.\n"
    ) in text
    assert "ANN_PW" not in text


def test_json_is_stable_and_documented_shape() -> None:
    data = json.loads(render_json(sample_plan()))
    assert data["format_version"] == 1
    assert data["summary"] == {
        **{"create": 1, "update": 1, "replace": 0, "delete": 0},
        **{"unmanaged": 1, "duplicates": 0},
    }
    assert data["unmanaged"] == [
        {"service": "luxsci", "type": "aliases", "key": ["old@example.com"]}
    ]
    assert data["duplicates"] == []
    user = data["changes"][0]
    assert user["id"] == "luxsci.users[ann@example.com]"
    assert {"field": "password", "before": "(sensitive)", "after": "(sensitive)"} in user["fields"]
    assert render_json(sample_plan()) == render_json(sample_plan())


def test_destructive_changes_are_named_with_what_they_destroy_in_every_rendering() -> None:
    current = [live("lists", owner="ann@example.com", name="Old", n_subscribers=42)]
    plan = build_plan([], current, OBJECT_TYPES, prune=frozenset({"luxsci.lists"}))
    text = plain(text_plan(plan))
    assert "- delete   ann@example.com/Old  DESTROYS its contacts (42)" in text
    assert "Destructive (each kind needs an explicit opt-in):" in text
    markdown = render_markdown(plan)
    assert markdown.index("**Destructive changes") < markdown.index("<details>")
    assert "destroys its contacts (42)" in markdown
    assert json.loads(render_json(plan))["changes"][0]["destroys"] == "its contacts (42)"


def test_an_update_that_finishes_a_stopped_create_is_labelled_in_every_rendering() -> None:
    consent_types = next(t for t in LIANAMAILER_TYPES if t.name == "consent_types")
    sites = next(t for t in LIANAMAILER_TYPES if t.name == "sites")
    declared = DeclaredObject(
        consent_types, consent_types.model(name="News", sites=["join.example.com"])
    )
    current = [
        LiveObject(sites.object_id("join.example.com"), {"domain": "join.example.com"}, None),
        LiveObject(consent_types.object_id("News"), {"name": "News", "sites": []}, 7),
    ]
    plan = build_plan([declared], current, LIANAMAILER_TYPES)
    text = plain(text_plan(plan))
    assert "  ~ update   News  (finishes an earlier create)\n" in text
    assert "| ~ update | <code>News</code> | *finishes an earlier create*<br>" in (
        render_markdown(plan)
    )
    assert json.loads(render_json(plan))["changes"][0]["finishes_create"] is True


def test_problems_are_listed_with_where_they_are_declared() -> None:
    user = declare("users", user="ann@example.com", name="Ann")  # no password to create it
    located = DeclaredObject(user.object_type, user.value, Location("stack.yaml", 7, 5))
    document = render_markdown(build_plan([located], [], OBJECT_TYPES))
    assert "**Problems (the plan cannot be applied):**" in document
    assert (
        "- <code>stack.yaml:7:5</code>: <code>luxsci.users\\[ann@example.com\\]</code>: "
        "does not exist" in document
    )


def test_many_destructive_changes_are_listed_up_to_a_limit() -> None:
    current = [live("users", user=f"u{n:03}@example.com") for n in range(120)]
    plan = build_plan([], current, OBJECT_TYPES, prune=frozenset({"luxsci.users"}))
    document = render_markdown(plan)
    summary = document[: document.index("<details")]
    assert summary.count("- :warning: delete") == 50
    assert "- … and 70 more destructive changes (see the full plan)" in summary


def test_a_summary_too_long_for_a_comment_lists_fewer_items() -> None:
    users = TYPES["users"]
    problems = [
        PlanProblem(ObjectId("luxsci", "users", (f"u{n}@example.com",)), "too long " * 200)
        for n in range(300)
    ]
    change = Change(Action.CREATE, users, ObjectId("luxsci", "users", ("a@example.com",)))
    document = render_markdown(Plan(changes=[change], problems=problems), full_plan_hint="Hint.")
    assert len(document) <= MARKDOWN_LIMIT
    assert "| 1 | 0 | 0 | 0 | 0 | 300 |" in document
    assert "more problems (see the full plan)" in document
    assert document.rstrip().endswith("`")
    check_well_formed(document)


def test_long_summary_lists_say_how_many_more() -> None:
    current = [live("aliases", alias=f"u{n:03}@example.com") for n in range(80)]
    document = render_markdown(build_plan([], current, OBJECT_TYPES))
    assert "- <code>luxsci.aliases</code> (80): " in document
    assert "<code>u049@example.com</code>, … and 30 more" in document
    assert "u050@example.com" not in document
