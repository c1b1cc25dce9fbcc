"""Loading YAML with locations: every key and item points back at the user's text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mailform.stackfile import Location, YamlSource, load_yaml, parse_yaml

LoadStack = Callable[[str], YamlSource]

ALIASES = """
luxsci:
  aliases:
    - alias: sales@example.com
      dest: [alice@example.com, bob@example.com]
      action: email
    - alias: info@example.com
      dest:
        - carol@example.com
      action: bounce
"""


def test_keys_items_and_nested_values_have_the_line_and_column_of_their_text(
    load_stack: LoadStack,
) -> None:
    source = load_stack(ALIASES)

    assert source.problems == ()
    assert source.location(("luxsci",)) == Location("stack.yaml", 1, 1)
    assert source.location(("luxsci", "aliases")) == Location("stack.yaml", 2, 3)
    assert source.location(("luxsci", "aliases", 1)) == Location("stack.yaml", 6, 7)
    assert source.location(("luxsci", "aliases", 1, "action")) == Location("stack.yaml", 9, 7)
    assert source.location(("luxsci", "aliases", 0, "dest", 1)) == Location("stack.yaml", 4, 33)
    assert source.location(("luxsci", "aliases", 1, "dest", 0)) == Location("stack.yaml", 8, 11)


def test_a_path_that_is_not_in_the_file_points_at_its_closest_ancestor(
    load_stack: LoadStack,
) -> None:
    source = load_stack(ALIASES)

    assert source.location(("luxsci", "aliases", 1, "status")) == Location("stack.yaml", 6, 7)
    assert source.location(("luxsci", "users", 0, "user")) == Location("stack.yaml", 1, 1)
    assert source.problem(
        ("luxsci", "aliases", 1, "status"), "required field is missing"
    ).field == ("luxsci.aliases[1].status")


def test_data_is_plain_python_so_pydantic_sees_ordinary_values(load_stack: LoadStack) -> None:
    source = load_stack(
        """
        servers:
          - host: rs999
            rate: 0x3E8
            ratio: 1.5
            auto_warmup: false
            note: |
              multi
              line
            owner: ~
            port: !!str 25
        """
    )

    server = source.data["servers"][0]
    assert server == {
        "host": "rs999",
        "rate": 1000,
        "ratio": 1.5,
        "auto_warmup": False,
        "note": "multi\nline\n",
        "owner": None,
        "port": "25",
    }
    assert type(source.data) is dict
    assert type(source.data["servers"]) is list
    assert [type(value) for value in server.values()] == [
        str,
        int,
        float,
        bool,
        str,
        type(None),
        str,
    ]


def test_a_syntax_error_is_one_problem_at_the_line_ruamel_reports(load_stack: LoadStack) -> None:
    source = load_stack(
        """
        luxsci:
          domains:
            - domain: example.com
             settings: {spam_filter: high}
        """
    )

    assert source.data is None
    [problem] = source.problems
    assert problem.location.line == 4
    assert problem.field == ""
    assert problem.message.startswith("invalid YAML: ")


def test_every_duplicate_key_is_reported_with_the_line_of_the_first(
    load_stack: LoadStack,
) -> None:
    source = load_stack(
        """
        luxsci:
          aliases:
            - alias: sales@example.com
              action: email
              action: bounce
          aliases: []
        """
    )

    assert [str(problem) for problem in source.problems] == [
        "stack.yaml:5:7: luxsci.aliases[0].action: duplicate key (first written at line 4)",
        "stack.yaml:6:3: luxsci.aliases: duplicate key (first written at line 2)",
    ]
    assert source.data["luxsci"]["aliases"][0]["action"] == "email"


def test_tags_and_sets_are_refused_because_they_are_ambiguous(load_stack: LoadStack) -> None:
    source = load_stack(
        """
        name: !vault abc
        groups: !!set {a, b}
        """
    )

    assert [(p.location.line, p.field, p.message) for p in source.problems] == [
        (1, "name", "YAML tags such as !vault are not supported"),
        (2, "groups", "YAML sets (!!set) are not supported; write a list"),
    ]


def test_keys_merged_from_an_anchor_point_at_the_mapping_that_merges_them(
    load_stack: LoadStack,
) -> None:
    source = load_stack(
        """
        defaults: &defaults
          action: email
        aliases:
          - <<: *defaults
            alias: sales@example.com
        """
    )

    assert source.data["aliases"][0] == {"alias": "sales@example.com", "action": "email"}
    assert source.location(("aliases", 0, "alias")) == Location("stack.yaml", 5, 5)
    assert source.location(("aliases", 0, "action")) == Location("stack.yaml", 4, 5)


def test_an_empty_file_has_no_data_and_no_problems(load_stack: LoadStack) -> None:
    source = load_stack("# nothing declared yet\n")

    assert source.data is None
    assert source.problems == ()


def test_two_documents_in_one_file_are_a_problem() -> None:
    source = parse_yaml("luxsci: {}\n---\nlianamailer: {}\n", "stack.yaml")

    [problem] = source.problems
    assert problem.location.line == 2
    assert "single document" in problem.message


def test_a_file_that_is_not_utf8_is_a_problem_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "stack.yaml"
    path.write_bytes(b"luxsci:\n  name: caf\xe9\n")

    source = load_yaml(path)

    [problem] = source.problems
    assert problem.location == Location(str(path), 2, 12)
    assert problem.message == "the file is not valid UTF-8 text (byte 0xe9); stack files are UTF-8"


def test_dates_and_times_are_the_text_written_as_yaml_1_2_has_no_timestamps(
    load_stack: LoadStack,
) -> None:
    source = load_stack(
        """
        domain: 2024-02-30
        name: 2024-13-01
        at: 2024-01-01T25:00:00
        ok: 2024-01-01
        equals: =
        merge: <<
        """
    )

    assert source.problems == ()
    assert source.data == {
        "domain": "2024-02-30",
        "name": "2024-13-01",
        "at": "2024-01-01T25:00:00",
        "ok": "2024-01-01",
        "equals": "=",
        "merge": "<<",
    }


def test_every_scalar_the_yaml_layer_cannot_build_is_a_problem_at_its_text(
    load_stack: LoadStack,
) -> None:
    source = load_stack(
        f"""
        a: !!timestamp 2024-01-01
        b: !!binary aGVsbG8=
        c: !!bool maybe
        d: !!int ""
        e: !!float twelve
        f: {"9" * 4301}
        g: .inf
        h: -.Inf
        i: .nan
        j: 1e999
        k: !!python/object:os.system x
        """
    )

    not_finite = "infinity and NaN are not values a stack file holds; quote it if it is text"
    assert [(p.location.line, p.location.column, p.field, p.message) for p in source.problems] == [
        (1, 4, "a", "YAML tags such as !!timestamp are not supported"),
        (2, 4, "b", "YAML tags such as !!binary are not supported"),
        (3, 4, "c", "invalid value: not a !!bool value"),
        (4, 4, "d", "invalid value: not a !!int value"),
        (5, 4, "e", "invalid value: not a !!float value"),
        (6, 4, "f", "a number of more than 4,300 digits, too long to read; quote it if it is text"),
        (7, 4, "g", not_finite),
        (8, 4, "h", not_finite),
        (9, 4, "i", not_finite),
        (10, 4, "j", not_finite),
        (11, 4, "k", "YAML tags such as !!python/object:os.system are not supported"),
    ]
    assert set(source.data.values()) == {None}


def test_a_key_the_yaml_layer_refuses_is_one_problem_and_no_key(load_stack: LoadStack) -> None:
    source = load_stack("? !!binary aGk=\n: 1\n.nan: 2\nok: 3\n")

    assert [(p.location.line, p.message) for p in source.problems] == [
        (1, "YAML tags such as !!binary are not supported"),
        (3, "infinity and NaN are not values a stack file holds; quote it if it is text"),
    ]
    assert source.data == {"ok": 3}


def test_a_lone_surrogate_escape_is_a_problem_at_its_string() -> None:
    # The C parser refuses the escape itself; the pure-Python one builds the string, which
    # is then refused: either way, one problem on line 2 and no such text in the data.
    source = parse_yaml('ok: 1\nname: "ab\\ud800"\n', "stack.yaml")

    [problem] = source.problems
    assert problem.location.line == 2
    assert "\ud800" not in str(source.data)
