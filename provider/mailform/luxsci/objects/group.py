"""Groups: the folders of a user's assets (template groups, list groups), one model and one
type that the two kinds share. A group is known by its name per owner, which is all it has;
the one update is a rename (``renamed_from``), which keeps its members."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field

from mailform.engine.fieldtypes import EmailAddress
from mailform.engine.objecttype import (
    Declared,
    LiveObject,
    ObjectType,
    Reference,
    first_of_each_key,
)
from mailform.luxsci.objects.base import forget_owner, owner_rows
from mailform.luxsci.objects.user import USERS, owner_reference


class Group(Declared):
    """A folder of a user's assets, known by its name per owning user."""

    owner: EmailAddress = Field(description="The login of the user the group belongs to.")
    name: str = Field(description="The group's name.")
    renamed_from: str | None = Field(
        default=None,
        description="The group's previous name: rename that group (keeping its members) "
        "rather than create a new one. Remove it once applied.",
    )


class GroupType(ObjectType[Any]):
    """A folder of a user's assets (template groups, list groups): known by its name per
    owner, which is all it has; the one update is a rename (``renamed_from``), which keeps
    its members. Subclasses name the API class and the id field."""

    service = "luxsci"
    key_fields = ("owner", "name")
    refers_to = (USERS,)
    owner_field = "owner"
    rename_field = "renamed_from"
    #: The ``*Api`` class with ``list(owner)``, ``create(owner, name)``,
    #: ``rename(owner, id, name)``, ``delete(owner, id)``.
    api_class: ClassVar[type[Any]]
    #: The API's id field of a group row.
    id_field: ClassVar[str]

    def rows(self, session: Any, owner: str) -> list[dict[str, Any]]:
        """An owner's groups, read once per session (their members' types need them too)."""
        api = self.api_class(session.client)
        return owner_rows(session, self.name, owner, lambda: api.list(owner))

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        return [owner_reference(fields)]

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        return first_of_each_key(
            [
                self._live(owner, row)
                for owner in sorted(owners)
                for row in self.rows(session, owner)
            ]
        )

    def create(self, session: Any, declared: Any) -> LiveObject:
        row = self.api_class(session.client).create(declared.owner, declared.name)
        forget_owner(session, self.name, declared.owner)
        return self._live(declared.owner, row)

    def update(
        self, session: Any, live: LiveObject, declared: Any, changed: set[str]
    ) -> LiveObject:
        """The one change a group has: a rename (``renamed_from``), members kept."""
        owner = live.fields["owner"]
        self.api_class(session.client).rename(owner, live.api_id, declared.name)
        forget_owner(session, self.name, owner)
        return self._live(owner, {**live.raw, "name": declared.name})

    def delete(self, session: Any, live: LiveObject) -> None:
        self.api_class(session.client).delete(live.fields["owner"], live.api_id)
        forget_owner(session, self.name, live.fields["owner"])

    def _live(self, owner: str, row: dict[str, Any]) -> LiveObject:
        fields = self.normalise_live({"owner": owner, "name": row.get("name")})
        return LiveObject(self.id_of(fields), fields, row.get(self.id_field), row)
