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

from collections.abc import Iterable
from dataclasses import dataclass

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
    return [*_namespace_clashes(objects), *_unique_value_clashes(objects)]


def _namespace_clashes(objects: Iterable[DeclaredObject]) -> list[Clash]:
    first: dict[tuple[str, str, tuple[str, ...]], DeclaredObject] = {}
    found: list[Clash] = []
    for obj in objects:
        namespace = obj.object_type.namespace
        if namespace is None:
            continue
        other = first.setdefault((obj.object_type.service, namespace, obj.id.key), obj)
        if other is obj or other.object_type is obj.object_type:
            continue
        kinds = " and ".join(sorted(t.title for t in (obj.object_type, other.object_type)))
        found.append(
            Clash(
                obj,
                other,
                obj.object_type.key_fields[-1],
                f"{' / '.join(obj.id.key)} is declared as a {other.object_type.title} too"
                f"{_where(other)}; {kinds} objects share one namespace, so it can be only "
                "one of them",
            )
        )
    return found


def _unique_value_clashes(objects: Iterable[DeclaredObject]) -> list[Clash]:
    first: dict[tuple[str, str, str | None, str, str], DeclaredObject] = {}
    found: list[Clash] = []
    for obj in objects:
        object_type = obj.object_type
        fields = obj.fields
        for name in object_type.unique_fields:
            value = fields.get(name)
            if value in (None, ""):
                continue
            slot = (object_type.service, object_type.name, object_type.owner_of(fields), name)
            other = first.setdefault((*slot, str(value)), obj)
            if other is obj:
                continue
            found.append(
                Clash(
                    obj,
                    other,
                    name,
                    f"{value!r} is also the {name} of {object_type.title} "
                    f"{' / '.join(other.id.key)}{_where(other)}; the API keeps it unique",
                )
            )
    return found


def _where(obj: DeclaredObject) -> str:
    return f" (line {obj.location.line})" if obj.location else ""
