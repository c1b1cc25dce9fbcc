"""What the engine needs to know about a service: its object types and how to connect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mailform.engine.objecttype import ObjectType
from mailform.engine.session import Session


@dataclass(frozen=True)
class Service:
    """A service mailform manages (LuxSci, LianaMailer).

    ``object_types`` are in dependency order (parents first). ``connect`` builds a session
    from keyword options (``credentials``, ``rate_limit`` per minute…), reading credentials
    from the environment unless they are given. ``owners`` lists the users whose
    user-scope objects an export reads (none for a service without user-scope objects).
    """

    name: str
    title: str
    object_types: tuple[ObjectType, ...]
    connect: Callable[..., Session[Any]]
    owners: Callable[[Session[Any]], frozenset[str]] = lambda session: frozenset()

    def type_named(self, name: str) -> ObjectType:
        """The object type with this stack-file key."""
        for object_type in self.object_types:
            if object_type.name == name:
                return object_type
        raise KeyError(f"{self.name} has no object type {name!r}")
