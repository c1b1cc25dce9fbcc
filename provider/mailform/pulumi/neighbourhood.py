"""What a new resource's ``check`` judges it against: its neighbourhood, not the account.

The engine checks a deployment's resources one at a time, and each new one is judged by the
CLI plan's own rules (``build_plan``) together with the live account and the new resources
checked before it. Giving ``build_plan`` everything every time costs the size of the account
and of the deployment per check: a deployment of 5,000 new aliases would make 25 million
comparisons. Every rule about a new object looks at a few others only, so the check hands
``build_plan`` those and nothing else:

- the live object with its key, or with its previous key (an adoption, a rename);
- the live objects holding something it claims (its address in a namespace shared with
  another type, a value the API keeps unique);
- the live objects and the earlier new ones under the parent whose capacity it counts
  against (the other aliases and the users of its domain: ``capacity_parent``);
- and, for the 24-hour create budget, counts instead of objects: the budget it is judged
  against is the integration's, less the creates of every other new resource of its type
  and the account's recent creates that the neighbourhood leaves out.

``LiveIndex`` answers the live part from indexes built once per read of the account.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from mailform.engine.diff import DeclaredObject
from mailform.engine.limits import DAY
from mailform.engine.objecttype import LiveObject, ObjectId, ObjectType

#: What an object holds that another may claim: a key in a namespace, or a unique value.
Holding = tuple[str, ...]


def required_targets(object_type: ObjectType[Any], fields: dict[str, Any]) -> set[ObjectId]:
    """The parents whose capacity the object counts against (``capacity_parent``: an
    alias's or a user's domain). Other parents have no rule about their children together:
    a thousand new lists on one site are each judged alone, not against each other."""
    parent = object_type.capacity_parent
    if parent is None:
        return set()
    return {
        ref.target
        for ref in object_type.references(fields)
        if ref.required
        and ref.target.type_name == parent.name
        and ref.target.service == parent.service
    }


def holdings(
    object_type: ObjectType[Any], object_id: ObjectId, fields: dict[str, Any]
) -> set[Holding]:
    """What an object holds that a new one may not also hold."""
    held: set[Holding] = set()
    if object_type.namespace is not None:
        held.add((object_id.service, "namespace", object_type.namespace, *object_id.key))
    owner = object_type.owner_of(fields) or ""
    for name in object_type.unique_fields:
        value = fields.get(name)
        if value not in (None, ""):
            held.add((object_id.service, object_type.name, owner, name, str(value)))
    return held


class LiveIndex:
    """Live objects of some types, indexed by id, by what they hold and by what they need;
    and how many of each type the account added in the past 24 hours."""

    def __init__(
        self, live: Iterable[LiveObject], types: Iterable[ObjectType[Any]], *, now: float
    ) -> None:
        by_name = {object_type.name: object_type for object_type in types}
        self.by_id: dict[ObjectId, LiveObject] = {}
        self._holders: dict[Holding, list[LiveObject]] = {}
        self._needing: dict[ObjectId, list[LiveObject]] = {}
        self.recent: dict[str, int] = {}
        for obj in live:
            object_type = by_name[obj.id.type_name]
            self.by_id[obj.id] = obj
            for held in holdings(object_type, obj.id, obj.fields):
                self._holders.setdefault(held, []).append(obj)
            for target in required_targets(object_type, obj.fields):
                self._needing.setdefault(target, []).append(obj)
            added = object_type.created_at(obj)
            if added is not None and now - added < DAY:
                self.recent[object_type.name] = self.recent.get(object_type.name, 0) + 1

    @classmethod
    def of(cls, live: Iterable[LiveObject], types: Iterable[ObjectType[Any]]) -> LiveIndex:
        """The index of ``live``, counting recent creates at the current time."""
        return cls(live, types, now=time.time())

    def near(self, obj: DeclaredObject) -> list[LiveObject]:
        """The live objects the rules about ``obj`` look at (module docstring), each once."""
        object_type, fields = obj.object_type, obj.fields
        found: dict[ObjectId, LiveObject] = {}
        previous = object_type.previous_id(fields)
        for object_id in (obj.id, previous):
            if object_id is not None and object_id in self.by_id:
                found[object_id] = self.by_id[object_id]
        for held in holdings(object_type, obj.id, fields):
            found.update((o.id, o) for o in self._holders.get(held, ()))
        for target in required_targets(object_type, fields):
            found.update((o.id, o) for o in self._needing.get(target, ()))
        return list(found.values())

    def recent_among(self, objects: Iterable[LiveObject], object_type: ObjectType[Any]) -> int:
        """How many of ``objects`` of ``object_type`` the account added in the past day (the
        count ``build_plan`` makes of what it is given)."""
        now = time.time()
        return sum(
            1
            for obj in objects
            if obj.id.type_name == object_type.name
            and (added := object_type.created_at(obj)) is not None
            and now - added < DAY
        )
