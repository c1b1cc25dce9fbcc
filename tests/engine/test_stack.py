"""Loading a stack file: every problem at once, each with file:line, field and what is
allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailform.engine.stack import load_stack
from mailform.services import catalog
from mailform.stackfile import StackFileError

GOOD = """\
mailform:
  prune: [luxsci.aliases]
luxsci:
  domains:
    - domain: Example.com
  dkim:
    - domain: example.com
  bounce_domains:
    - bounce_domain: bounce.example.com
      from_domain: example.com
  aliases:
    - alias: sales@example.com
      dest: [ann@example.com]
  users:
    - user: ann@example.com
      password: {env: ANN_PASSWORD}
  lists:
    - owner: ann@example.com
      name: News
      group: Customers
      custom_fields: [first_name]
  list_groups:
    - {owner: ann@example.com, name: Customers}
  custom_fields:
    - {owner: ann@example.com, code_word: first_name, name: First name}
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    return str(path)


def problems_of(tmp_path: Path, text: str) -> list[str]:
    file = write(tmp_path, text)
    with pytest.raises(StackFileError) as caught:
        load_stack(file, catalog())
    return [str(problem).replace(file, "F") for problem in caught.value.problems]


def test_a_valid_file_gives_normalised_objects_prune_and_owners(tmp_path: Path) -> None:
    stack = load_stack(write(tmp_path, GOOD), catalog())
    assert len(stack.objects) == 8
    assert stack.objects[0].value.domain == "example.com"
    assert stack.prune == {"luxsci.aliases"}
    ann = frozenset({"ann@example.com"})
    scope = stack.read_scope(catalog()["luxsci"])
    assert scope["lists"] == scope["list_groups"] == scope["custom_fields"] == ann
    assert scope["templates"] == scope["template_groups"] == scope["content_tags"] == set()
    assert str(stack.objects[0].location).endswith(":5:7")


def test_every_problem_is_reported_at_once_with_lines(tmp_path: Path) -> None:
    text = """\
luxsci:
  domains:
    - domain: example.com
      colour: blue
  aliases:
    - alias: sales@other.com
      action: forward
  bounce_domains:
    - bounce_domain: bounce.example.com
      from_domain: example.com
  users:
    - user: ann@example.com
      password: hunter2
  widgets: []
mailchimp: {}
"""
    problems = problems_of(tmp_path, text)
    assert any(p.startswith("F:4:7: luxsci.domains[0].colour: unknown key") for p in problems)
    assert any(
        p.startswith("F:7:7: luxsci.aliases[0].action: not an allowed value")
        and "email, bounce" in p
        for p in problems
    )
    assert any(
        "F:10:7: luxsci.bounce_domains[0].from_domain: refers to Dkim 'example.com'" in p
        for p in problems
    )
    assert any(
        "F:13:7: luxsci.users[0].password: a literal secret is not allowed here" in p
        for p in problems
    )
    assert any(p.startswith("F:14:3: luxsci.widgets: unknown object type") for p in problems)
    assert any(p.startswith("F:15:1: mailchimp: unknown service") for p in problems)
    assert "hunter2" not in "\n".join(problems)


def test_dangling_references_name_the_missing_object(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        "luxsci:\n  aliases:\n    - alias: sales@example.com\n",
    )
    assert problems == [
        "F:3:7: luxsci.aliases[0].alias: refers to Domain 'example.com', "
        "which the file does not declare (declare it under luxsci.domains)"
    ]


def test_duplicate_natural_keys_point_at_both_lines(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        "luxsci:\n  domains:\n    - domain: example.com\n    - domain: EXAMPLE.com\n",
    )
    assert problems == [
        "F:4:7: luxsci.domains[1]: duplicate Domain 'example.com' (first declared at line 3)"
    ]


def test_a_bounce_domain_outside_its_from_domain_is_refused(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        "luxsci:\n  bounce_domains:\n"
        "    - {bounce_domain: b.other.com, from_domain: example.com}\n",
    )
    assert any("must be a subdomain of from_domain example.com" in p for p in problems)


def test_prune_names_must_be_object_types(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, "mailform:\n  prune: [luxsci.widgets]\n")
    assert problems[0].startswith("F:2:11: mailform.prune[0]: unknown object type (allowed: ")


def test_create_limits_name_limited_types_with_whole_numbers(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        "mailform:\n  create_limits: {luxsci.aliases: many, luxsci.dkim: 5, luxsci.users: 20}\n",
    )
    assert problems == [
        "F:2:19: mailform.create_limits['luxsci.aliases']: expected a whole number, 0 or more",
        "F:2:41: mailform.create_limits['luxsci.dkim']: no create limit for this type (allowed: "
        "luxsci.domains, luxsci.users, luxsci.aliases)",
    ]
    path = tmp_path / "ok.yaml"
    path.write_text("mailform:\n  create_limits: {luxsci.users: 20}\n")
    assert load_stack(path, catalog()).create_limits == {"luxsci.users": 20}


def test_a_plan_reads_each_owner_only_for_the_types_the_file_is_about(tmp_path: Path) -> None:
    """One list call per (type, owner) pair is the API's minimum; pairs the file neither
    declares, refers to nor prunes are not read. A renamed owner brings its old login."""
    text = """\
mailform:
  prune: [luxsci.template_groups]
luxsci:
  domains:
    - domain: example.com
  users:
    - {user: bob@example.com, renamed_from: robert@example.com, password: {env: P}}
  templates:
    - {owner: ann@example.com, name: Welcome, code_word: welcome, group: Main}
  template_groups:
    - {owner: ann@example.com, name: Main}
  content_tags:
    - {owner: bob@example.com, code_word: footer, content: x}
"""
    stack = load_stack(write(tmp_path, text), catalog())
    scope = stack.read_scope(catalog()["luxsci"])
    everyone = {"ann@example.com", "bob@example.com", "robert@example.com"}
    assert scope["templates"] == everyone  # refers to the pruned groups
    assert scope["template_groups"] == everyone
    assert scope["content_tags"] == {"bob@example.com", "robert@example.com"}
    assert scope["lists"] == scope["list_groups"] == scope["custom_fields"] == set()


@pytest.mark.parametrize("text", ["", "\n  \n", "# nothing yet\n", "null\n", "~\n", "---\n"])
def test_a_file_that_declares_nothing_is_refused(tmp_path: Path, text: str) -> None:
    """An empty file is more likely truncated or generated by a failed step than meant."""
    [problem] = problems_of(tmp_path, text)

    assert problem.split(": ", 1)[1].startswith("the file declares nothing")
    assert "write {} for a stack that manages nothing" in problem


@pytest.mark.parametrize(
    ("text", "services"),
    [("{}\n", []), ("mailform:\n  prune: [luxsci.aliases]\n", ["luxsci"]), ("luxsci:\n", [])],
)
def test_an_explicit_empty_stack_is_valid(tmp_path: Path, text: str, services: list[str]) -> None:
    """``{}`` is what export writes for an empty account; a file of settings alone prunes."""
    stack = load_stack(write(tmp_path, text), catalog())

    assert stack.objects == []
    assert stack.services() == services


def test_an_ignore_rule_that_is_not_text_is_refused_without_repeating_it(tmp_path: Path) -> None:
    """An alias could make a rule of a million values; the message does not repeat it."""
    text = "x: &x [a, b, c]\nmailform:\n  ignore: [luxsci.servers, *x, 12]\n"

    problems = problems_of(tmp_path, text)

    assert [problem.split(": ", 1)[1] for problem in problems[1:]] == [
        "mailform.ignore[1]: expected TYPE or TYPE[KEY], as text",  # at the anchor, line 1
        "mailform.ignore[2]: expected TYPE or TYPE[KEY], as text",
    ]
