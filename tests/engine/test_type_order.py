"""Each service's type order comes from what each type refers to: a reference to a type the
type does not list in ``refers_to`` (which would let the order contradict the references)
fails here, as does a cycle."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from mailform.engine.objecttype import Declared, LiveObject, ObjectType
from mailform.engine.service import dependency_order
from mailform.engine.stack import load_stack
from mailform.services import SERVICES, catalog

EXAMPLES = Path(__file__).parents[2] / "examples"
STACKS = [EXAMPLES / "accounts.yaml", EXAMPLES.parent / "stacks" / "dev.yaml"]


@pytest.mark.parametrize("path", STACKS, ids=lambda path: path.name)
def test_every_reference_points_at_an_earlier_type_the_type_names(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOB_PASSWORD", "Demo-pass-123")
    stack = load_stack(path, catalog())
    for obj in stack.objects:
        service = SERVICES[obj.id.service]
        order = [t.name for t in service.object_types]
        for reference in obj.object_type.references(obj.value.model_dump()):
            target = service.type_named(reference.target.type_name)
            assert target in obj.object_type.refers_to, (obj.id, reference.target)
            assert order.index(target.name) < order.index(obj.object_type.name)


def test_every_type_comes_after_the_types_it_refers_to() -> None:
    for service in SERVICES.values():
        seen: set[str] = set()
        for object_type in service.object_types:
            assert {t.name for t in object_type.refers_to} <= seen | {object_type.name}
            seen.add(object_type.name)


class _Model(Declared):
    name: str


def _type(type_name: str, parents: tuple[ObjectType[Any], ...] = ()) -> ObjectType[Any]:
    class _Type(ObjectType[_Model]):
        service = "test"
        name = type_name
        title = type_name.title()
        model = _Model
        key_fields = ("name",)
        refers_to: ClassVar[tuple[ObjectType[Any], ...]] = parents

        def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
            return []

    return _Type()


def test_the_order_is_stable_and_puts_parents_first() -> None:
    a = _type("a")
    b = _type("b", (a,))
    c = _type("c")
    assert [t.name for t in dependency_order([b, c, a])] == ["c", "a", "b"]


def test_a_cycle_or_an_unregistered_type_is_an_error() -> None:
    a = _type("a")
    b = _type("b", (a,))
    type(a).refers_to = (b,)
    with pytest.raises(ValueError, match=r"cycle: \['a', 'b'\]"):
        dependency_order([a, b])
    with pytest.raises(ValueError, match="refers to types not registered"):
        dependency_order([b])
