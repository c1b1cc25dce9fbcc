"""Email templates (user scope): ``/user/{login}/templates`` and ``/template/{id}``.

An update replaces every field (the API treats omitted fields as empty), so ``replace``
takes the complete template.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from mailform.engine.fieldtypes import EmailAddress
from mailform.engine.objecttype import (
    Declared,
    LiveObject,
    ObjectType,
    Reference,
    first_of_each_key,
)
from mailform.luxsci.objects.base import ObjectApi, find, forget_owner, owner_rows
from mailform.luxsci.objects.template_group import TEMPLATE_GROUPS, group_rows
from mailform.luxsci.objects.user import USERS, owner_reference

#: The template fields the create and update calls carry.
FIELDS = (
    "name",
    "code_word",
    "subject",
    "body_html",
    "body_text",
    "template_group_id",
    "is_private",
)


class EmailTemplateApi(ObjectApi):
    """createEmailTemplate, getEmailTemplateList, getEmailTemplate, updateEmailTemplate,
    deleteEmailTemplate."""

    def list(self, owner: str) -> list[dict[str, Any]]:
        """Every template visible to ``owner`` (including team members' non-private ones)."""
        return self.client.get(self.client.user_path(owner, "templates")) or []

    def find_by_name(self, owner: str, name: str) -> dict[str, Any] | None:
        """The owner's template called ``name``, or None."""
        return find(self.list(owner), lambda row: row.get("name") == name)

    def create(self, owner: str, template: dict[str, Any]) -> dict[str, Any]:
        """Create a template from ``FIELDS``; answers its row (with ``template_id``)."""
        body = _body(template)
        row = self.client.create(
            self.client.user_path(owner, "templates"),
            body,
            find_existing=lambda: self.find_by_name(owner, body["name"]),
        )
        return row if isinstance(row, dict) else self.find_by_name(owner, body["name"]) or body

    def replace(self, owner: str, template_id: int | str, template: dict[str, Any]) -> None:
        """Replace every field of a template (id or code word); omitted fields become empty."""
        self.client.put(self.client.user_path(owner, "template", template_id), _body(template))

    def delete(self, owner: str, template_id: int | str) -> None:
        """Delete a template (id or code word)."""
        self.client.delete(self.client.user_path(owner, "template", template_id))


def _body(template: dict[str, Any]) -> dict[str, Any]:
    return {name: template[name] for name in FIELDS if name in template}


class EmailTemplate(Declared):
    """An email template, known by its name per owning user."""

    owner: EmailAddress = Field(description="The login of the user the template belongs to.")
    name: str = Field(description="The template's name.")
    renamed_from: str | None = Field(
        default=None,
        description="The template's previous name: rename that template rather than create "
        "a new one (its code word stays). Remove it once applied.",
    )
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


#: Model fields that map one-to-one onto API fields.
_PLAIN = ("name", "code_word", "subject", "body_html", "body_text", "is_private")


class EmailTemplateType(ObjectType[EmailTemplate]):
    """Email templates. The API replaces every field on update, so an update sends the live
    template with the declared fields laid over it."""

    service = "luxsci"
    name = "templates"
    title = "EmailTemplate"
    model = EmailTemplate
    key_fields = ("owner", "name")
    refers_to = (USERS, TEMPLATE_GROUPS)
    unique_fields = ("code_word",)
    rename_field = "renamed_from"
    destroys = "its content, which campaigns may use"
    owner_field = "owner"

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        references = [owner_reference(fields)]
        if fields.get("group"):
            references.append(
                TEMPLATE_GROUPS.reference(fields["owner"], fields["group"], field="group")
            )
        return references

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        api = EmailTemplateApi(session.client)
        return first_of_each_key(
            [
                self._live(session, owner, row)
                for owner in sorted(owners)
                for row in owner_rows(session, self.name, owner, lambda o=owner: api.list(o))
            ]
        )

    def create(self, session: Any, declared: EmailTemplate) -> LiveObject:
        body = self._body(session, declared, {})
        row = EmailTemplateApi(session.client).create(declared.owner, body)
        forget_owner(session, self.name, declared.owner)
        return self._live(session, declared.owner, row)

    def update(
        self, session: Any, live: LiveObject, declared: EmailTemplate, changed: set[str]
    ) -> LiveObject:
        body = self._body(session, declared, live.raw)
        EmailTemplateApi(session.client).replace(declared.owner, live.api_id, body)
        forget_owner(session, self.name, declared.owner)
        return self._live(session, declared.owner, {**live.raw, **body})

    def delete(self, session: Any, live: LiveObject) -> None:
        owner = live.fields["owner"]
        EmailTemplateApi(session.client).delete(owner, live.api_id)
        forget_owner(session, self.name, owner)

    def _body(
        self, session: Any, declared: EmailTemplate, live_row: Mapping[str, Any]
    ) -> dict[str, Any]:
        body = {name: live_row[name] for name in FIELDS if name in live_row}
        for name in _PLAIN:
            if name in declared.model_fields_set or name == "name":
                body[name] = getattr(declared, name)
        if "group" in declared.model_fields_set:
            body["template_group_id"] = _group_id(session, declared.owner, declared.group)
        return body

    def _live(self, session: Any, owner: str, row: dict[str, Any]) -> LiveObject:
        fields = {"owner": owner, **{name: row.get(name) for name in _PLAIN}}
        fields["group"] = _group_name(session, owner, row.get("template_group_id"))
        fields = self.normalise_live(fields)
        return LiveObject(self.id_of(fields), fields, row.get("template_id"), row)


def _group_id(session: Any, owner: str, name: str | None) -> int:
    if not name:
        return 0
    row = find(group_rows(session, owner), lambda row: row.get("name") == name)
    if row is None:
        raise LookupError(f"template group {name!r} of {owner} does not exist")
    return int(row["template_group_id"])


def _group_name(session: Any, owner: str, group_id: Any) -> str | None:
    if not group_id:
        return None
    row = find(group_rows(session, owner), lambda row: row.get("template_group_id") == group_id)
    return row.get("name") if row else f"#{group_id}"


TEMPLATES = EmailTemplateType()
