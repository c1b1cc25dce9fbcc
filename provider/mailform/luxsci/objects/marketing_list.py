"""Secure Marketing v3 contact lists (user scope): ``/user/{login}/marketing/list[s]``.

Listing is a paged report. Updates are partial. Deleting a list deletes its contacts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from mailform.engine.fieldtypes import EmailAddress, NameSet
from mailform.engine.objecttype import (
    Declared,
    LiveObject,
    ObjectType,
    Reference,
    first_of_each_key,
)
from mailform.luxsci.objects.base import ObjectApi, find, forget_owner, owner_rows
from mailform.luxsci.objects.custom_field import CUSTOM_FIELDS
from mailform.luxsci.objects.list_group import LIST_GROUPS, list_group_rows
from mailform.luxsci.objects.user import USERS, owner_reference

#: The list fields the create and update calls carry.
FIELDS = ("name", "from_email", "from_name", "reply_email", "list_group_id", "custom_fields")


class MarketingListApi(ObjectApi):
    """addList, getLists, updateList, deleteList."""

    def list(self, owner: str) -> list[dict[str, Any]]:
        """Every contact list visible to ``owner`` (all report pages)."""
        return self.client.get_report(self.client.user_path(owner, "marketing", "lists"))

    def find_by_name(self, owner: str, name: str) -> dict[str, Any] | None:
        """The owner's list called ``name``, or None."""
        return find(self.list(owner), lambda row: row.get("name") == name)

    def create(self, owner: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Create a list; answers its row (with ``list_id``)."""
        body = {name: fields[name] for name in FIELDS if name in fields}
        row = self.client.create(
            self.client.user_path(owner, "marketing", "list"),
            body,
            find_existing=lambda: self.find_by_name(owner, body["name"]),
        )
        return row if isinstance(row, dict) else self.find_by_name(owner, body["name"]) or body

    def update(self, owner: str, list_id: int, fields: dict[str, Any]) -> None:
        """Change the given fields of a list; others are untouched."""
        body = {name: fields[name] for name in FIELDS if name in fields}
        self.client.put(self.client.user_path(owner, "marketing", "list", list_id), body)

    def delete(self, owner: str, list_id: int) -> None:
        """Delete a list and its contacts."""
        self.client.delete(self.client.user_path(owner, "marketing", "list", list_id))


class MarketingList(Declared):
    """A Secure Marketing contact list, known by its name per owning user. Deleting a list
    deletes its contacts."""

    owner: EmailAddress = Field(description="The login of the user the list belongs to.")
    name: str = Field(description="The list's name.")
    renamed_from: str | None = Field(
        default=None,
        description="The list's previous name: rename that list (keeping its contacts) "
        "rather than create a new one. Remove it once applied.",
    )
    group: str | None = Field(
        default=None, description="The name of a declared list group of the same owner."
    )
    from_email: EmailAddress | None = None
    from_name: str | None = None
    reply_email: EmailAddress | None = None
    custom_fields: NameSet | None = Field(
        default=None, description="Code words of declared custom fields of the same owner."
    )


_PLAIN = ("from_email", "from_name", "reply_email", "custom_fields")


class MarketingListType(ObjectType[MarketingList]):
    """Marketing lists: partial updates; the group and custom fields are references."""

    service = "luxsci"
    name = "lists"
    title = "MarketingList"
    model = MarketingList
    key_fields = ("owner", "name")
    refers_to = (USERS, LIST_GROUPS, CUSTOM_FIELDS)
    rename_field = "renamed_from"
    destroys = "its contacts"
    owner_field = "owner"

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        owner = fields["owner"]
        references = [owner_reference(fields)]
        if fields.get("group"):
            references.append(LIST_GROUPS.reference(owner, fields["group"], field="group"))
        for code_word in fields.get("custom_fields") or ():
            references.append(CUSTOM_FIELDS.reference(owner, code_word, field="custom_fields"))
        return references

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        api = MarketingListApi(session.client)
        return first_of_each_key(
            [
                self._live(session, owner, row)
                for owner in sorted(owners)
                for row in owner_rows(session, self.name, owner, lambda o=owner: api.list(o))
            ]
        )

    def create(self, session: Any, declared: MarketingList) -> LiveObject:
        body = self._body(session, declared, declared.model_fields_set)
        row = MarketingListApi(session.client).create(declared.owner, body)
        forget_owner(session, self.name, declared.owner)
        return self._live(session, declared.owner, row)

    def held_count(self, live: LiveObject) -> int | None:
        count = live.raw.get("n_subscribers")
        return count if isinstance(count, int) else None

    def update(
        self, session: Any, live: LiveObject, declared: MarketingList, changed: set[str]
    ) -> LiveObject:
        body = self._body(session, declared, changed)
        MarketingListApi(session.client).update(declared.owner, live.api_id, body)
        forget_owner(session, self.name, declared.owner)
        return self._live(session, declared.owner, {**live.raw, **body})

    def delete(self, session: Any, live: LiveObject) -> None:
        MarketingListApi(session.client).delete(live.fields["owner"], live.api_id)
        forget_owner(session, self.name, live.fields["owner"])

    @staticmethod
    def _body(session: Any, declared: MarketingList, names: set[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"name": declared.name}
        body.update({name: getattr(declared, name) for name in _PLAIN if name in names})
        if "group" in names:
            body["list_group_id"] = _group_id(session, declared.owner, declared.group)
        return body

    def _live(self, session: Any, owner: str, row: dict[str, Any]) -> LiveObject:
        fields = {"owner": owner, "name": row.get("name")}
        fields.update({name: row.get(name) for name in _PLAIN})
        fields["group"] = _group_name(session, owner, row.get("list_group_id"))
        fields = self.normalise_live(fields)
        return LiveObject(self.id_of(fields), fields, row.get("list_id"), row)


def _group_id(session: Any, owner: str, name: str | None) -> int:
    if not name:
        return 0
    row = find(list_group_rows(session, owner), lambda row: row.get("name") == name)
    if row is None:
        raise LookupError(f"list group {name!r} of {owner} does not exist")
    return int(row["list_group_id"])


def _group_name(session: Any, owner: str, group_id: Any) -> str | None:
    if not group_id:
        return None
    rows = list_group_rows(session, owner)
    row = find(rows, lambda row: row.get("list_group_id") == group_id)
    return row.get("name") if row else f"#{group_id}"


LISTS = MarketingListType()
