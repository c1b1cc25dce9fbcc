"""Email templates (user scope): ``/user/{login}/templates`` and ``/template/{id}``.

An update replaces every field (the API treats omitted fields as empty), so ``replace``
takes the complete template.
"""

from __future__ import annotations

from typing import Any

from provider.luxsci.objects.base import ObjectApi, find

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
