"""Secure Marketing v3 contact lists (user scope): ``/user/{login}/marketing/list[s]``.

Listing is a paged report. Updates are partial. Deleting a list deletes its contacts.
"""

from __future__ import annotations

from typing import Any

from provider.luxsci.objects.base import ObjectApi, find

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
