"""An object type's description: how it names the objects it refers to."""

from __future__ import annotations

from typing import Any

import pytest

from mailform.engine.objecttype import Reference
from mailform.services.lianamailer.service import OBJECT_TYPES as LIANAMAILER_TYPES
from mailform.services.luxsci.objects.domain import DOMAINS


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
