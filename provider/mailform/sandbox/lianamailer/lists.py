"""Mailing lists: ``createMailingList``, ``getMailingList``, ``getMailingLists``,
``editMailingList``, ``deleteMailingList``.

Lists are keyed by a server-assigned integer id; names are not unique and create is not
idempotent ("this will create a new one on every call"). Delete is soft: a deleted list keeps
its id and is listed again with ``include_deleted = 1``, but can no longer be edited or
deleted. A list's ``site`` must name an existing site. A list is regular, dynamic
(``condition``, a JSON object in a string) or a segment (``cem_segment``), never both of the
last two. A condition has the reference's sample shape, ``{"conditions": [{"name",
"condition", "value"}], "enabled"}``, with the documented operators, and each rule names a
recipient property ("Condition name can be any recipient property"): an existing property,
or one of the recipient's own fields (``email``, ``sms``; the sample uses ``email``).
"""

from __future__ import annotations

import json
from typing import Any

from mailform.sandbox.lianamailer.args import Args
from mailform.sandbox.lianamailer.errors import CallFailed
from mailform.sandbox.lianamailer.model import Data, add, next_id, ordered, site

#: createMailingList's positional arguments, in order (also the keys a seed may give).
CREATE_ARGS = (
    "name",
    "description",
    "self_service",
    "condition",
    "site",
    "cem_segment",
    "ext_id",
    "ext_id_type",
)
FIELDS = ("id", *CREATE_ARGS, "member_count", "deleted")


#: The recipient's own fields a condition may name besides the account's properties.
BUILT_IN_FIELDS = frozenset({"email", "sms"})
#: The operators a dynamic list's condition rules may use (reference: Create mailinglist).
OPERATORS = ("<>", "=", "ilike", "ilike-not", "in", "begins", "begins-not", "ends", "ends-not")


def _condition(call: str, value: str | None) -> str | None:
    """A condition as stored: the JSON text of the documented shape
    ``{"conditions": [{"name", "condition", "value"}], "enabled": bool}``."""
    if value is None or value == "":
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise CallFailed(f"{call}: condition must be a JSON object in a string")
    rules = parsed.get("conditions")
    if not isinstance(rules, list) or not rules:
        raise CallFailed(f"{call}: condition.conditions must be a non-empty array of rules")
    for index, rule in enumerate(rules):
        where = f"{call}: condition.conditions[{index}]"
        if not isinstance(rule, dict) or not isinstance(rule.get("name"), str) or not rule["name"]:
            raise CallFailed(f"{where} must be an object with a property name")
        if rule.get("condition") not in OPERATORS:
            raise CallFailed(f"{where}.condition must be one of {', '.join(OPERATORS)}")
        if "value" not in rule:
            raise CallFailed(f"{where}.value is required")
    if "enabled" in parsed and not isinstance(parsed["enabled"], bool):
        raise CallFailed(f"{call}: condition.enabled must be a boolean")
    return value


def _check(call: str, data: Data, item: Data) -> None:
    if item["site"] is not None:
        site(data, item["site"])
    if item["condition"] is not None and item["cem_segment"] is not None:
        raise CallFailed(f"{call}: a list cannot have both a condition and a cem_segment")
    if item["condition"] is not None:
        known = {prop["name"].casefold() for prop in data["properties"].values()}
        known |= BUILT_IN_FIELDS
        for rule in json.loads(item["condition"])["conditions"]:
            if rule["name"].casefold() not in known:
                raise CallFailed(f"{call}: condition names an unknown property: {rule['name']}")


def _list(data: Data, list_id: int, *, live: bool) -> Data:
    item: Data | None = data["lists"].get(str(list_id))
    if item is None or (live and item["deleted"]):
        raise CallFailed(f"Mailinglist not found: {list_id}")
    return item


def _view(item: Data) -> Data:
    return {key: item[key] for key in FIELDS}


def create_list(data: Data, args: Args) -> int:
    """``createMailingList [name, description, self_service, condition, site, cem_segment,
    ext_id, ext_id_type]``: answers the new list id."""
    ext_id, ext_id_type = args.string(6), args.string(7)
    if (ext_id is None) != (ext_id_type is None):
        raise CallFailed("createMailingList: ext_id and ext_id_type go together")
    item: Data = {
        "id": 0,
        "name": args.string(0, required=True, nonempty=True),
        "description": args.string(1) or "",
        "self_service": bool(args.boolean(2)),
        "condition": _condition(args.call, args.string(3)),
        "site": args.string(4) or None,
        "cem_segment": args.integer(5),
        "ext_id": ext_id,
        "ext_id_type": ext_id_type,
        "member_count": 0,
        "deleted": False,
    }
    _check(args.call, data, item)
    list_id = next_id(data, "list")
    item["id"] = list_id
    add(data, "lists", item)
    return list_id


def get_list(data: Data, args: Args) -> Data:
    """``getMailingList [list_id, get_sms_count]``: one list, deleted ones included;
    ``sms_count`` is added when asked for."""
    item = _list(data, int(args.integer(0, required=True) or 0), live=False)
    view = _view(item)
    if args.boolean(1):
        view["sms_count"] = 0
    return view


def get_lists(data: Data, args: Args) -> list[Data]:
    """``getMailingLists [include_deleted]``: every list by id; deleted ones only with 1."""
    include_deleted = bool(args.boolean(0))
    items = ordered(data, "lists")
    return [_view(item) for item in items if include_deleted or not item["deleted"]]


def edit_list(data: Data, args: Args) -> int:
    """``editMailingList [list_id, new_name, new_description, new_subs, new_condition,
    new_site, new_cem_segment]``: answers the list id. Name and description are required;
    an omitted or ``null`` optional keeps its value, ``""`` clears a condition or site."""
    item = _list(data, int(args.integer(0, required=True) or 0), live=True)
    changed = dict(item)
    changed["name"] = args.string(1, required=True, nonempty=True)
    changed["description"] = args.string(2, required=True)
    if args.given(3):
        changed["self_service"] = bool(args.boolean(3))
    if args.given(4):
        changed["condition"] = _condition(args.call, args.string(4))
    if args.given(5):
        changed["site"] = args.string(5) or None
    if args.given(6):
        changed["cem_segment"] = args.integer(6)
    _check(args.call, data, changed)
    item.update(changed)
    list_id: int = item["id"]
    return list_id


def delete_list(data: Data, args: Args) -> None:
    """``deleteMailingList [list_id]``: soft delete; answers ``null``."""
    _list(data, int(args.integer(0, required=True) or 0), live=True)["deleted"] = True


CALLS: dict[str, tuple[tuple[str, ...], Any]] = {
    "createMailingList": (CREATE_ARGS, create_list),
    "getMailingList": (("list_id", "get_sms_count"), get_list),
    "getMailingLists": (("include_deleted",), get_lists),
    "editMailingList": (
        (
            "list_id",
            "new_name",
            "new_description",
            "new_subs",
            "new_condition",
            "new_site",
            "new_cem_segment",
        ),
        edit_list,
    ),
    "deleteMailingList": (("list_id",), delete_list),
}
