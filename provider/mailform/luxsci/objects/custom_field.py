"""Custom fields (user scope): ``/user/{login}/fields``. Create and list only: a custom
field can be neither changed nor deleted through the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from mailform.engine.fieldtypes import EmailAddress
from mailform.engine.objecttype import Declared, LiveObject, ObjectType, Operation, Reference
from mailform.luxsci.objects.base import ObjectApi, find, forget_owner, owner_rows
from mailform.luxsci.objects.user import USERS, owner_reference

#: The field types mailform assumes the API accepts (docs/api-assumptions.md).
FIELD_TYPES = ("text", "number", "date", "boolean")


class CustomFieldApi(ObjectApi):
    """createCustomField, getCustomFields."""

    def list(self, owner: str) -> list[dict[str, Any]]:
        """Every custom field visible to ``owner``, one call."""
        return self.client.get(self.client.user_path(owner, "fields")) or []

    def find_by_code_word(self, owner: str, code_word: str) -> dict[str, Any] | None:
        """The field with this code word, or None."""
        return find(self.list(owner), lambda row: row.get("code_word") == code_word)

    def create(self, owner: str, code_word: str, name: str, type: str = "text") -> dict[str, Any]:
        """Create a custom field; answers its row."""
        body = {"code_word": code_word, "name": name, "type": type}
        row = self.client.create(
            self.client.user_path(owner, "fields"),
            body,
            find_existing=lambda: self.find_by_code_word(owner, code_word),
        )
        return row if isinstance(row, dict) else self.find_by_code_word(owner, code_word) or body


class CustomField(Declared):
    """A custom field for Secure Marketing contacts, known by its code word."""

    owner: EmailAddress = Field(description="The login of the user the field belongs to.")
    code_word: str = Field(description="The field's code word (its column name in reports).")
    name: str = Field(description="The field's display name.")
    type: Literal["text", "number", "date", "boolean"] = "text"


class CustomFieldType(ObjectType[CustomField]):
    """Custom fields: the API can create them, never change or delete them."""

    service = "luxsci"
    name = "custom_fields"
    title = "CustomField"
    model = CustomField
    key_fields = ("owner", "code_word")
    refers_to = (USERS,)
    owner_field = "owner"
    immutable = frozenset({"name", "type"})
    operations = frozenset({Operation.CREATE})
    missing_operation_hint = (
        "the LuxSci API cannot change or delete a custom field; do it in the LuxSci web "
        "interface, or declare the field as it is"
    )

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        return [owner_reference(fields)]

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        api = CustomFieldApi(session.client)
        return [
            self._live(owner, row)
            for owner in sorted(owners)
            for row in owner_rows(session, self.name, owner, lambda o=owner: api.list(o))
        ]

    def create(self, session: Any, declared: CustomField) -> LiveObject:
        row = CustomFieldApi(session.client).create(
            declared.owner, declared.code_word, declared.name, declared.type
        )
        forget_owner(session, self.name, declared.owner)
        return self._live(declared.owner, row)

    def _live(self, owner: str, row: dict[str, Any]) -> LiveObject:
        fields = {"owner": owner, **{k: row.get(k) for k in ("code_word", "name", "type")}}
        fields = self.normalise_live(fields)
        return LiveObject(self.id_of(fields), fields, row.get("field_id"), row)


CUSTOM_FIELDS = CustomFieldType()
