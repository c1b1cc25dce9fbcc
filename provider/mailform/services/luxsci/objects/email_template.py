"""Email templates (user scope): createEmailTemplate and getEmailTemplateList
(``…/templates``), updateEmailTemplate and deleteEmailTemplate (``…/template/{id}``).

An update replaces every field (the API treats omitted fields as empty), so it sends the
live template with the declared fields over it. A template names its group; the API takes
and answers the group's id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from mailform.services.luxsci.objects.group import TEMPLATE_GROUPS, GroupedType
from mailform.services.luxsci.objects.owned import Named
from mailform.services.luxsci.objects.rest import Endpoint, UpdateStyle
from mailform.services.luxsci.objects.user import USERS


class EmailTemplate(Named):
    """An email template, known by its name per owning user (a rename keeps its code word)."""

    code_word: str | None = Field(default=None, description="The template's unique code word.")
    subject: str | None = None
    body_html: str | None = None
    body_text: str | None = None
    group: str | None = Field(
        default=None, description="The name of a declared template group of the same owner."
    )
    is_private: bool | None = Field(
        default=None, description="Hidden from the owner's team members."
    )


class EmailTemplateType(GroupedType[EmailTemplate]):
    """Email templates."""

    name = "templates"
    refers_to = (USERS, TEMPLATE_GROUPS)
    unique_fields = ("code_word",)
    destroys = "its content, which campaigns may use"
    endpoint = Endpoint("user", "templates", id_field="template_id", item="template", detail=True)
    wire_fields = ("name", "code_word", "subject", "body_html", "body_text", "is_private")
    update_style = UpdateStyle.REPLACE
    read_fields = ("user_id",)
    groups = TEMPLATE_GROUPS
    group_id_field = "template_group_id"

    def body(
        self, session: Any, declared: EmailTemplate, live_row: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """The live template's group stays unless the file declares one (a replace)."""
        body = super().body(session, declared, live_row)
        if live_row is not None and self.group_id_field in live_row:
            body[self.group_id_field] = live_row[self.group_id_field]
        return {**body, **self.group_id(session, declared)}


TEMPLATES = EmailTemplateType()
