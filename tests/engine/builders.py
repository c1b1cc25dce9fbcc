"""Builders for engine tests: declared objects from plain dicts, live objects from fields."""

from __future__ import annotations

from typing import Any

from mailform.engine.diff import DeclaredObject
from mailform.engine.objecttype import LiveObject, ObjectType
from mailform.services.luxsci.service import OBJECT_TYPES

TYPES = {object_type.name: object_type for object_type in OBJECT_TYPES}


def declare(type_name: str, **fields: Any) -> DeclaredObject:
    """A declared LuxSci object, validated by its type's model."""
    object_type = TYPES[type_name]
    return DeclaredObject(object_type, object_type.model.model_validate(fields))


def live(type_name: str, *, managed: bool = True, api_id: Any = None, **fields: Any) -> LiveObject:
    """A live LuxSci object, normalised as a read would."""
    object_type: ObjectType = TYPES[type_name]
    normal = object_type.normalise_live(fields)
    return LiveObject(object_type.id_of(normal), normal, api_id, dict(fields), managed)
