"""Custom fields (user scope): ``/user/{login}/fields``. Create and list only: a custom
field can be neither changed nor deleted through the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from mailform.engine.fieldtypes import EmailAddress
from mailform.engine.objecttype import Declared, Operation, Reference
from mailform.services.luxsci.objects.rest import Endpoint, RestType
from mailform.services.luxsci.objects.user import USERS, owner_reference


class CustomField(Declared):
    """A custom field for Secure Marketing contacts, known by its code word."""

    owner: EmailAddress = Field(description="The login of the user the field belongs to.")
    code_word: str = Field(description="The field's code word (its column name in reports).")
    name: str = Field(description="The field's display name.")
    type: Literal["text", "number", "date", "boolean"] = "text"


class CustomFieldType(RestType[CustomField]):
    """Custom fields: the API can create them, never change or delete them."""

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
    endpoint = Endpoint("user", "fields", id_field="field_id")
    wire_fields = ("code_word", "name", "type")

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        return [owner_reference(fields)]


CUSTOM_FIELDS = CustomFieldType()
