"""Recipient properties (custom fields): ``createCustomerProperty``,
``getCustomerProperties``, ``renameCustomerProperty``, ``deleteCustomerProperty``.

The server gives each property an integer ``handle``, but rename and delete address it by
name, so the name is the practical key: it is unique in the account (compared without case)
and may not be one of the documented reserved names (also compared without case, since
Liana's UI calls ``ID`` reserved). Type, data type, choices, required, visibility and position
have no documented update call: they are fixed at creation.
"""

from __future__ import annotations

from typing import Any

from mailform.sandbox.lianamailer.args import Args
from mailform.sandbox.lianamailer.errors import CallFailed
from mailform.sandbox.lianamailer.model import Data, add, next_id, ordered

RESERVED = frozenset(
    {
        "admin",
        "archive",
        "delivery_id",
        "email",
        "id",
        "ip",
        "list_id",
        "list_name",
        "mail_id",
        "origin",
        "reason",
        "recipient_email",
        "recipient_sms",
        "scheduled",
        "sms",
        "subject",
        "tracking_id",
        "url",
        "useragent",
    }
)
TYPES = ("text", "numeric", "select", "checkbox", "raw")
DATATYPES = ("text", "datetime", "numeric")
FIELDS = (
    "handle",
    "name",
    "language",
    "type",
    "datatype",
    "choices",
    "required",
    "subscription",
    "position",
)


def _find(data: Data, name: str) -> Data | None:
    folded = name.casefold()
    return next((p for p in data["properties"].values() if p["name"].casefold() == folded), None)


def _check_new_name(data: Data, name: str) -> None:
    if name.casefold() in RESERVED:
        raise CallFailed(f"Property name {name!r} is reserved")
    if _find(data, name) is not None:
        raise CallFailed(f"Property already exists: {name}")


def create_property(data: Data, args: Args) -> int:
    """``createCustomerProperty [name, language, type, choices, required, subscription,
    position, datatype]``: answers the new handle."""
    name = str(args.string(0, required=True, nonempty=True))
    _check_new_name(data, name)
    kind = args.string(2) or "text"
    if kind not in TYPES:
        raise CallFailed(f"createCustomerProperty: type must be one of {', '.join(TYPES)}")
    choices = args.array(3) or []
    if not all(isinstance(choice, str) for choice in choices):
        raise CallFailed("createCustomerProperty: choices must be strings")
    if choices and kind not in ("select", "checkbox"):
        raise CallFailed("createCustomerProperty: choices need type select or checkbox")
    datatype = args.string(7) or "text"
    if datatype not in DATATYPES:
        raise CallFailed(f"createCustomerProperty: datatype must be one of {', '.join(DATATYPES)}")
    handle = next_id(data, "property")
    add(
        data,
        "properties",
        {
            "handle": handle,
            "name": name,
            "language": args.string(1) or "FI",
            "type": kind,
            "datatype": datatype,
            "choices": choices,
            "required": bool(args.boolean(4)),
            "subscription": bool(args.boolean(5)),
            "position": args.integer(6) or 0,
        },
    )
    return handle


def get_properties(data: Data, args: Args) -> list[Data]:
    """``getCustomerProperties []``: every property, in creation order."""
    return [{key: prop[key] for key in FIELDS} for prop in ordered(data, "properties")]


def rename_property(data: Data, args: Args) -> None:
    """``renameCustomerProperty [old_name, new_name, language]``: answers ``null``. The
    language is required by the reference but is not part of the lookup."""
    old = str(args.string(0, required=True, nonempty=True))
    new = str(args.string(1, required=True, nonempty=True))
    args.string(2, required=True)
    prop = _find(data, old)
    if prop is None:
        raise CallFailed(f"Property not found: {old}")
    if new.casefold() != old.casefold():
        _check_new_name(data, new)
    elif new.casefold() in RESERVED:
        raise CallFailed(f"Property name {new!r} is reserved")
    prop["name"] = new


def delete_property(data: Data, args: Args) -> None:
    """``deleteCustomerProperty [name, language]``: answers ``null``."""
    name = str(args.string(0, required=True, nonempty=True))
    args.string(1)
    prop = _find(data, name)
    if prop is None:
        raise CallFailed(f"Property not found: {name}")
    del data["properties"][str(prop["handle"])]


#: createCustomerProperty's positional arguments, in order (also the keys a seed may give).
CREATE_ARGS = (
    "name",
    "language",
    "type",
    "choices",
    "required",
    "subscription",
    "position",
    "datatype",
)

CALLS: dict[str, tuple[tuple[str, ...], Any]] = {
    "createCustomerProperty": (CREATE_ARGS, create_property),
    "getCustomerProperties": ((), get_properties),
    "renameCustomerProperty": (("old_name", "new_name", "language"), rename_property),
    "deleteCustomerProperty": (("name", "language"), delete_property),
}
