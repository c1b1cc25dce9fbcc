"""Secure Marketing v3 list groups (user scope): ``/user/{login}/marketing/list_group[s]``.

Only the name can be changed. Deleting a group leaves its lists ungrouped (group 0).
"""

from __future__ import annotations

from typing import Any

from mailform.luxsci.objects.base import ObjectApi, find
from mailform.luxsci.objects.group import Group, GroupType


class ListGroupApi(ObjectApi):
    """addListGroup, getListGroups, updateListGroup, deleteListGroup."""

    def list(self, owner: str) -> list[dict[str, Any]]:
        """Every list group visible to ``owner``, one call."""
        return self.client.get(self.client.user_path(owner, "marketing", "list_groups")) or []

    def find_by_name(self, owner: str, name: str) -> dict[str, Any] | None:
        """The owner's list group called ``name``, or None."""
        return find(self.list(owner), lambda row: row.get("name") == name)

    def create(self, owner: str, name: str) -> dict[str, Any]:
        """Create a list group; answers its row (with ``list_group_id``)."""
        row = self.client.create(
            self.client.user_path(owner, "marketing", "list_group"),
            {"name": name},
            find_existing=lambda: self.find_by_name(owner, name),
        )
        return row if isinstance(row, dict) else self.find_by_name(owner, name) or {"name": name}

    def rename(self, owner: str, group_id: int, name: str) -> None:
        """Change a list group's name, its only mutable property."""
        self.client.put(
            self.client.user_path(owner, "marketing", "list_group", group_id), {"name": name}
        )

    def delete(self, owner: str, group_id: int) -> None:
        """Delete a list group; its lists become ungrouped."""
        self.client.delete(self.client.user_path(owner, "marketing", "list_group", group_id))


class ListGroup(Group):
    """A folder of Secure Marketing lists, known by its name per owning user."""


class ListGroupType(GroupType):
    """List groups: a name, changed only by a rename (``renamed_from``); deleting one
    leaves its lists ungrouped."""

    name = "list_groups"
    title = "ListGroup"
    model = ListGroup
    api_class = ListGroupApi
    id_field = "list_group_id"


def list_group_rows(session: Any, owner: str) -> list[dict[str, Any]]:
    """An owner's list groups, read once per session (lists need them too)."""
    return LIST_GROUPS.rows(session, owner)


LIST_GROUPS = ListGroupType()
