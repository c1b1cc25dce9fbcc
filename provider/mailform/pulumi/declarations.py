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

from mailform.engine.diff import DeclaredObject
from mailform.engine.objecttype import ObjectId


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

    @classmethod
    def named(cls, identity: str, obj: DeclaredObject, new: bool) -> Declaration:
        """The declaration of the resource ``identity`` (``STACK/NAME``, the ``__name``
        input)."""
        stack, _, resource = identity.partition("/")
        return cls(stack, resource, obj, new)


class Declarations:
    """The declarations checked in this process for one account; safe for every thread."""

    def __init__(self) -> None:
        self._by_resource: dict[tuple[str, str, str, str], Declaration] = {}
        self._holder: dict[tuple[str, ObjectId], tuple[str, str, str, str]] = {}
        self._lock = threading.Lock()

    def declare(self, declaration: Declaration) -> Declaration | None:
        """Record ``declaration``; answer the declaration of another resource that has the
        same object (and keep that one), or None."""
        slot = _slot(declaration)
        object_id = (declaration.stack, declaration.obj.id)
        with self._lock:
            holder = self._holder.setdefault(object_id, slot)
            if holder != slot:
                return self._by_resource[holder]
            previous = self._by_resource.get(slot)
            if previous is not None and previous.obj.id != declaration.obj.id:
                self._holder.pop((previous.stack, previous.obj.id), None)
            self._by_resource[slot] = declaration
        return None

    def withdraw(self, declaration: Declaration) -> None:
        """Forget ``declaration``: its check failed, so it will not be created."""
        slot = _slot(declaration)
        with self._lock:
            if self._by_resource.get(slot) == declaration:
                del self._by_resource[slot]
                self._holder.pop((declaration.stack, declaration.obj.id), None)

    def holder(self, stack: str, object_id: ObjectId) -> Declaration | None:
        """The declaration of the stack's resource that has the object, if one was checked."""
        with self._lock:
            slot = self._holder.get((stack, object_id))
            return None if slot is None else self._by_resource[slot]

    def others(self, declaration: Declaration) -> list[Declaration]:
        """Every declaration of the stack but ``declaration``'s own, in the order they were
        checked."""
        slot = _slot(declaration)
        with self._lock:
            return [
                d
                for s, d in self._by_resource.items()
                if s != slot and d.stack == declaration.stack
            ]


def _slot(declaration: Declaration) -> tuple[str, str, str, str]:
    object_type = declaration.obj.object_type
    return (declaration.stack, object_type.service, object_type.name, declaration.resource)
