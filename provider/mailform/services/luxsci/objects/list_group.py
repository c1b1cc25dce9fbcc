"""Secure Marketing v3 list groups (user scope): addListGroup (``…/marketing/list_group``),
getListGroups (``…/marketing/list_groups``), updateListGroup (a rename) and deleteListGroup
(``…/marketing/list_group/{id}``). Deleting a group leaves its lists ungrouped (group 0)."""

from __future__ import annotations

from mailform.services.luxsci.objects.group import Group, GroupType, group_endpoint


class ListGroup(Group):
    """A folder of Secure Marketing lists, known by its name per owning user."""


class ListGroupType(GroupType):
    """List groups."""

    name = "list_groups"
    title = "ListGroup"
    model = ListGroup
    endpoint = group_endpoint("marketing/list_group", "list_group_id")


LIST_GROUPS = ListGroupType()
