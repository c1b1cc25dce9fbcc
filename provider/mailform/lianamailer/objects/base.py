"""What the LianaMailer object types share: the API class base and the rule for names the
service does not keep unique."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mailform.engine.objecttype import LiveObject, ObjectType
from mailform.lianamailer.client import LianaMailerClient


class ObjectApi:
    """Calls for one object type, over a shared ``LianaMailerClient``."""

    def __init__(self, client: LianaMailerClient) -> None:
        self.client = client


def find(rows: Iterable[dict[str, Any]], predicate: Callable[[dict[str, Any]], bool]) -> Any:
    """The first row matching ``predicate``, or None."""
    return next((row for row in rows if predicate(row)), None)


def first_of_each_name(object_type: ObjectType, objects: list[LiveObject]) -> list[LiveObject]:
    """Mailing lists and consent types are known to users by name, but the service keeps
    names unique for neither. The object with the lowest id owns a name; each other one is
    reported as unmanaged under ``name (duplicate #id)``, so ``drift`` shows it and no plan
    ever touches it by mistake (and ``export`` leaves it out, as it could not be declared).
    """
    owners: set[str] = set()
    result = []
    for obj in sorted(objects, key=lambda obj: obj.api_id):
        name = obj.id.key[0]
        if name in owners:
            key = (f"{name} (duplicate #{obj.api_id})",)
            duplicate_id = type(obj.id)(obj.id.service, obj.id.type_name, key)
            obj = LiveObject(duplicate_id, obj.fields, obj.api_id, obj.raw, managed=False)
        owners.add(name)
        result.append(obj)
    return result
