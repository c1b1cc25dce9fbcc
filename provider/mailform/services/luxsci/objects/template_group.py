"""Email template groups (user scope): createEmailTemplateGroup (``…/template_group``),
getEmailTemplateGroups (``…/template_groups``), updateEmailTemplateGroup (a rename) and
deleteEmailTemplateGroup (``…/template_group/{id}``). Deleting a group leaves its
templates ungrouped."""

from __future__ import annotations

from mailform.services.luxsci.objects.group import Group, GroupType, group_endpoint


class TemplateGroup(Group):
    """A folder of email templates, known by its name per owning user."""


class TemplateGroupType(GroupType):
    """Template groups."""

    name = "template_groups"
    title = "TemplateGroup"
    model = TemplateGroup
    endpoint = group_endpoint("template_group", "template_group_id")


TEMPLATE_GROUPS = TemplateGroupType()
