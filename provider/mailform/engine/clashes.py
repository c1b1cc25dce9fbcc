"""Rules between declared objects: what two declarations may not share.

Besides its natural key, an object can hold something the API keeps unique across objects:
a LuxSci address is a user or an alias, never both (a *namespace* shared by two types), and
a template's code word is unique among its owner's templates (a *unique field*). Two
declarations that claim the same one would pass every per-object check and fail at apply.

``clashes`` finds them in any list of declared objects. The stack-file loader reports them
at the later declaration's line; the Pulumi provider asks the same question of the
resources one deployment declares, which it sees one ``check`` at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from mailform.engine.diff import DeclaredObject


@dataclass(frozen=True)
class Clash:
    """``obj`` claims what ``other`` (declared before it) holds; ``field`` is the field
    of ``obj`` the message is about."""

    obj: DeclaredObject
    other: DeclaredObject
    field: str
    message: str


def clashes(objects: Iterable[DeclaredObject]) -> list[Clash]:
    """Every clash in ``objects``, each reported once, on the later of the two."""
    index = ClashIndex()
    return [clash for obj in objects for clash in index.add(obj)]


#: What a declaration claims: (service, ``namespace:NAME`` or its type, owner, what, value).
Claim = tuple[str, str, str | None, str, str]


class ClashIndex:
    """The claims of the declarations added so far, in order: ``add`` answers how a new one
    clashes with them in constant time, so that a deployment of thousands of resources,
    judged one ``check`` at a time, costs what one pass over them costs. Not thread-safe:
    the caller holds its own lock."""

    def __init__(self) -> None:
        self._holders: dict[Claim, list[DeclaredObject]] = {}
        self._claims: dict[int, list[Claim]] = {}

    def add(self, obj: DeclaredObject) -> list[Clash]:
        """Record ``obj``'s claims; answer its clashes with the objects added before it."""
        found: list[Clash] = []
        claims: list[Claim] = []
        for claim, field, message in _claims(obj):
            holders = self._holders.setdefault(claim, [])
            # Nearly every claim is the first of its value: nothing to look through.
            other = next((h for h in holders if _clashes(obj, h, claim)), None) if holders else None
            if other is not None:
                found.append(Clash(obj, other, field, message(other)))
            holders.append(obj)
            claims.append(claim)
        self._claims[id(obj)] = claims
        return found

    def remove(self, obj: DeclaredObject) -> None:
        """Forget ``obj``'s claims (a withdrawn or replaced declaration)."""
        for claim in self._claims.pop(id(obj), []):
            holders = self._holders.get(claim, [])
            holders[:] = [h for h in holders if h is not obj]
            if not holders:
                self._holders.pop(claim, None)


def _clashes(obj: DeclaredObject, other: DeclaredObject, claim: Claim) -> bool:
    """Whether ``other``, holding ``claim`` already, clashes with ``obj``: in a namespace,
    only an object of another type does (two of one type are a duplicate key, which the
    key check reports)."""
    if claim[1].startswith("namespace:"):
        return other.object_type is not obj.object_type
    return True


def _claims(
    obj: DeclaredObject,
) -> Iterable[tuple[Claim, str, Callable[[DeclaredObject], str]]]:
    """Each claim of ``obj``, the field it is in, and how a clash over it is worded."""
    object_type = obj.object_type
    if object_type.namespace is not None:

        def in_namespace(other: DeclaredObject) -> str:
            shown = " / ".join(obj.id.key)
            kinds = " and ".join(sorted(t.title for t in (obj.object_type, other.object_type)))
            return (
                f"{shown} is declared as a {other.object_type.title} too{_where(other)}; "
                f"{kinds} objects share one namespace, so it can be only one of them"
            )

        key = "\x1f".join(obj.id.key)
        namespace = f"namespace:{object_type.namespace}"
        field = object_type.key_fields[-1]
        yield (object_type.service, namespace, None, "key", key), field, in_namespace
    fields = obj.fields
    for name in object_type.unique_fields:
        value = fields.get(name)
        if value in (None, ""):
            continue

        def unique(other: DeclaredObject, name: str = name, value: Any = value) -> str:
            return (
                f"{value!r} is also the {name} of {object_type.title} "
                f"{' / '.join(other.id.key)}{_where(other)}; the API keeps it unique"
            )

        owner = object_type.owner_of(fields)
        yield (object_type.service, object_type.name, owner, name, str(value)), name, unique


def _where(obj: DeclaredObject) -> str:
    return f" (line {obj.location.line})" if obj.location else ""
