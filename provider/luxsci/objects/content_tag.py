"""Email content tags (user scope): ``/user/{login}/content_tags``.

The API creates static tags only; an update replaces every field and cannot change a tag's
type or a dynamic tag's inclusion rules.
"""

from __future__ import annotations

from typing import Any

from provider.luxsci.objects.base import ObjectApi, get_or_none

FIELDS = ("code_word", "name", "content")


class ContentTagApi(ObjectApi):
    """createEmailContentTag, getEmailContentTagList, getEmailContentTag,
    updateEmailContentTag, deleteEmailContentTag."""

    def list(self, owner: str) -> list[dict[str, Any]]:
        """Every content tag visible to ``owner``, one call."""
        return self.client.get(self.client.user_path(owner, "content_tags")) or []

    def get(self, owner: str, tag: int | str) -> dict[str, Any] | None:
        """One tag by id or code word, or None."""
        return get_or_none(
            lambda: self.client.get(self.client.user_path(owner, "content_tags", tag))
        )

    def create(self, owner: str, tag: dict[str, Any]) -> dict[str, Any]:
        """Create a static tag; answers its row (with ``tag_id``)."""
        body = {name: tag[name] for name in FIELDS if name in tag}
        row = self.client.create(
            self.client.user_path(owner, "content_tags"),
            body,
            find_existing=lambda: self.get(owner, body["code_word"]),
        )
        return row if isinstance(row, dict) else self.get(owner, body["code_word"]) or body

    def replace(self, owner: str, tag_id: int | str, tag: dict[str, Any]) -> None:
        """Replace every field of a tag; omitted fields become empty."""
        body = {name: tag[name] for name in FIELDS if name in tag}
        self.client.put(self.client.user_path(owner, "content_tags", tag_id), body)

    def delete(self, owner: str, tag_id: int | str) -> None:
        """Delete a tag (id or code word)."""
        self.client.delete(self.client.user_path(owner, "content_tags", tag_id))
