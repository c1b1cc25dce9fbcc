"""Recipient properties (custom fields of recipients), keyed by name:
``getCustomerProperties``, ``createCustomerProperty``, ``renameCustomerProperty``,
``deleteCustomerProperty``.

Names are unique in the account regardless of case, so the natural key is the name folded
to lower case. Everything but the name is fixed at creation (the API has no update call).
What a recipient's value means (``type``, ``datatype``, ``choices``) can only change by
replacing the property, which loses every recipient's value of it: the plan marks that
destructive, and it needs the opt-in. What only shows on the subscription page
(``required``, ``subscription``, ``position``, ``language``) is never worth that: a change
of it is a plan problem, to make in LianaMailer's interface (or to declare as it is).

A name change in the stack file is a new key, i.e. a new property; to keep the values,
rename in place with ``renamed_from`` (the API's rename call), then drop ``renamed_from``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from mailform.engine.fieldtypes import renamed_from
from mailform.engine.objecttype import Declared, Key, LiveObject
from mailform.services.lianamailer.objects.calls import Calls, CallType

#: Names the service refuses for a property, compared without case (reference, §C.2).
RESERVED_NAMES = frozenset(
    [
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
    ]
)
#: The fields fixed at creation, in ``createCustomerProperty``'s argument order.
CREATE_FIELDS = (
    "language",
    "type",
    "choices",
    "required",
    "subscription",
    "position",
    "datatype",
)
#: What a value means: changed only by a replacement, which loses the recipients' values.
MEANING_FIELDS = frozenset({"type", "datatype", "choices"})
#: What only the subscription page shows: never worth losing the values over.
DISPLAY_FIELDS = frozenset(CREATE_FIELDS) - MEANING_FIELDS


class Property(Declared):
    """A recipient property: a field every recipient of the account can have a value for."""

    name: str = Field(
        description="The property's name, unique in the account regardless of case.",
        min_length=1,
    )
    renamed_from: str | None = renamed_from("every recipient's value")
    language: str | None = Field(
        default=None, description="The language of the name (service default FI)."
    )
    type: Literal["text", "numeric", "select", "checkbox", "raw"] | None = Field(
        default=None, description="The input type on subscription pages (service default text)."
    )
    datatype: Literal["text", "datetime", "numeric"] | None = Field(
        default=None, description="How values are stored and compared (service default text)."
    )
    choices: list[str] | None = Field(
        default=None, description="The options of a select or checkbox property."
    )
    required: bool | None = Field(
        default=None, description="Subscribers must fill it in on subscription pages."
    )
    subscription: bool | None = Field(default=None, description="Shown on subscription pages.")
    position: int | None = Field(default=None, description="The order on subscription pages.")

    @field_validator("name", "renamed_from")
    @classmethod
    def _not_reserved(cls, value: str | None) -> str | None:
        if value is not None and value.strip().casefold() in RESERVED_NAMES:
            raise ValueError(
                f"{value!r} is a name LianaMailer reserves (reserved: "
                f"{', '.join(sorted(RESERVED_NAMES))})"
            )
        return value.strip() if value is not None else None

    @model_validator(mode="after")
    def _choices_need_options(self) -> Property:
        if self.choices and self.type not in ("select", "checkbox"):
            raise ValueError("choices are for properties of type select or checkbox")
        return self

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return value.strip().upper() if value is not None else None


class PropertyType(CallType[Property]):
    """Properties: create, rename, delete; everything else is fixed at creation."""

    name = "properties"
    key_fields = ("name",)
    immutable = MEANING_FIELDS
    rename_field = "renamed_from"
    destroys = "every recipient's value of it"
    computed = ("handle",)
    calls = Calls(
        "getCustomerProperties", "handle", "createCustomerProperty", "deleteCustomerProperty"
    )
    wire_fields = CREATE_FIELDS

    def key_of(self, fields: Mapping[str, Any]) -> Key:
        return (str(fields["name"]).strip().casefold(),)

    def change_problem(
        self, live_fields: Mapping[str, Any], declared: Property, changed: set[str]
    ) -> str | None:
        display = sorted(changed & DISPLAY_FIELDS)
        if not display:
            return None
        return (
            f"the API cannot change a property's {', '.join(display)} in place, and replacing "
            "the property would lose every recipient's value of it: change it in LianaMailer's "
            "interface, or declare the live value"
        )

    def create_args(self, declared: Property) -> Sequence[Any]:
        """The name, then the fields fixed at creation (left out as null: the default)."""
        return (declared.name, *(getattr(declared, name) for name in CREATE_FIELDS))

    def delete_arg(self, live: LiveObject) -> Any:
        """Properties are deleted by name."""
        return live.fields["name"]

    def update(
        self, session: Any, live: LiveObject, declared: Property, changed: set[str]
    ) -> LiveObject:
        """The one change in place: a rename (everything else is immutable)."""
        if changed - {"name"}:
            raise ValueError(f"properties cannot change {sorted(changed - {'name'})} in place")
        language = declared.language or live.fields.get("language") or "FI"
        session.client.call("renameCustomerProperty", live.fields["name"], declared.name, language)
        return self.updated(session, live, {**live.raw, "name": declared.name})


PROPERTIES = PropertyType()
