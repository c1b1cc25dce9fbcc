"""The limits on nesting and size: a file over one is one located problem, found quickly."""

from __future__ import annotations

import time

import pytest

from mailform.stackfile import Location, limits, parse_yaml, source
from mailform.stackfile.limits import MAX_DEPTH


def laughs(levels: int, width: int = 9) -> str:
    """The "billion laughs": each level an anchored list of `width` aliases of the last."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """`MAX_NODES` at 1,000, so that a file over it stays small."""
    monkeypatch.setattr(limits, "MAX_NODES", 1_000)
    monkeypatch.setattr(source, "MAX_NODES", 1_000)
    return 1_000


def test_nesting_at_the_limit_loads_and_one_level_more_is_refused_where_it_goes_over() -> None:
    at_limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    # The top mapping, a's mapping, then lists from column 6: the list at column 67 is at
    # level 64, and what it holds goes over.
    over = "a:\n  b: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"

    assert parse_yaml(at_limit, "s.yaml").problems == ()
    [problem] = parse_yaml(over, "s.yaml").problems
    assert problem.location == Location("s.yaml", 2, 6 + MAX_DEPTH - 3)
    assert problem.message.startswith(f"nested more than {MAX_DEPTH} levels deep")


def test_nesting_that_would_crash_the_composer_is_refused_in_no_time() -> None:
    started = time.perf_counter()

    [problem] = parse_yaml("[" * 200_000 + "]" * 200_000, "s.yaml").problems

    assert time.perf_counter() - started < 1
    assert problem.location == Location("s.yaml", 1, MAX_DEPTH)


def test_a_billion_laughs_is_refused_at_the_line_that_multiplies_past_the_limit() -> None:
    started = time.perf_counter()

    source_ = parse_yaml(laughs(9), "s.yaml")

    assert time.perf_counter() - started < 1
    assert source_.data is None
    [problem] = source_.problems
    assert problem.location == Location("s.yaml", 7, 5)  # l6: 9**7 values, past 1,000,000
    assert problem.message.startswith("the file holds more than 1,000,000 values")


def test_aliases_count_as_the_values_they_repeat(small_limit: int) -> None:
    # 1 + 3 * (1 + 400) values once expanded, in a file of about 400.
    text = "base: &b [" + ", ".join(["x"] * 399) + "]\nuses: [*b, *b]\n"

    [problem] = parse_yaml(text, "s.yaml").problems

    assert problem.message.startswith(f"the file holds more than {small_limit:,} values")
    assert parse_yaml("base: &b [x, y]\nuses: [*b, *b]\n", "s.yaml").problems == ()


def test_a_file_with_more_values_than_the_limit_is_refused_while_it_is_composed(
    small_limit: int,
) -> None:
    [problem] = parse_yaml("[" + "x, " * small_limit + "]", "s.yaml").problems

    assert problem.location == Location("s.yaml", 1, 1)
    assert "more than 1,000 values" in problem.message


def test_aliases_that_nest_deeper_than_the_limit_are_refused() -> None:
    half = MAX_DEPTH // 2 + 1
    text = f"a: &a {'[' * half}x{']' * half}\nb: &b {'[' * half}*a{']' * half}\n"

    [problem] = parse_yaml(text, "s.yaml").problems

    assert problem.message.startswith(f"nested more than {MAX_DEPTH} levels deep")


def test_an_alias_inside_the_collection_it_names_is_refused() -> None:
    for text in ("a: &a [x, *a]\n", "a: &a {b: *a}\n", "a: &a {<<: *a}\n"):
        [problem] = parse_yaml(text, "s.yaml").problems
        assert problem.location == Location("s.yaml", 1, 4), text
        assert "repeats a collection that holds it" in problem.message


def test_a_repeated_value_is_built_once_and_located_at_its_anchor_and_its_uses() -> None:
    text = "defaults: &d\n  dest: [ann@example.com]\nfirst: *d\nsecond: *d\n"

    loaded = parse_yaml(text, "s.yaml")

    assert loaded.problems == ()
    assert loaded.data["second"] == {"dest": ["ann@example.com"]}
    assert loaded.data["second"] is loaded.data["first"] is loaded.data["defaults"]
    assert loaded.location(("defaults", "dest")) == Location("s.yaml", 2, 3)
    assert loaded.location(("second", "dest")) == Location("s.yaml", 4, 1)
