"""Email template groups (user scope): createEmailTemplateGroup (``…/template_group``),
getEmailTemplateGroups (``…/template_groups``), updateEmailTemplateGroup (a rename) and
deleteEmailTemplateGroup (``…/template_group/{id}``). Deleting a group leaves its
templates ungrouped."""

from __future__ import annotations

from mailform.services.luxsci.objects.group import Group, GroupType
from mailform.services.luxsci.objects.rest import Endpoint


class TemplateGroup(Group):
    """A folder of email templates, known by its name per owning user."""


class TemplateGroupType(GroupType):
    """Template groups."""

    name = "template_groups"
    title = "TemplateGroup"
    model = TemplateGroup
    endpoint = Endpoint(
        "user",
        "template_groups",
        id_field="template_group_id",
        item="template_group",
        create_at="template_group",
    )


TEMPLATE_GROUPS = TemplateGroupType()
