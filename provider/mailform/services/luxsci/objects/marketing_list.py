"""Secure Marketing v3 contact lists (user scope): addList (``…/marketing/list``), getLists
(``…/marketing/lists``, a paged report), updateList and deleteList
(``…/marketing/list/{id}``).

Updates are partial (the name always travels). A list names its group; the API takes and
answers the group's id. Deleting a list deletes its contacts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from mailform.engine.fieldtypes import EmailAddress, NameSet
from mailform.engine.objecttype import LiveObject, Reference
from mailform.services.luxsci.objects.custom_field import CUSTOM_FIELDS
from mailform.services.luxsci.objects.group import LIST_GROUPS, GroupedType
from mailform.services.luxsci.objects.owned import Named
from mailform.services.luxsci.objects.rest import Endpoint
from mailform.services.luxsci.objects.user import USERS


class MarketingList(Named):
    """A Secure Marketing contact list, known by its name per owning user. Deleting a list
    deletes its contacts."""

    group: str | None = Field(
        default=None, description="The name of a declared list group of the same owner."
    )
    from_email: EmailAddress | None = None
    from_name: str | None = None
    reply_email: EmailAddress | None = None
    custom_fields: NameSet | None = Field(
        default=None, description="Code words of declared custom fields of the same owner."
    )


class MarketingListType(GroupedType[MarketingList]):
    """Marketing lists: partial updates; the group and custom fields are references."""

    name = "lists"
    refers_to = (USERS, LIST_GROUPS, CUSTOM_FIELDS)
    destroys = "its contacts"
    endpoint = Endpoint(
        "user",
        "marketing/lists",
        id_field="list_id",
        item="marketing/list",
        create_at="marketing/list",
        report=True,
        detail=True,
    )
    wire_fields = ("name", "from_email", "from_name", "reply_email", "custom_fields")
    read_fields = ("owner_id", "n_subscribers")
    groups = LIST_GROUPS
    group_id_field = "list_group_id"

    def owned_references(self, fields: Mapping[str, Any]) -> list[Reference]:
        return [
            *super().owned_references(fields),
            *(
                CUSTOM_FIELDS.reference(fields["owner"], code_word, field="custom_fields")
                for code_word in fields.get("custom_fields") or ()
            ),
        ]

    def held_count(self, live: LiveObject) -> int | None:
        count = live.raw.get("n_subscribers")
        return count if isinstance(count, int) else None

    def body(
        self, session: Any, declared: MarketingList, live_row: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        return self.changes(session, declared, set(declared.model_fields_set))

    def changes(self, session: Any, declared: MarketingList, changed: set[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"name": declared.name}
        body.update({name: getattr(declared, name) for name in self.wire_fields if name in changed})
        return {**body, **(self.group_id(session, declared) if "group" in changed else {})}


MARKETING_LISTS = MarketingListType()
