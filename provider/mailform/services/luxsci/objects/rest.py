"""One generic mapping of LuxSci object types onto the REST API, driven by a description.

Most LuxSci types are the same five calls with other paths and field names: list
(``GET …/{collection}``), create (``POST …/{collection}``), update (``PUT …/{item}/{id}``:
only the changed fields, or every field for the types whose update replaces the object),
delete (``DELETE …/{item}/{id}``), all under the account (``/account/{id}/…``) or under the
owning user (``/user/{login}/…``). A type says where its calls go (``Endpoint``), which
model fields travel under their own names (``wire_fields``), how its updates are sent, and
overrides a hook only where it really differs (an alias's create body; a template's group,
sent as an id). ``RestType`` does the rest: the reads once per session (per owner), the
create that never duplicates (``LuxSciClient.create`` looks the object up again after an
ambiguous failure), forgetting the cached list after each write, and the row mapping.

``RestApi`` is the same calls without a model, for a type's own hooks and for tests that
change the account behind mailform's back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from mailform.engine.objecttype import (
    Declared,
    LiveObject,
    ObjectType,
    first_of_each_key,
)
from mailform.engine.rows import with_row, with_row_replaced
from mailform.services.luxsci.objects.base import forget_owner, get_or_none, owner_rows

if TYPE_CHECKING:
    from mailform.services.luxsci.client import LuxSciClient

M = TypeVar("M", bound=Declared)


@dataclass(frozen=True)
class Endpoint:
    """Where one type's calls go.

    ``scope`` is ``account`` or ``user`` (the owner's login is then a path part);
    ``collection`` is listed and created in (``content_tags``); ``item`` names one object
    (``content_tags/{id}``, ``template/{id}``; default: the collection); ``create_at`` is a
    create path that differs from the collection (``template_group``); ``id_field`` is the
    row field holding the id item paths take; ``report`` marks a collection that answers
    a paged report (``LuxSciClient.get_report`` reads every page); ``detail`` says that the
    API reads one object at its item path (``GET …/{item}/{id}``), which ``mailform doctor``
    compares with the list's row.
    """

    scope: Literal["account", "user"]
    collection: str
    id_field: str
    item: str = ""
    create_at: str = ""
    report: bool = False
    detail: bool = False


class UpdateStyle(StrEnum):
    """How an update is sent."""

    #: Only the changed fields; the others are left as they are.
    PARTIAL = "partial"
    #: Every field: the live row with the declared values over it (the API treats an
    #: omitted field as emptied).
    REPLACE = "replace"


class RestApi:
    """The calls of one ``Endpoint`` over a shared client, rows in and out."""

    def __init__(self, client: LuxSciClient, endpoint: Endpoint) -> None:
        self.client = client
        self.endpoint = endpoint

    def path(self, owner: str | None, *parts: str | int) -> str:
        """An account path, or the owner's user path."""
        if self.endpoint.scope == "user":
            if owner is None:
                raise ValueError("a user-scope call needs the owner's login")
            return self.client.user_path(owner, *parts)
        return self.client.account_path(*parts)

    def list(self, owner: str | None = None) -> list[dict[str, Any]]:
        """Every row (of the owner, for user-scope types), one call (a call per page of a
        report) (assumes: luxsci.listing)."""
        path = self.path(owner, self.endpoint.collection)
        if self.endpoint.report:
            return self.client.get_report(path)
        return self.client.get(path) or []

    def get(self, object_id: str | int, owner: str | None = None) -> dict[str, Any] | None:
        """One row by its id, or None."""
        item = self.endpoint.item or self.endpoint.collection
        row: dict[str, Any] | None = get_or_none(
            lambda: self.client.get(self.path(owner, item, object_id))
        )
        return row

    def create(self, body: Mapping[str, Any], owner: str | None = None, *, find: Any = None) -> Any:
        """POST a create; ``find()`` answers the row when an ambiguous failure may have
        created it already (``LuxSciClient.create``)."""
        where = self.endpoint.create_at or self.endpoint.collection
        return self.client.create(
            self.path(owner, where), dict(body), find_existing=find or (lambda: None)
        )

    def update(
        self, object_id: str | int, body: Mapping[str, Any], owner: str | None = None
    ) -> None:
        """PUT fields of one object (all of them, for a replacing update)."""
        item = self.endpoint.item or self.endpoint.collection
        self.client.put(self.path(owner, item, object_id), dict(body))

    def delete(self, object_id: str | int, owner: str | None = None) -> None:
        """DELETE one object."""
        item = self.endpoint.item or self.endpoint.collection
        self.client.delete(self.path(owner, item, object_id))


class RestType(ObjectType[M]):
    """An object type whose API mapping is ``endpoint`` and ``wire_fields``; subclasses
    set those and override a hook where the type differs."""

    service = "luxsci"
    endpoint: ClassVar[Endpoint]
    #: Model fields that travel under their own names, in the API's order.
    wire_fields: ClassVar[tuple[str, ...]]
    update_style: ClassVar[UpdateStyle] = UpdateStyle.PARTIAL
    #: Whether the API keeps the natural key unique; when not (a user's templates, lists,
    #: groups), the oldest object of a key is managed, the others are duplicates.
    unique_keys: ClassVar[bool] = True
    #: Row fields the type reads besides the endpoint's ``id_field``, its ``wire_fields``
    #: and its ``computed`` values (an alias's ``type``, a list's ``n_subscribers``).
    read_fields: ClassVar[tuple[str, ...]] = ()

    # -- what the type assumes of the API's answers ------------------------------------------

    def listing(self) -> Endpoint:
        """The endpoint whose list holds this type's rows: its own, unless the type is read
        from another type's list."""
        return self.endpoint

    def answer_fields(self) -> tuple[str, ...]:
        """Every field of a listed row the type reads: what each row is assumed to carry
        (``mailform doctor`` checks it as ``luxsci.<type>.fields``)."""
        fields = (self.endpoint.id_field, *self.wire_fields, *self.computed, *self.read_fields)
        return tuple(dict.fromkeys(fields))

    # -- hooks -----------------------------------------------------------------------------

    def row_fields(self, session: Any, owner: str | None, row: Mapping[str, Any]) -> dict[str, Any]:
        """The model's fields of a row: the owner, and the wire fields as they are."""
        fields = {name: row.get(name) for name in self.wire_fields}
        if self.owner_field and owner is not None:
            fields[self.owner_field] = owner
        return fields

    def body(self, session: Any, declared: M, live_row: Mapping[str, Any] | None) -> dict[str, Any]:
        """What a create sends (``live_row`` None), or a replacing update: the live row's
        wire fields with the declared ones over them."""
        live = live_row or {}
        body = {name: live[name] for name in self.wire_fields if name in live}
        chosen = set(declared.model_fields_set) | set(self.key_fields)
        for name in self.wire_fields:
            value = getattr(declared, name)
            if (name in chosen or live_row is None) and value is not None:
                body[name] = value
        return body

    def changes(self, session: Any, declared: M, changed: set[str]) -> dict[str, Any]:
        """What a partial update sends: the changed fields' declared values."""
        return {name: getattr(declared, name) for name in sorted(changed)}

    def updated_row(self, row: Mapping[str, Any], sent: Mapping[str, Any]) -> dict[str, Any]:
        """The row after an update sent ``sent`` (the API answers no row)."""
        return {**row, **sent}

    def is_managed(self, row: Mapping[str, Any]) -> bool:
        """Whether the API can manage the object of a row (a static content tag, a regular
        alias); others are reported, never changed."""
        return True

    def api_id(self, row: Mapping[str, Any]) -> Any:
        """The id item paths take."""
        return row.get(self.endpoint.id_field)

    # -- the API mapping ---------------------------------------------------------------------

    def api(self, session: Any) -> RestApi:
        """The type's calls over the session's client."""
        return RestApi(session.client, self.endpoint)

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        objects = [
            self.live(session, owner, row)
            for owner in self._owners(owners)
            for row in self.rows(session, owner)
        ]
        return objects if self.unique_keys else first_of_each_key(objects)

    def create(self, session: Any, declared: M) -> LiveObject:
        owner = self.owner_of(declared.model_dump())
        api = self.api(session)
        row = api.create(
            self.body(session, declared, None),
            owner,
            find=lambda: self._find(session, api, owner, declared),
        )
        if isinstance(row, dict) and self.api_id(row) is not None:
            created = dict(row)
            self.amend(session, owner, lambda rows: with_row(rows, created, self._row_key))
        else:
            self.forget(session, owner)
            row = self._find(session, api, owner, declared) or row
        return self.live(session, owner, row if isinstance(row, dict) else {})

    def update(self, session: Any, live: LiveObject, declared: M, changed: set[str]) -> LiveObject:
        owner = self.owner_of(live.fields)
        if self.update_style is UpdateStyle.REPLACE:
            body = self.body(session, declared, live.raw)
        else:
            body = self.changes(session, declared, changed)
        self.api(session).update(live.api_id, body, owner)
        updated = self.updated_row(live.raw, body)
        self.amend(
            session,
            owner,
            lambda rows: with_row_replaced(rows, self._row_key, str(live.api_id), updated),
        )
        return self.live(session, owner, updated)

    def delete(self, session: Any, live: LiveObject) -> None:
        owner = self.owner_of(live.fields)
        self.api(session).delete(live.api_id, owner)
        self.amend(
            session,
            owner,
            lambda rows: with_row_replaced(rows, self._row_key, str(live.api_id), None),
        )

    def live(self, session: Any, owner: str | None, row: Mapping[str, Any]) -> LiveObject:
        """A row as a live object."""
        fields = self.normalise_live(self.row_fields(session, owner, row))
        return LiveObject(
            self.id_of(fields),
            fields,
            self.api_id(row),
            row if isinstance(row, dict) else dict(row),
            managed=self.is_managed(row),
        )

    # -- helpers -------------------------------------------------------------------------------

    def _owners(self, owners: frozenset[str]) -> list[str | None]:
        return list(sorted(owners)) if self.endpoint.scope == "user" else [None]

    def rows(self, session: Any, owner: str | None) -> list[dict[str, Any]]:
        """The rows of one list call, shared by every read of the session."""
        api = self.api(session)
        if owner is None:
            rows: list[dict[str, Any]] = session.cached(("luxsci", self.name), api.list)
            return rows
        return list(owner_rows(session, self.name, owner, lambda: api.list(owner)))

    def forget(self, session: Any, owner: str | None) -> None:
        """Drop the session's copy of the rows a write changed."""
        if owner is None:
            session.forget(("luxsci", self.name))
        else:
            forget_owner(session, self.name, owner)

    def amend(self, session: Any, owner: str | None, change: Any) -> None:
        """Apply this process's write to the session's copy of the rows
        (``Session.amend``); a type whose rows are derived from another list forgets it."""
        if owner is None:
            session.amend(("luxsci", self.name), change)
        else:
            session.amend(("luxsci", self.name, owner.lower()), change)

    def _row_key(self, row: Mapping[str, Any]) -> str:
        """A row's id as the writes of the session's copy find it (``mailform.engine.rows``):
        as text, since a path takes it so. A row missing from the copy it should be in (a
        list read under a renamed owner's path) makes the write drop that copy."""
        return str(self.api_id(row))

    def fresh_rows(self, session: Any, owner: str | None) -> list[dict[str, Any]]:
        """The rows as the API has them now, not as the session read them."""
        return self.api(session).list(owner)

    def _find(
        self, session: Any, api: RestApi, owner: str | None, declared: M
    ) -> dict[str, Any] | None:
        """The row of the declared object in a fresh list, or None (the first of a key)."""
        wanted = self.key_of(declared.model_dump())
        for row in self.fresh_rows(session, owner):
            fields = self.normalise_live(self.row_fields(session, owner, row))
            if self.key_of(fields) == wanted:
                return row
        return None
