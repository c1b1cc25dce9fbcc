"""Custom fields (user scope): ``/user/{login}/fields``. Create and list only: a custom
field can be neither changed nor deleted through the API."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mailform.engine.objecttype import Operation
from mailform.services.luxsci.objects.owned import Owned, OwnedType
from mailform.services.luxsci.objects.rest import Endpoint


class CustomField(Owned):
    """A custom field for Secure Marketing contacts, known by its code word."""

    code_word: str = Field(description="The field's code word (its column name in reports).")
    name: str = Field(description="The field's display name.")
    type: Literal["text", "number", "date", "boolean"] = "text"


class CustomFieldType(OwnedType[CustomField]):
    """Custom fields: the API can create them, never change or delete them."""

    name = "custom_fields"
    key_fields = ("owner", "code_word")
    immutable = frozenset({"name", "type"})
    operations = frozenset({Operation.CREATE})
    missing_operation_hint = (
        "the LuxSci API cannot change or delete a custom field; do it in the LuxSci web "
        "interface, or declare the field as it is"
    )
    endpoint = Endpoint("user", "fields", id_field="field_id")
    wire_fields = ("code_word", "name", "type")


CUSTOM_FIELDS = CustomFieldType()
