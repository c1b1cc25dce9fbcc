"""What LuxSci's user-scope types share: the owning user.

Secure Marketing assets (custom fields, content tags, templates, lists and their groups)
belong to a user, whose login is part of their key and a path part of every call. Templates,
lists and groups are also known by a name that the API does not keep unique, and renamed in
place with ``renamed_from``. ``Owned``/``OwnedType`` and ``Named``/``NamedType`` say that
once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from pydantic import Field

from mailform.engine.fieldtypes import EmailAddress, renamed_from
from mailform.engine.objecttype import Declared, ObjectType, Reference
from mailform.services.luxsci.objects.rest import RestType
from mailform.services.luxsci.objects.user import USERS

O = TypeVar("O", bound="Owned")  # noqa: E741


class Owned(Declared):
    """An object that belongs to a user."""

    owner: EmailAddress = Field(description="The login of the user the object belongs to.")


class Named(Owned):
    """An owned object known by its name, which the API does not keep unique."""

    name: str = Field(description="Its name (the oldest object of a name is the managed one).")
    renamed_from: str | None = renamed_from("what it holds")


class OwnedType(RestType[O]):
    """A user-scope type: the owner is in the key and every path, and is referred to (when
    the file declares it, it is created first)."""

    owner_field = "owner"
    refers_to: ClassVar[tuple[ObjectType[Any], ...]] = (USERS,)

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        owner = USERS.reference(fields["owner"], field="owner", required=False)
        return [owner, *self.owned_references(fields)]

    def owned_references(self, fields: Mapping[str, Any]) -> list[Reference]:
        """The references besides the owner (a template's group); none by default."""
        return []


class NamedType(OwnedType[O]):
    """A user-scope type known by owner and name, renamed in place."""

    key_fields = ("owner", "name")
    rename_field = "renamed_from"
    unique_keys = False
