"""The JSON Schema of stack files, derived from the object-type models.

Editors (VS Code's YAML extension, JetBrains) use it for completion and inline errors; it is
published by ``mailform schema``. Nothing here is written by hand per type: a new object
type appears in the schema by being registered with its service.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from mailform.engine.service import Service
from mailform.engine.stack import SETTINGS_KEY

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def stack_file_schema(services: Mapping[str, Service]) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for a stack file covering ``services``."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (object_type.model, "validation")
        for service in services.values()
        for object_type in service.object_types
    ]
    refs, top = models_json_schema(models, ref_template="#/$defs/{model}")
    service_schemas: dict[str, Any] = {}
    prunable: list[str] = []
    limited: list[str] = []
    for service in services.values():
        properties = {}
        for object_type in service.object_types:
            key: tuple[type[BaseModel], JsonSchemaMode] = (object_type.model, "validation")
            properties[object_type.name] = {
                "type": "array",
                "description": f"{service.title} {object_type.title} objects.",
                "items": refs[key],
            }
            prunable.append(f"{service.name}.{object_type.name}")
            if object_type.daily_create_limit is not None:
                limited.append(f"{service.name}.{object_type.name}")
        service_schemas[service.name] = {
            "type": "object",
            "description": f"Objects of the {service.title} account.",
            "properties": properties,
            "additionalProperties": False,
        }
    settings = {
        "type": "object",
        "description": "Settings of mailform itself.",
        "properties": {
            "prune": {
                "type": "array",
                "description": "Object types whose live objects the file does not declare "
                "are deleted (otherwise they are only reported).",
                "items": {"enum": prunable},
                "uniqueItems": True,
            },
            "create_limits": {
                "type": "object",
                "description": "The API integration's 24-hour create limits, when they differ "
                "from the defaults: a plan that creates more (counting the objects added in "
                "the past 24 hours) is refused.",
                "propertyNames": {"enum": limited},
                "additionalProperties": {"type": "integer", "minimum": 0},
            },
            "ignore": {
                "type": "array",
                "description": "Live objects that are not mailform's concern (never listed "
                "as unmanaged, never pruned, never drift): TYPE or TYPE[KEY], where KEY may "
                "use shell wildcards, as in luxsci.aliases[test-*@example.com].",
                "items": {
                    "type": "string",
                    "pattern": "^(" + "|".join(re.escape(kind) for kind in prunable) + r")"
                    r"(\[.+\])?$",
                },
            },
        },
        "additionalProperties": False,
    }
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "mailform stack file",
        "type": "object",
        "properties": {SETTINGS_KEY: settings, **service_schemas},
        "additionalProperties": False,
        "$defs": top.get("$defs", {}),
    }
