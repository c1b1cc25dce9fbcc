"""Custom fields (user scope): ``/user/{login}/fields``. Create and list only: a custom
field can be neither changed nor deleted through the API."""

from __future__ import annotations

from typing import Any

from provider.luxsci.objects.base import ObjectApi, find

#: The field types mailform assumes the API accepts (docs/api-assumptions.md).
FIELD_TYPES = ("text", "number", "date", "boolean")


class CustomFieldApi(ObjectApi):
    """createCustomField, getCustomFields."""

    def list(self, owner: str) -> list[dict[str, Any]]:
        """Every custom field visible to ``owner``, one call."""
        return self.client.get(self.client.user_path(owner, "fields")) or []

    def find_by_code_word(self, owner: str, code_word: str) -> dict[str, Any] | None:
        """The field with this code word, or None."""
        return find(self.list(owner), lambda row: row.get("code_word") == code_word)

    def create(self, owner: str, code_word: str, name: str, type: str = "text") -> dict[str, Any]:
        """Create a custom field; answers its row."""
        body = {"code_word": code_word, "name": name, "type": type}
        row = self.client.create(
            self.client.user_path(owner, "fields"),
            body,
            find_existing=lambda: self.find_by_code_word(owner, code_word),
        )
        return row if isinstance(row, dict) else self.find_by_code_word(owner, code_word) or body
