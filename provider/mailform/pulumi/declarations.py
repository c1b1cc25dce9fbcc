"""What one deployment declares of an account, as far as this provider process was told.

The engine asks the provider about one resource at a time (``check``), but some rules are
about many objects: the 24-hour create budgets, a domain's alias capacity, an address that
two new resources both claim, and one live object that two resources both manage. The
plugin process serves one deployment (a preview, or the update of an ``up``), and the
engine checks every resource of the program before it is created, parents first. So the
process keeps the declarations it has checked, per account: each new ``check`` is judged
together with those before it, and the check that breaks a rule is the one that fails.

A resource is known by its stack, its type and its resource name (the hidden input
``__name``: ``dev/sales``), so a resource checked twice replaces its own declaration, and a
second resource of the stack with the same natural key is a conflict. (One process serves
one stack; the stack keeps a process that serves several, as a test may, from mixing them.)
A declaration whose check failed is withdrawn: it will not be
created, and the rules are about what will. And a resource removed from the program whose
object a new resource of the deployment adopted (a resource renamed without an ``aliases``
option) is not deleted: its delete comes after the adoption, and would destroy the object
the new resource now manages.

What this cannot see: a resource not yet checked when an earlier one is judged. The
engine checks in the order the program registers, so an alias checked before the user
whose mailbox raises the domain's alias capacity is judged without that user.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property

from mailform.engine.clashes import Clash, ClashIndex
from mailform.engine.diff import DeclaredObject
from mailform.engine.objecttype import ObjectId
from mailform.pulumi.neighbourhood import required_targets


@dataclass(frozen=True)
class Declaration:
    """A resource's declared object; ``new`` when the resource is not in the state yet."""

    stack: str
    resource: str
    obj: DeclaredObject
    new: bool

    @cached_property
    def owner(self) -> str | None:
        """The owning user of a user-scope object (computed once: checks ask often)."""
        return self.obj.object_type.owner_of(self.obj.fields)

    @cached_property
    def targets(self) -> frozenset[ObjectId]:
        """The objects it needs (``neighbourhood.required_targets``)."""
        return frozenset(required_targets(self.obj.object_type, self.obj.fields))

    @classmethod
    def named(cls, identity: str, obj: DeclaredObject, new: bool) -> Declaration:
        """The declaration of the resource ``identity`` (``STACK/NAME``, the ``__name``
        input)."""
        stack, _, resource = identity.partition("/")
        return cls(stack, resource, obj, new)


@dataclass(frozen=True)
class Declared:
    """What declaring a resource found: another resource that manages the same object
    (the declaration is then not recorded), or the earlier declarations whose claims it
    clashes with (``mailform.engine.clashes``)."""

    holder: Declaration | None = None
    clashes: tuple[tuple[Clash, Declaration], ...] = ()


Slot = tuple[str, str, str, str]


class Declarations:
    """The declarations checked in this process for one account; safe for every thread.

    Besides the declarations, it keeps what the checks of new ones ask about the others,
    indexed as they arrive, so that each check costs the same whatever the size of the
    deployment: the claims (``ClashIndex``), the new declarations by what they need, and
    the ones that create (``mailform.pulumi.neighbourhood``)."""

    def __init__(self) -> None:
        self._by_resource: dict[Slot, Declaration] = {}
        self._holder: dict[tuple[str, ObjectId], Slot] = {}
        self._claims: dict[str, ClashIndex] = {}
        self._by_object: dict[int, Declaration] = {}
        self._needing: dict[tuple[str, ObjectId], dict[Slot, Declaration]] = {}
        self._creates: dict[tuple[str, str, str], set[Slot]] = {}
        self._lock = threading.Lock()

    def declare(self, declaration: Declaration) -> Declared:
        """Record ``declaration`` (replacing the resource's own earlier one); answer the
        declaration of another resource that has the same object (and keep that one), or
        the earlier declarations it clashes with."""
        slot = _slot(declaration)
        object_id = (declaration.stack, declaration.obj.id)
        with self._lock:
            holder = self._holder.setdefault(object_id, slot)
            if holder != slot:
                return Declared(holder=self._by_resource[holder])
            previous = self._by_resource.get(slot)
            if previous is not None:
                self._forget(slot, previous)
            self._holder[object_id] = slot
            self._by_resource[slot] = declaration
            self._by_object[id(declaration.obj)] = declaration
            claims = self._claims.setdefault(declaration.stack, ClashIndex())
            found = tuple((c, self._by_object[id(c.other)]) for c in claims.add(declaration.obj))
            if declaration.new:
                for target in declaration.targets:
                    self._needing.setdefault((declaration.stack, target), {})[slot] = declaration
        return Declared(clashes=found)

    def withdraw(self, declaration: Declaration) -> None:
        """Forget ``declaration``: its check failed, so it will not be created."""
        slot = _slot(declaration)
        with self._lock:
            if self._by_resource.get(slot) == declaration:
                self._forget(slot, declaration)

    def _forget(self, slot: Slot, declaration: Declaration) -> None:
        del self._by_resource[slot]
        if self._holder.get((declaration.stack, declaration.obj.id)) == slot:
            del self._holder[(declaration.stack, declaration.obj.id)]
        self._by_object.pop(id(declaration.obj), None)
        claims = self._claims.get(declaration.stack)
        if claims is not None:
            claims.remove(declaration.obj)
        for target in declaration.targets:
            self._needing.get((declaration.stack, target), {}).pop(slot, None)
        self._creates.get(_type_slot(declaration), set()).discard(slot)

    def holder(self, stack: str, object_id: ObjectId) -> Declaration | None:
        """The declaration of the stack's resource that has the object, if one was checked."""
        with self._lock:
            slot = self._holder.get((stack, object_id))
            return None if slot is None else self._by_resource[slot]

    def neighbours(self, declaration: Declaration) -> list[Declaration]:
        """The stack's other new declarations that need something ``declaration`` needs
        (the aliases and users of its domain), in the order they were checked."""
        slot = _slot(declaration)
        found: dict[Slot, Declaration] = {}
        with self._lock:
            for target in declaration.targets:
                for other_slot, other in self._needing.get((declaration.stack, target), {}).items():
                    if other_slot != slot:
                        found[other_slot] = other
        return list(found.values())

    def count_create(self, declaration: Declaration) -> set[Slot]:
        """Count ``declaration`` as creating its object; answer the slots of the stack's
        other declarations of its type that create theirs."""
        slot = _slot(declaration)
        with self._lock:
            creates = self._creates.setdefault(_type_slot(declaration), set())
            others = creates - {slot}
            if self._by_resource.get(slot) == declaration:
                creates.add(slot)
            return others


def slot_of(declaration: Declaration) -> Slot:
    """The key a resource's declaration is kept under."""
    return _slot(declaration)


def _slot(declaration: Declaration) -> Slot:
    object_type = declaration.obj.object_type
    return (declaration.stack, object_type.service, object_type.name, declaration.resource)


def _type_slot(declaration: Declaration) -> tuple[str, str, str]:
    object_type = declaration.obj.object_type
    return (declaration.stack, object_type.service, object_type.name)
