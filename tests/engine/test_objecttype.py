"""An object type's description: how it names the objects it refers to, and how it reads a
live value into the model's normal form."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mailform.engine.objecttype import (
    ObjectType,
    Reference,
    field_adapter,
    field_normalisers,
)
from mailform.services.lianamailer.service import OBJECT_TYPES as LIANAMAILER_TYPES
from mailform.services.luxsci.objects.domain import DOMAINS
from mailform.services.luxsci.service import OBJECT_TYPES as LUXSCI_TYPES

ALL_TYPES: list[ObjectType[Any]] = [*LUXSCI_TYPES, *LIANAMAILER_TYPES]

#: Values a live account may hold in any field: the usual, and the odd ones a validator
#: treats apart (a bool is an int, text may be a number, case, spaces, non-ASCII, lists
#: given as text, nested values, bytes).
ODD_VALUES: list[Any] = [
    True,
    False,
    0,
    1,
    -7,
    2**70,
    1.0,
    1.5,
    float("nan"),
    "",
    " ",
    "0",
    "1",
    "1.5",
    "true",
    "False",
    "none",
    "email",
    "Bounce",
    "enabled",
    "DISABLED",
    "Ann@Example.COM",
    " ann@example.com ",
    "ann@example.com.",
    "ÄNN@exämple.com",
    "ann@@example.com",
    "example.com",
    "Example.COM.",
    "b@example.com, A@example.com",
    "ünïcödé",
    "\x00",
    b"ann@example.com",
    [],
    ["b@example.com", "A@Example.com", "a@example.com"],
    ["example.com", "Example.COM"],
    [1, True],
    [None],
    ("ann@example.com",),
    {"ann@example.com"},
    {},
    {"a": 1},
    {"key": "Value", "n": 2},
    [{"id": 1}],
    object(),
]


def _validated(normalise: Any, value: Any) -> tuple[str, Any]:
    try:
        return ("valid", normalise(value))
    except ValidationError as error:
        return ("invalid", [(e["type"], e["loc"]) for e in error.errors()])


def _same_result(one: tuple[str, Any], other: tuple[str, Any]) -> bool:
    """Equal, and of the same types through lists and mappings (``1 == True``), with NaN
    equal to itself."""
    if type(one) is not type(other):
        return False
    if isinstance(one, (list, tuple)):
        return len(one) == len(other) and all(map(_same_result, one, other))
    if isinstance(one, dict):
        return one.keys() == other.keys() and all(_same_result(one[k], other[k]) for k in one)
    if isinstance(one, float) and one != one:
        return other != other
    return bool(one == other)


@pytest.mark.parametrize("object_type", ALL_TYPES, ids=lambda t: f"{t.service}.{t.name}")
def test_a_live_value_is_normalised_as_the_field_validator_would(
    object_type: ObjectType[Any],
) -> None:
    normalisers = field_normalisers(object_type.model)
    assert normalisers.keys() == object_type.model.model_fields.keys()
    for name, normalise in normalisers.items():
        adapter = field_adapter(object_type.model, name)
        for value in ODD_VALUES:
            expected = _validated(adapter.validate_python, value)
            assert _same_result(_validated(normalise, value), expected), (name, value)


@pytest.mark.parametrize("object_type", ALL_TYPES, ids=lambda t: f"{t.service}.{t.name}")
def test_a_live_row_keeps_each_value_its_field_rejects_as_read(
    object_type: ObjectType[Any],
) -> None:
    for value in ODD_VALUES:
        row = {name: value for name in object_type.model.model_fields} | {"unknown": value}
        expected = dict(row)
        for name in object_type.model.model_fields:
            outcome, normal = _validated(
                field_adapter(object_type.model, name).validate_python, value
            )
            if outcome == "valid":
                expected[name] = normal
        assert _same_result(object_type.normalise_live(row), expected), value


def test_a_reference_by_text_is_made_once_and_equals_a_new_one() -> None:
    first = DOMAINS.reference("example.com", field="alias", blocks_delete=True)
    again = DOMAINS.reference("example.com", field="alias", blocks_delete=True)
    assert first is again
    assert first == Reference(DOMAINS.object_id("example.com"), "alias", True, True)
    assert DOMAINS.reference("example.com", field="user") == Reference(
        DOMAINS.object_id("example.com"), "user"
    )


@pytest.mark.parametrize(
    ("part", "key"),
    [(1, "1"), (True, "True"), (1.0, "1.0"), (None, "None"), (["x"], "['x']")],
)
def test_a_reference_by_another_value_names_it_as_text(part: Any, key: str) -> None:
    reference = DOMAINS.reference(part, field="alias")
    assert reference.target.key == (key,)
    assert DOMAINS.reference(key, field="alias").target == reference.target


def test_a_reference_keeps_the_types_rule_for_keys() -> None:
    properties = next(t for t in LIANAMAILER_TYPES if t.name == "properties")
    one = properties.reference(" Postal Code ", field="condition", required=False)
    other = properties.reference("postal code", field="condition", required=False)
    assert one.target == other.target == properties.object_id("postal code")
    assert one.required is False
