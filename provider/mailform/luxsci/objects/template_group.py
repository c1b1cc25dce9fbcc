"""Email template groups (user scope): ``/user/{login}/template_group[s]``.

Only the name can be changed (a rename). Deleting a group leaves its templates ungrouped.
"""

from __future__ import annotations

from typing import Any

from mailform.luxsci.objects.base import ObjectApi, find
from mailform.luxsci.objects.group import Group, GroupType


class TemplateGroupApi(ObjectApi):
    """createEmailTemplateGroup, getEmailTemplateGroups, updateEmailTemplateGroup,
    deleteEmailTemplateGroup."""

    def list(self, owner: str) -> list[dict[str, Any]]:
        """Every template group visible to ``owner``, one call."""
        return self.client.get(self.client.user_path(owner, "template_groups")) or []

    def find_by_name(self, owner: str, name: str) -> dict[str, Any] | None:
        """The owner's group called ``name``, or None."""
        return find(self.list(owner), lambda row: row.get("name") == name)

    def create(self, owner: str, name: str) -> dict[str, Any]:
        """Create a group; answers its row (with ``template_group_id``)."""
        row = self.client.create(
            self.client.user_path(owner, "template_group"),
            {"name": name},
            find_existing=lambda: self.find_by_name(owner, name),
        )
        return row if isinstance(row, dict) else self.find_by_name(owner, name) or {"name": name}

    def rename(self, owner: str, group_id: int, name: str) -> None:
        """Change a group's name, its only mutable property."""
        self.client.put(self.client.user_path(owner, "template_group", group_id), {"name": name})

    def delete(self, owner: str, group_id: int) -> None:
        """Delete a group; its templates become ungrouped."""
        self.client.delete(self.client.user_path(owner, "template_group", group_id))


class TemplateGroup(Group):
    """A folder of email templates, known by its name per owning user."""


class TemplateGroupType(GroupType):
    """Template groups: a name, changed only by a rename (``renamed_from``); deleting one
    leaves its templates ungrouped."""

    name = "template_groups"
    title = "TemplateGroup"
    model = TemplateGroup
    api_class = TemplateGroupApi
    id_field = "template_group_id"


def group_rows(session: Any, owner: str) -> list[dict[str, Any]]:
    """An owner's template groups, read once per session (templates need them too)."""
    return TEMPLATE_GROUPS.rows(session, owner)


TEMPLATE_GROUPS = TemplateGroupType()
