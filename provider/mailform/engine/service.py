"""What the engine needs to know about a service: its object types and how to connect."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from mailform.engine.objecttype import ObjectType
from mailform.engine.session import Session


@dataclass(frozen=True)
class Service:
    """A service mailform manages (LuxSci, LianaMailer).

    ``object_types`` are put in dependency order (parents first) from what each type
    ``refers_to``: the plan, export and the Pulumi program all take this one order, so it
    can never contradict the references. ``connect`` builds a session from keyword options
    (``credentials``, ``rate_limit`` per minute…), reading credentials from the environment
    unless they are given. ``owners`` lists the users whose user-scope objects an export
    reads (none for a service without user-scope objects).
    """

    name: str
    title: str
    object_types: tuple[ObjectType[Any], ...]
    connect: Callable[..., Session[Any]]
    owners: Callable[[Session[Any]], frozenset[str]] = lambda session: frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "object_types", dependency_order(self.object_types))

    def type_named(self, name: str) -> ObjectType[Any]:
        """The object type with this stack-file key."""
        for object_type in self.object_types:
            if object_type.name == name:
                return object_type
        raise KeyError(f"{self.name} has no object type {name!r}")


def dependency_order(types: Iterable[ObjectType[Any]]) -> tuple[ObjectType[Any], ...]:
    """``types`` with every type after the types it refers to, otherwise in the given order
    (a stable topological sort). Raises ``ValueError`` naming the types of a cycle, or a
    type referred to that is not among ``types``."""
    given = list(types)
    names = {id(object_type): object_type.name for object_type in given}
    for object_type in given:
        unknown = [t.name for t in object_type.refers_to if id(t) not in names]
        if unknown:
            raise ValueError(f"{object_type.name} refers to types not registered: {unknown}")
    ordered: list[ObjectType[Any]] = []
    placed: set[int] = set()
    while len(ordered) < len(given):
        ready = next(
            (
                t
                for t in given
                if id(t) not in placed
                and all(id(parent) in placed or parent is t for parent in t.refers_to)
            ),
            None,
        )
        if ready is None:
            cycle = sorted(t.name for t in given if id(t) not in placed)
            raise ValueError(f"the object types refer to each other in a cycle: {cycle}")
        ordered.append(ready)
        placed.add(id(ready))
    return tuple(ordered)
