"""Changes and the Plan: what would be done, as values, before anything is done.

As in octoDNS, a plan is computed first, checked for safety, rendered for review, and only
then applied. Changes are values with a stable order, so that the same inputs always give
the same plan (and the same checksum).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mailform.engine.objecttype import Declared, LiveObject, ObjectId, ObjectType
from mailform.errors import MailformError
from mailform.stackfile.problems import Location

#: octoDNS's defaults: refuse plans that touch more than 30 % of at least 10 objects.
UNSAFE_SHARE = 0.30
UNSAFE_MINIMUM_EXISTING = 10

SENSITIVE = "(sensitive)"


class Action(StrEnum):
    """What a change does to one object."""

    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after; ``sensitive`` values are never shown."""

    name: str
    before: Any
    after: Any
    sensitive: bool = False

    def data(self) -> dict[str, Any]:
        """JSON-ready form, with sensitive values masked."""
        if self.sensitive:
            return {"field": self.name, "before": SENSITIVE, "after": SENSITIVE}
        return {"field": self.name, "before": _plain(self.before), "after": _plain(self.after)}


#: How every rendering labels a change that finishes an earlier create.
FINISHES_CREATE = "finishes an earlier create"


@dataclass
class Change:
    """One object's change. ``requires`` lists the objects whose changes must succeed first;
    ``reason`` explains replacements; ``finishes_create`` marks an update that only sets what
    an interrupted create of the object had still to set (``ObjectType.
    completed_after_create``), which the change threshold does not count."""

    action: Action
    object_type: ObjectType[Any]
    id: ObjectId
    declared: Declared | None = None
    live: LiveObject | None = None
    fields: tuple[FieldChange, ...] = ()
    requires: frozenset[ObjectId] = frozenset()
    reason: str = ""
    location: Location | None = None
    finishes_create: bool = False

    @property
    def changed(self) -> set[str]:
        """The names of the fields this change sets."""
        return {change.name for change in self.fields}

    @property
    def kind(self) -> str:
        """The object type as ``service.type`` (``luxsci.lists``), as settings name it."""
        return f"{self.id.service}.{self.id.type_name}"

    @property
    def destroys(self) -> str | None:
        """What this change destroys, with how much where the API says (``its contacts
        (120)``); None for a change that loses no data."""
        holds = self.object_type.destroys
        if holds is None or self.action not in (Action.DELETE, Action.REPLACE):
            return None
        count = self.object_type.held_count(self.live) if self.live is not None else None
        return holds if count is None else f"{holds} ({count})"

    def data(self) -> dict[str, Any]:
        """JSON-ready form (documented in docs/plan-json.md)."""
        data: dict[str, Any] = {
            "action": str(self.action),
            "service": self.id.service,
            "type": self.id.type_name,
            "key": list(self.id.key),
            "id": str(self.id),
            "fields": [change.data() for change in self.fields],
            "requires": sorted(str(required) for required in self.requires),
        }
        if self.reason:
            data["reason"] = self.reason
        if self.finishes_create:
            data["finishes_create"] = True
        if self.destroys:
            data["destroys"] = self.destroys
        return data


@dataclass(frozen=True)
class PlanProblem:
    """A declared state the API cannot reach (an operation it lacks, a protected object
    that would have to go). A plan with problems cannot be applied."""

    id: ObjectId
    message: str
    location: Location | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.id}: {self.message}"


class UnsafePlan(MailformError):
    """The plan crosses a safety threshold and needs an explicit override."""


class TooManyChanges(UnsafePlan):
    """The plan changes more than the safe share of the existing objects: ``changed`` of
    ``existing``."""

    def __init__(self, message: str, *, changed: int, existing: int) -> None:
        self.changed = changed
        self.existing = existing
        super().__init__(message)


class DestructivePlan(UnsafePlan):
    """The plan destroys data of kinds nobody allowed; ``kinds`` names them
    (``luxsci.users``), so that each surface can say how to allow them in its own words."""

    def __init__(self, changes: list[Change]) -> None:
        self.changes = changes
        self.kinds = sorted({change.kind for change in changes})
        listed = "; ".join(f"{change.id} destroys {change.destroys}" for change in changes)
        super().__init__(
            f"the plan destroys data ({listed}); it is applied only when the kinds "
            f"{', '.join(self.kinds)} are allowed to be destroyed"
        )


@dataclass
class Plan:
    """The ordered changes from the live account to the declared state, plus what is live
    but undeclared (``unmanaged``) and what cannot be done (``problems``)."""

    changes: list[Change] = field(default_factory=list)
    unmanaged: list[LiveObject] = field(default_factory=list)
    problems: list[PlanProblem] = field(default_factory=list)
    existing: int = 0

    @property
    def duplicates(self) -> list[LiveObject]:
        """The unmanaged objects that are a second object of a managed one's name (the API
        does not keep it unique), which every rendering names as duplicates, with ids."""
        return [obj for obj in self.unmanaged if obj.duplicate is not None]

    @property
    def undeclared(self) -> list[LiveObject]:
        """The unmanaged objects besides the duplicates."""
        return [obj for obj in self.unmanaged if obj.duplicate is None]

    @property
    def has_changes(self) -> bool:
        """Whether applying would change the account."""
        return bool(self.changes)

    def counts(self) -> dict[str, int]:
        """How many changes of each action."""
        counts = Counter(str(change.action) for change in self.changes)
        return {str(action): counts.get(str(action), 0) for action in Action}

    def checksum(self) -> str:
        """A digest of the changes, to apply exactly the plan that was reviewed."""
        return _checksum([change.data() for change in self.changes])

    @property
    def counted_changes(self) -> list[Change]:
        """The changes the change threshold counts: updates, replacements and deletes of
        existing objects, except the updates that finish an earlier create."""
        return [
            change
            for change in self.changes
            if change.action != Action.CREATE and not change.finishes_create
        ]

    @property
    def destructive(self) -> list[Change]:
        """The changes that destroy data (``Change.destroys``)."""
        return [change for change in self.changes if change.destroys]

    def check_safety(
        self, *, force: bool = False, allow_destructive: frozenset[str] = frozenset()
    ) -> None:
        """Refuse plans that need a human's explicit say-so.

        - problems (operations the API lacks, protected objects) are never applied;
        - a change that destroys data (a user's mail, a list's members) needs its kind in
          ``allow_destructive`` (``luxsci.users``), or ``DestructivePlan`` is raised;
        - changing (update, replace, delete) more than 30 % of at least 10 existing
          objects needs ``force``. An update that finishes an earlier create
          (``Change.finishes_create``) is not counted: it is what the apply that was stopped
          half-way meant to do, it adds only what the object lacks, and an unattended
          re-run must converge without a human passing ``--force``.
        """
        if self.problems:
            raise UnsafePlan(
                "the plan has problems the API cannot solve:\n"
                + "\n".join(f"  {problem}" for problem in self.problems)
            )
        refused = [c for c in self.destructive if c.kind not in allow_destructive]
        if refused:
            raise DestructivePlan(refused)
        touched = len(self.counted_changes)
        if (
            not force
            and self.existing >= UNSAFE_MINIMUM_EXISTING
            and touched / self.existing > UNSAFE_SHARE
        ):
            finishing = sum(1 for change in self.changes if change.finishes_create)
            besides = f", besides {finishing} that finish earlier creates" if finishing else ""
            raise TooManyChanges(
                f"the plan changes {touched} of {self.existing} existing objects "
                f"(more than {UNSAFE_SHARE:.0%}{besides}); it is applied only when forced",
                changed=touched,
                existing=self.existing,
            )

    def data(self) -> dict[str, Any]:
        """The plan as JSON-ready data (the ``--format json`` document). The changes' data
        is made once, for the checksum and the document both."""
        changes = [change.data() for change in self.changes]
        return {
            "format_version": 1,
            "checksum": _checksum(changes),
            "summary": {
                **self.counts(),
                "unmanaged": len(self.unmanaged),
                "duplicates": len(self.duplicates),
            },
            "changes": changes,
            "unmanaged": [_unmanaged_data(live) for live in self.unmanaged],
            "duplicates": [_duplicate_data(live) for live in self.duplicates],
            "problems": [
                {"id": str(problem.id), "message": problem.message}
                | ({"location": str(problem.location)} if problem.location else {})
                for problem in self.problems
            ],
        }


def _checksum(changes: list[dict[str, Any]]) -> str:
    """The digest of the changes' JSON-ready data (``Plan.checksum``)."""
    payload = json.dumps(changes, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _unmanaged_data(live: LiveObject) -> dict[str, Any]:
    """An unmanaged object in the JSON document; a duplicate also names what it duplicates."""
    data = {"service": live.id.service, "type": live.id.type_name, "key": list(live.id.key)}
    if live.duplicate is not None:
        data["duplicate_of"] = str(live.duplicate.name)
    return data


def _duplicate_data(live: LiveObject) -> dict[str, Any]:
    """A duplicate in the JSON document: the name it shares, its id and the managed one's."""
    assert live.duplicate is not None
    name = live.duplicate.name
    return {
        "service": name.service,
        "type": name.type_name,
        "key": list(name.key),
        "id": str(name),
        "api_id": _plain(live.api_id),
        "managed_api_id": _plain(live.duplicate.managed_api_id),
    }


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a field value."""
    if isinstance(value, Declared):
        return value.model_dump(mode="json")
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
