"""Builders for engine tests: declared objects from plain dicts, live objects from the rows
the API answers, through each type's own row mapping (``RestType.live``), so that the
engine's tests see live objects exactly as a read makes them."""

from __future__ import annotations

from typing import Any

from mailform.engine.diff import DeclaredObject
from mailform.engine.objecttype import LiveObject
from mailform.services.luxsci.objects.rest import RestType
from mailform.services.luxsci.service import OBJECT_TYPES

TYPES = {object_type.name: object_type for object_type in OBJECT_TYPES}


def declare(type_name: str, **fields: Any) -> DeclaredObject:
    """A declared LuxSci object, validated by its type's model."""
    object_type = TYPES[type_name]
    return DeclaredObject(object_type, object_type.model.model_validate(fields))


#: Row fields named otherwise than the model's (the model's name: the API's).
WIRE_NAMES = {"servers": {"rate": "sending_rate"}}


def live(type_name: str, *, managed: bool = True, api_id: Any = None, **fields: Any) -> LiveObject:
    """A live LuxSci object made from the row the API would answer with ``fields``."""
    object_type = TYPES[type_name]
    assert isinstance(object_type, RestType)
    names = WIRE_NAMES.get(type_name, {})
    row = {names.get(name, name): value for name, value in fields.items()}
    row[object_type.endpoint.id_field] = (
        api_id if api_id is not None else row.get(object_type.endpoint.id_field)
    )
    if not managed:
        row["type"] = "catchall" if type_name == "aliases" else "dynamic"
    owner = fields.get(object_type.owner_field) if object_type.owner_field else None
    obj = object_type.live(None, owner, row)
    return LiveObject(obj.id, obj.fields, api_id, obj.raw, managed)
