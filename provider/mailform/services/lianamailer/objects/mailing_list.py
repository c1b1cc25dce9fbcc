"""Mailing lists, known by name: ``getMailingLists``, ``createMailingList``,
``editMailingList``, ``deleteMailingList`` (soft).

The service identifies a list by an integer id and keeps names unique for nothing, so
mailform takes the name as the natural key and reports any further list of the same name as
an unmanaged duplicate (``first_of_each_key``). ``createMailingList`` is not
idempotent: after an ambiguous failure the client looks the list up by name before trying
again. ``editMailingList`` takes name and description on every call, and keeps the value
of any other argument sent as null; an empty string clears the site or the condition.
Deleting a list is a soft delete: it disappears from the list call and its name is free.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from mailform.engine.fieldtypes import DomainName, renamed_from
from mailform.engine.objecttype import (
    Declared,
    LiveObject,
    Reference,
)
from mailform.services.lianamailer.objects.calls import Calls, CallType
from mailform.services.lianamailer.objects.property import PROPERTIES
from mailform.services.lianamailer.objects.site import SITES

if TYPE_CHECKING:
    from mailform.services.lianamailer.client import LianaMailerClient

#: The list fields mailform manages besides the name, in the service's words.
FIELDS = ("description", "self_service", "condition", "site", "cem_segment")


#: The operators of a condition's rules, as the reference lists them.
OPERATORS = ("<>", "=", "ilike", "ilike-not", "in", "begins", "begins-not", "ends", "ends-not")
#: The recipient's own fields a rule may name besides the account's properties.
BUILT_IN_FIELDS = frozenset({"email", "sms"})


def _condition_object(value: Any) -> Any:
    """A dynamic list's condition is a JSON object; the API carries it as a JSON string."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError("a condition must be a JSON object (or a mapping)") from None
    return value


def _documented_shape(condition: dict[str, Any]) -> dict[str, Any]:
    """The reference's shape: ``{conditions: [{name, condition, value}], enabled}``."""
    rules = condition.get("conditions")
    if not isinstance(rules, list) or not rules:
        raise ValueError(
            "a condition needs `conditions`, a list of rules like "
            "{name: plan, condition: '=', value: pro}"
        )
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict) or not rule.get("name") or "value" not in rule:
            raise ValueError(f"conditions[{index}] needs a property `name` and a `value`")
        if rule.get("condition") not in OPERATORS:
            raise ValueError(
                f"conditions[{index}].condition {rule.get('condition')!r} is not an operator "
                f"(allowed: {', '.join(OPERATORS)})"
            )
    if not isinstance(condition.get("enabled", True), bool):
        raise ValueError("`enabled` must be true or false")
    return condition


#: A dynamic list's condition, as a mapping (a JSON string is read into one).
Condition = Annotated[
    dict[str, Any], BeforeValidator(_condition_object), AfterValidator(_documented_shape)
]


def condition_properties(condition: dict[str, Any] | None) -> list[str]:
    """The account properties a condition's rules name (not the recipient's own fields)."""
    names = [str(rule["name"]) for rule in (condition or {}).get("conditions") or ()]
    return [name for name in names if name.casefold() not in BUILT_IN_FIELDS]


class MailingList(Declared):
    """A mailing list, known by its name (which mailform keeps unique in the account)."""

    name: str = Field(min_length=1, description="The list's name.")
    renamed_from: str | None = renamed_from("its members")
    description: str | None = Field(default=None, description="The list's description.")
    self_service: bool | None = Field(
        default=None, description="Recipients may join and leave the list on its site."
    )
    site: DomainName | None = Field(
        default=None, description="The domain of a declared site where the list is offered."
    )
    condition: Condition | None = Field(
        default=None,
        description="For a dynamic list: rules on recipient properties, as the API writes "
        "them: {conditions: [{name: plan, condition: '=', value: pro}], enabled: true}.",
    )
    cem_segment: int | None = Field(
        default=None, description="For a segment list: the id of the CEM segment it follows."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> MailingList:
        if self.condition and self.cem_segment is not None:
            raise ValueError("a list has a condition or a cem_segment, not both")
        return self


class MailingListType(CallType[MailingList]):
    """Mailing lists: created, edited (name and description always sent), soft-deleted."""

    name = "lists"
    key_fields = ("name",)
    refers_to = (SITES, PROPERTIES)
    computed = ("list_id",)
    rename_field = "renamed_from"
    destroys = "its members"
    calls = Calls(
        "getMailingLists",
        "id",
        "createMailingList",
        "deleteMailingList",
        listing_args=(0,),
        detail="getMailingList",
    )
    wire_fields = FIELDS
    read_fields = ("member_count",)
    unique_keys = False

    def held_count(self, live: LiveObject) -> int | None:
        count = live.raw.get("member_count")
        return count if isinstance(count, int) else None

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        """The site, and the properties the condition names: those are ordered first when
        the file declares them (a property may also exist without being declared)."""
        references = []
        if fields.get("site"):
            references.append(SITES.reference(fields["site"], field="site", blocks_delete=True))
        for name in condition_properties(fields.get("condition")):
            references.append(PROPERTIES.reference(name, field="condition", required=False))
        return references

    def create_args(self, declared: MailingList) -> Sequence[Any]:
        fields = _api_fields(declared, declared.model_fields_set)
        return (declared.name, *(fields.get(name) for name in FIELDS))

    def update(
        self, session: Any, live: LiveObject, declared: MailingList, changed: set[str]
    ) -> LiveObject:
        description = (
            declared.description
            if "description" in declared.model_fields_set
            else live.fields.get("description")
        )
        changes = _api_fields(declared, changed - {"description"})
        edit_list(session.client, live.api_id, declared.name, description or "", changes)
        row = {**live.raw, **changes, "name": declared.name, "description": description}
        return self.updated(session, live, row)

    def change_problem(
        self, live_fields: Mapping[str, Any], declared: MailingList, changed: set[str]
    ) -> str | None:
        """``editMailingList`` keeps a segment sent as null and has no way to clear one."""
        clears_segment = "cem_segment" in changed and declared.cem_segment is None
        if clears_segment and live_fields.get("cem_segment") is not None:
            return (
                "the LianaMailer API cannot take a list off its CEM segment "
                f"({live_fields['cem_segment']}); keep the segment, or delete the list in "
                "LianaMailer and let mailform create it again"
            )
        return None

    def computed_values(self, live: LiveObject) -> dict[str, Any]:
        return {"list_id": live.api_id}

    def row_fields(self, row: Mapping[str, Any]) -> dict[str, Any]:
        fields = super().row_fields(row)
        if isinstance(fields["condition"], str):  # a mapping even when its shape is odd
            with contextlib.suppress(ValueError):
                fields["condition"] = json.loads(fields["condition"])
        return fields


def _api_fields(declared: MailingList, names: set[str]) -> dict[str, Any]:
    """The declared values of ``names`` as the API takes them (the condition as JSON)."""
    fields = {name: getattr(declared, name) for name in FIELDS if name in names}
    if fields.get("condition") is not None:
        fields["condition"] = json.dumps(fields["condition"], separators=(",", ":"))
    return fields


def edit_list(
    client: LianaMailerClient,
    list_id: int,
    name: str,
    description: str,
    changes: Mapping[str, Any],
) -> None:
    """editMailingList: set name and description, and the ``changes`` among
    ``self_service``, ``condition``, ``site`` and ``cem_segment`` (None clears a site or a
    condition); every other argument is sent as null, which keeps its value."""
    clearable = {"condition", "site"}

    def value(field: str) -> Any:
        if field not in changes:
            return None
        given = changes[field]
        return "" if given is None and field in clearable else given

    client.write(
        "editMailingList",
        list_id,
        name,
        description,
        *(value(field) for field in ("self_service", "condition", "site", "cem_segment")),
    )


MAILING_LISTS = MailingListType()
