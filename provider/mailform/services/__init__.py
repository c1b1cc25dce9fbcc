"""Every service mailform manages. Adding a service is one line here plus its package."""

from __future__ import annotations

from typing import Any

from mailform.engine.objecttype import ObjectType
from mailform.engine.service import Service
from mailform.services.lianamailer.service import LIANAMAILER
from mailform.services.luxsci.service import LUXSCI

SERVICES: dict[str, Service] = {service.name: service for service in (LUXSCI, LIANAMAILER)}


def catalog() -> dict[str, tuple[ObjectType[Any], ...]]:
    """Each service's object types, keyed by service name (what ``load_stack`` takes)."""
    return {name: service.object_types for name, service in SERVICES.items()}
