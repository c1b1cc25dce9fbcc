"""Groups: the folders of a user's assets (template groups, list groups), one model and one
type that the two kinds share. A group is known by its name per owner, which is all it has;
the one update is a rename (``renamed_from``), which keeps its members. The API does not
keep group names unique: the oldest of a name is managed.

Templates and lists name their group; the API takes and answers its id. ``id_named`` and
``name_of`` translate, from the owner's group list that one plan reads once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from mailform.engine.fieldtypes import EmailAddress
from mailform.engine.objecttype import Declared, Reference
from mailform.services.luxsci.objects.rest import RestType
from mailform.services.luxsci.objects.user import USERS, owner_reference


class Group(Declared):
    """A folder of a user's assets, known by its name per owning user."""

    owner: EmailAddress = Field(description="The login of the user the group belongs to.")
    name: str = Field(description="The group's name.")
    renamed_from: str | None = Field(
        default=None,
        description="The group's previous name: rename that group (keeping its members) "
        "rather than create a new one. Remove it once applied.",
    )


class GroupType(RestType[Group]):
    """A kind of group; subclasses give the name, model and endpoint."""

    key_fields = ("owner", "name")
    refers_to = (USERS,)
    owner_field = "owner"
    rename_field = "renamed_from"
    wire_fields = ("name",)
    unique_keys = False

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        return [owner_reference(fields)]

    def id_named(self, session: Any, owner: str, name: str | None) -> int:
        """The id of the owner's group called ``name`` (0: no group), for a body."""
        if not name:
            return 0
        for row in self.rows(session, owner):
            if row.get("name") == name:
                return int(row[self.endpoint.id_field])
        raise LookupError(f"{self.title} {name!r} of {owner} does not exist")

    def name_of(self, session: Any, owner: str | None, group_id: Any) -> str | None:
        """The name of the owner's group with ``group_id`` (None: no group), for a row;
        ``#id`` for a group the list does not show."""
        if not group_id or owner is None:
            return None
        for row in self.rows(session, owner):
            if row.get(self.endpoint.id_field) == group_id:
                return str(row.get("name"))
        return f"#{group_id}"
