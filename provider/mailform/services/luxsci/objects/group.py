"""Groups: the folders of a user's assets, template groups and list groups, which share one
model and one type: createEmailTemplateGroup / addListGroup (``…/template_group``,
``…/marketing/list_group``), getEmailTemplateGroups / getListGroups (the plural paths),
updateEmailTemplateGroup / updateListGroup (a rename) and deleteEmailTemplateGroup /
deleteListGroup (``…/{singular}/{id}``). Deleting a group leaves its templates or lists
ungrouped (group 0). A group is known by its name per owner, which is all it has;
the one update is a rename (``renamed_from``), which keeps its members. The API does not
keep group names unique: the oldest of a name is managed.

Templates and lists name their group; the API takes and answers its id. ``id_named`` and
``name_of`` translate, from the owner's group list that one plan reads once.
"""

from __future__ import annotations

from typing import Any, TypeVar

from mailform.services.luxsci.objects.owned import Named, NamedType
from mailform.services.luxsci.objects.rest import Endpoint


class Group(Named):
    """A folder of a user's assets, known by its name per owning user."""


G = TypeVar("G", bound=Group)


class GroupType(NamedType[G]):
    """A kind of group; subclasses give the name, model and the paths (``group_endpoint``)."""

    wire_fields = ("name",)

    def id_named(self, session: Any, owner: str, name: str | None) -> int:
        """The id of the owner's group called ``name`` (0: no group), for a body."""
        if not name:
            return 0
        for row in self.rows(session, owner):
            if row.get("name") == name:
                return int(row[self.endpoint.id_field])
        raise LookupError(f"{self.title} {name!r} of {owner} does not exist")

    def name_of(self, session: Any, owner: str | None, group_id: Any) -> str | None:
        """The name of the owner's group with ``group_id`` (None: no group), for a row;
        ``#id`` for a group the list does not show."""
        if not group_id or owner is None:
            return None
        for row in self.rows(session, owner):
            if row.get(self.endpoint.id_field) == group_id:
                return str(row.get("name"))
        return f"#{group_id}"


def group_endpoint(singular: str, id_field: str) -> Endpoint:
    """A group kind's calls: listed at the plural path, created and changed at the singular
    one (``template_group``: ``…/template_groups``, ``…/template_group/{id}``)."""
    return Endpoint("user", f"{singular}s", id_field=id_field, item=singular, create_at=singular)


class TemplateGroup(Group):
    """A folder of email templates, known by its name per owning user."""


class TemplateGroupType(GroupType[TemplateGroup]):
    """Template groups."""

    name = "template_groups"
    endpoint = group_endpoint("template_group", "template_group_id")


class ListGroup(Group):
    """A folder of Secure Marketing lists, known by its name per owning user."""


class ListGroupType(GroupType[ListGroup]):
    """Secure Marketing v3 list groups."""

    name = "list_groups"
    endpoint = group_endpoint("marketing/list_group", "list_group_id")


TEMPLATE_GROUPS = TemplateGroupType()
LIST_GROUPS = ListGroupType()
