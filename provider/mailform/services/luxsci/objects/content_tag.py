"""Email content tags (user scope): ``/user/{login}/content_tags``.

The API creates static tags only; an update replaces every field and cannot change a tag's
type or a dynamic tag's inclusion rules. Dynamic tags are reported, never managed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from mailform.services.luxsci.objects.owned import Owned, OwnedType
from mailform.services.luxsci.objects.rest import Endpoint, UpdateStyle


class ContentTag(Owned):
    """A static content tag: a named snippet templates insert by its code word."""

    code_word: str = Field(description="The tag's code word.")
    name: str | None = Field(default=None, description="The tag's display name.")
    content: str | None = Field(default=None, description="The snippet inserted.")


class ContentTagType(OwnedType[ContentTag]):
    """createEmailContentTag, getEmailContentTagList, updateEmailContentTag (a replace),
    deleteEmailContentTag."""

    name = "content_tags"
    key_fields = ("owner", "code_word")
    endpoint = Endpoint("user", "content_tags", id_field="tag_id", detail=True)
    wire_fields = ("code_word", "name", "content")
    read_fields = ("type",)
    update_style = UpdateStyle.REPLACE

    def is_managed(self, row: Mapping[str, Any]) -> bool:
        return str(row.get("type", "static")) == "static"


CONTENT_TAGS = ContentTagType()
