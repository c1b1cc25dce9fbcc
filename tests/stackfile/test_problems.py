"""Problems render as `file:line:col: field: message (allowed: ...)`, all at once, in order."""

from __future__ import annotations

import pytest

from mailform.stackfile import Location, Problem, Problems, StackFileError, format_path


def test_a_problem_names_file_line_column_field_message_and_what_is_allowed() -> None:
    problem = Problem(
        Location("stacks/prod.yaml", 12, 7),
        "luxsci.aliases[2].action",
        "not an allowed value",
        ("email", "bounce"),
    )

    assert str(problem) == (
        "stacks/prod.yaml:12:7: luxsci.aliases[2].action: not an allowed value "
        "(allowed: email, bounce)"
    )


def test_a_problem_with_the_whole_file_has_no_field() -> None:
    problem = Problem(Location("stacks/prod.yaml", 3, 1), "", "invalid YAML: oops")

    assert str(problem) == "stacks/prod.yaml:3:1: invalid YAML: oops"


def test_field_paths_read_like_the_yaml_a_user_wrote() -> None:
    assert format_path(("luxsci", "aliases", 2, "action")) == "luxsci.aliases[2].action"
    assert format_path(("luxsci", "domains", 0, "settings", "spam-filter")) == (
        "luxsci.domains[0].settings.spam-filter"
    )
    assert format_path(("settings", "a.b", 7)) == "settings['a.b'][7]"
    assert format_path(()) == ""


def test_the_collector_raises_every_problem_at_once_sorted_by_file_then_line() -> None:
    problems = Problems()
    problems.add(Problem(Location("b.yaml", 1, 1), "x", "third"))
    problems.extend(
        [
            Problem(Location("a.yaml", 10, 3), "y", "second"),
            Problem(Location("a.yaml", 2, 5), "z", "first"),
            Problem(Location("a.yaml", 2, 5), "z", "first"),
        ]
    )

    with pytest.raises(StackFileError) as raised:
        problems.raise_if_any()

    assert str(raised.value) == (
        "a.yaml:2:5: z: first\na.yaml:10:3: y: second\nb.yaml:1:1: x: third"
    )
    assert [problem.message for problem in raised.value.problems] == ["first", "second", "third"]
    assert len(problems) == 3


def test_an_empty_collector_does_not_raise() -> None:
    problems = Problems()

    problems.raise_if_any()

    assert not problems
    assert list(problems) == []


def test_a_long_value_quoted_in_a_problem_is_shown_by_its_start_and_end() -> None:
    name = "a" * 300 + "b" * 1_000 + "c" * 300
    problem = Problem(Location("s.yaml", 3, 7), "luxsci.aliases[0].alias", f"{name!r} is odd")

    shown = str(problem)

    assert shown.startswith("s.yaml:3:7: luxsci.aliases[0].alias: '" + "a" * 199 + "…(1,209 ")
    assert shown.endswith("characters not shown)…" + "c" * 192 + "' is odd")
    assert problem.message == f"{name!r} is odd"
