"""One generic mapping of LianaMailer object types onto the API's V1 calls, driven by a
description.

Every LianaMailer type is listed by one call (``sites``, ``getMailingLists``…), created by
one (``createSite``…) whose positional arguments the type gives, and deleted by one, with
the object's id or name. A type says which calls (``Calls``) and which row fields carry its
model's values (``wire_fields``); ``CallType`` does the rest: the list read once per
session, the create that never duplicates (after an ambiguous failure the object is looked
up by its key before the call is tried again), the read-back of what the create answers,
and forgetting the cached list after each write. Updates differ for every type
(``updateSite`` takes settings, ``editMailingList`` every argument, a property only a
rename), so each type writes its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from mailform.engine.objecttype import Declared, LiveObject, ObjectType, first_of_each_key
from mailform.engine.rows import with_row, with_row_replaced

M = TypeVar("M", bound=Declared)


@dataclass(frozen=True)
class Calls:
    """A type's V1 calls by name: ``listing`` (with ``listing_args``), ``create`` and
    ``delete``, and ``detail``, the call reading one object by its id, where the API has
    one; ``id_field`` is the row field the other calls take. Written positionally:
    ``Calls("sites", "domain", "createSite", "deleteSite")``."""

    listing: str
    id_field: str
    create: str = ""
    delete: str = ""
    listing_args: tuple[Any, ...] = ()
    detail: str = ""


class CallType(ObjectType[M]):
    """An object type whose API mapping is ``calls`` and ``wire_fields``."""

    service = "lianamailer"
    calls: ClassVar[Calls]
    #: Model fields a row carries under their own names (besides the key).
    wire_fields: ClassVar[tuple[str, ...]]
    #: Whether the service keeps the key unique; when not (lists, consent types), the
    #: oldest object of a key is managed and the others are duplicates.
    unique_keys: ClassVar[bool] = True
    #: Row fields the type reads besides the id, the key and the wire fields (a list's
    #: ``member_count``).
    read_fields: ClassVar[tuple[str, ...]] = ()

    def answer_fields(self) -> tuple[str, ...]:
        """Every field of a listed row the type reads: what each row is assumed to carry
        (``mailform doctor`` checks it as ``lianamailer.<type>.fields``)."""
        fields = (self.calls.id_field, *self.key_fields, *self.wire_fields, *self.read_fields)
        return tuple(dict.fromkeys(fields))

    # -- hooks -----------------------------------------------------------------------------

    def create_args(self, declared: M) -> Sequence[Any]:
        """The create call's positional arguments (trailing ``None`` are left off)."""
        raise NotImplementedError

    def row_fields(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The model's fields of a row: the key and the wire fields as they are."""
        names = (*self.key_fields, *self.wire_fields)
        return {name: row.get(name) for name in dict.fromkeys(names)}

    def delete_arg(self, live: LiveObject) -> Any:
        """What the delete call takes: the id by default."""
        return live.api_id

    # -- the API mapping ---------------------------------------------------------------------

    def rows(self, session: Any) -> list[dict[str, Any]]:
        """Every row, one call, shared by every read of the session."""
        rows: list[dict[str, Any]] = session.cached(
            ("lianamailer", self.name), lambda: self.fresh_rows(session)
        )
        return rows

    def fresh_rows(self, session: Any) -> list[dict[str, Any]]:
        """Every row as the service has it now, one call (assumes: lianamailer.listing)."""
        rows: list[dict[str, Any]] = (
            session.client.read(self.calls.listing, *self.calls.listing_args) or []
        )
        return rows

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        objects = [self.live(row) for row in self.rows(session)]
        return objects if self.unique_keys else first_of_each_key(objects)

    def create(self, session: Any, declared: M) -> LiveObject:
        args = list(self.create_args(declared))
        while args and args[-1] is None:
            args.pop()
        answer = session.client.create(
            self.calls.create, *args, find_existing=lambda: self.find(session, declared)
        )
        row = (
            dict(answer)
            if isinstance(answer, dict)
            else {**declared.model_dump(), self.calls.id_field: answer}
        )
        self.amend(session, lambda rows: with_row(rows, row, self._row_key))
        return self.live(row)

    def delete(self, session: Any, live: LiveObject) -> None:
        session.client.delete(self.calls.delete, self.delete_arg(live))
        self.amend(session, lambda rows: with_row_replaced(rows, self._row_key, live.api_id, None))

    def live(self, row: Mapping[str, Any]) -> LiveObject:
        """A row as a live object."""
        fields = self.normalise_live(self.row_fields(row))
        raw = row if isinstance(row, dict) else dict(row)
        return LiveObject(self.id_of(fields), fields, row.get(self.calls.id_field), raw)

    def forget(self, session: Any) -> None:
        """Drop the session's copy of the list after a write."""
        session.forget(("lianamailer", self.name))

    def amend(self, session: Any, change: Any) -> None:
        """Apply this process's write to the session's copy of the list
        (``Session.amend``)."""
        session.amend(("lianamailer", self.name), change)

    def updated(self, session: Any, live: LiveObject, row: dict[str, Any]) -> LiveObject:
        """After an update: ``row`` replaces the object's row in the session's copy of the
        list, in its place, and is answered as live."""
        self.amend(session, lambda rows: with_row_replaced(rows, self._row_key, live.api_id, row))
        return self.live(row)

    def _row_key(self, row: Mapping[str, Any]) -> Any:
        """A row's id, by which the writes of the session's copy find it
        (``mailform.engine.rows``)."""
        return row.get(self.calls.id_field)

    def find(self, session: Any, declared: M) -> dict[str, Any] | None:
        """The oldest row whose key is the declared object's, in a fresh list, or None."""
        wanted = self.key_of(declared.model_dump())
        rows = sorted(self.fresh_rows(session), key=lambda row: _order(row, self.calls))
        for row in rows:
            if self.key_of(self.normalise_live(self.row_fields(row))) == wanted:
                return row
        return None


def _order(row: Mapping[str, Any], calls: Calls) -> tuple[str, Any]:
    value = row.get(calls.id_field)
    return (type(value).__name__, value if value is not None else 0)
