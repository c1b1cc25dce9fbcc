"""Validating declared objects: every pydantic error becomes a located, readable problem."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, field_validator

from mailform.stackfile import (
    Problems,
    StackFileError,
    Validated,
    YamlSource,
    check_unique,
    validate_objects,
)

LoadStack = Callable[[str], YamlSource]


class Alias(BaseModel):
    model_config = ConfigDict(extra="forbid")

    alias: str
    dest: list[str] = []
    action: Literal["email", "bounce"] = "email"
    status: Literal["enabled", "disabled"] = "enabled"

    @field_validator("alias")
    @classmethod
    def _must_be_an_address(cls, alias: str) -> str:
        if "@" not in alias:
            raise ValueError("must be an email address (name@domain)")
        return alias


class SpamFilter(enum.Enum):
    LOW = "low"
    HIGH = "high"


class DomainSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spam_filter: SpamFilter | None = None
    greylisting: bool | None = None


class Domain(BaseModel):
    model_config = ConfigDict(extra="forbid")

    domain: str
    settings: DomainSettings | None = None
    protected: bool = False


class Server(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str
    rate: int
    auto_warmup: bool = False


def problems_of(source: YamlSource, model: type[BaseModel], *path: str | int) -> list[tuple]:
    """Validate the list at `path` and give each problem as (line, field, message, allowed)."""
    items = source.data
    for part in path:
        items = items[part]
    _, problems = validate_objects(items, model, path, source)
    return [(p.location.line, p.field, p.message, p.allowed) for p in problems]


def test_valid_objects_come_back_with_the_path_they_were_declared_at(
    load_stack: LoadStack,
) -> None:
    source = load_stack(
        """
        luxsci:
          aliases:
            - alias: sales@example.com
              dest: [alice@example.com]
            - alias: info@example.com
              action: bounce
        """
    )

    aliases, problems = validate_objects(
        source.data["luxsci"]["aliases"], Alias, ("luxsci", "aliases"), source
    )

    assert problems == []
    assert aliases == [
        Validated(
            Alias(alias="sales@example.com", dest=["alice@example.com"]), ("luxsci", "aliases", 0)
        ),
        Validated(Alias(alias="info@example.com", action="bounce"), ("luxsci", "aliases", 1)),
    ]


def test_an_unknown_key_lists_the_allowed_keys_and_suggests_the_closest(
    load_stack: LoadStack,
) -> None:
    source = load_stack(
        """
        aliases:
          - alias: sales@example.com
            acton: bounce
        """
    )

    assert problems_of(source, Alias, "aliases") == [
        (
            3,
            "aliases[0].acton",
            "unknown key (did you mean 'action'?)",
            ("alias", "dest", "action", "status"),
        )
    ]


def test_an_unknown_key_in_a_nested_object_lists_that_object_s_keys(
    load_stack: LoadStack,
) -> None:
    source = load_stack(
        """
        domains:
          - domain: example.com
            settings:
              spam_filter: high
              virus_scan: true
        """
    )

    assert problems_of(source, Domain, "domains") == [
        (5, "domains[0].settings.virus_scan", "unknown key", ("spam_filter", "greylisting"))
    ]


def test_a_missing_required_field_points_at_the_object_that_lacks_it(
    load_stack: LoadStack,
) -> None:
    source = load_stack(
        """
        servers:
          - host: rs1
            rate: 100
          - auto_warmup: true
        """
    )

    assert problems_of(source, Server, "servers") == [
        (4, "servers[1].host", "required field is missing", ()),
        (4, "servers[1].rate", "required field is missing", ()),
    ]


def test_a_value_outside_a_literal_or_enum_lists_the_allowed_values(
    load_stack: LoadStack,
) -> None:
    aliases = load_stack(
        """
        aliases:
          - alias: sales@example.com
            action: forward
        """
    )
    assert problems_of(aliases, Alias, "aliases") == [
        (3, "aliases[0].action", "not an allowed value", ("email", "bounce"))
    ]

    domains = load_stack(
        """
        domains:
          - domain: example.com
            settings: {spam_filter: extreme}
        """
    )
    assert problems_of(domains, Domain, "domains") == [
        (3, "domains[0].settings.spam_filter", "not an allowed value", ("low", "high"))
    ]


def test_a_wrong_type_says_what_is_expected_and_what_was_written(load_stack: LoadStack) -> None:
    source = load_stack(
        """
        servers:
          - host: [rs1, rs2]
            rate: fast
            auto_warmup: sometimes
          - host:
            rate: 1.5
        """
    )

    assert problems_of(source, Server, "servers") == [
        (2, "servers[0].host", "expected a string, got a list", ()),
        (3, "servers[0].rate", "expected a whole number, got a string", ()),
        (4, "servers[0].auto_warmup", "expected true or false, got a string", ()),
        (5, "servers[1].host", "expected a string, got nothing (null)", ()),
        (6, "servers[1].rate", "expected a whole number, got a decimal number", ()),
    ]


def test_a_wrong_type_inside_a_list_points_at_the_item(load_stack: LoadStack) -> None:
    source = load_stack(
        """
        aliases:
          - alias: sales@example.com
            dest:
              - alice@example.com
              - {name: bob}
        """
    )

    assert problems_of(source, Alias, "aliases") == [
        (5, "aliases[0].dest[1]", "expected a string, got a mapping", ())
    ]


def test_a_custom_validator_message_is_shown_as_written(load_stack: LoadStack) -> None:
    source = load_stack(
        """
        aliases:
          - alias: sales
        """
    )

    assert problems_of(source, Alias, "aliases") == [
        (2, "aliases[0].alias", "must be an email address (name@domain)", ())
    ]


def test_items_that_are_not_mappings_and_lists_that_are_not_lists_are_problems(
    load_stack: LoadStack,
) -> None:
    source = load_stack(
        """
        aliases:
          - sales@example.com
        servers:
        """
    )

    assert problems_of(source, Alias, "aliases") == [
        (
            2,
            "aliases[0]",
            "expected a mapping of Alias fields, got a string",
            ("alias", "dest", "action", "status"),
        )
    ]
    assert problems_of(source, Server, "servers") == [
        (
            3,
            "servers",
            "expected a list of Server objects, got nothing (null); write [] for none",
            (),
        )
    ]


def test_all_problems_of_a_file_are_reported_at_once_in_line_order(
    load_stack: LoadStack,
) -> None:
    source = load_stack(
        """
        luxsci:
          servers:
            - host: rs1
              rate: fast
          aliases:
            - alias: sales@example.com
              action: forward
            - alias: sales@example.com
              status: enabled
              status: disabled
        """
    )
    problems = Problems(source.problems)

    aliases, found = validate_objects(
        source.data["luxsci"]["aliases"], Alias, ("luxsci", "aliases"), source
    )
    problems.extend(found)
    _, found = validate_objects(
        source.data["luxsci"]["servers"], Server, ("luxsci", "servers"), source
    )
    problems.extend(found)
    problems.extend(check_unique(aliases, lambda alias: alias.alias, "alias", source))

    with pytest.raises(StackFileError) as raised:
        problems.raise_if_any()
    assert str(raised.value).splitlines() == [
        "stack.yaml:4:7: luxsci.servers[0].rate: expected a whole number, got a string",
        "stack.yaml:7:7: luxsci.aliases[0].action: not an allowed value (allowed: email, bounce)",
        "stack.yaml:10:7: luxsci.aliases[1].status: duplicate key (first written at line 9)",
    ]


def test_duplicate_natural_keys_point_at_each_repeat_and_name_the_first_line(
    load_stack: LoadStack,
) -> None:
    source = load_stack(
        """
        aliases:
          - alias: sales@example.com
          - alias: info@example.com
          - alias: sales@example.com
            action: bounce
          - alias: sales@example.com
        """
    )
    aliases, _ = validate_objects(source.data["aliases"], Alias, ("aliases",), source)

    problems = check_unique(aliases, lambda alias: alias.alias, "alias", source)

    assert [str(problem) for problem in problems] == [
        "stack.yaml:4:5: aliases[2]: duplicate alias 'sales@example.com' "
        "(first declared at line 2)",
        "stack.yaml:6:5: aliases[3]: duplicate alias 'sales@example.com' "
        "(first declared at line 2)",
    ]


def test_keys_within_an_owner_are_unique_per_owner(load_stack: LoadStack) -> None:
    class CustomField(BaseModel):
        model_config = ConfigDict(extra="forbid")

        owner: str
        code_word: str

    source = load_stack(
        """
        custom_fields:
          - {owner: staging@example.com, code_word: first_name}
          - {owner: marketing@example.com, code_word: first_name}
          - {owner: staging@example.com, code_word: first_name}
        """
    )
    fields, _ = validate_objects(
        source.data["custom_fields"], CustomField, ("custom_fields",), source
    )

    problems = check_unique(fields, lambda f: (f.owner, f.code_word), "custom field", source)

    assert [(p.location.line, p.message) for p in problems] == [
        (4, "duplicate custom field 'staging@example.com / first_name' (first declared at line 2)")
    ]


def test_a_value_the_yaml_layer_refused_is_not_reported_again_as_null(
    load_stack: LoadStack,
) -> None:
    source = load_stack(
        """
        servers:
          - host: !!binary cnMx
            rate: .inf
        """
    )

    assert [problem.field for problem in source.problems] == ["servers[0].host", "servers[0].rate"]
    assert problems_of(source, Server, "servers") == []
