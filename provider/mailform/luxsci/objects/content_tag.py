"""Email content tags (user scope): ``/user/{login}/content_tags``.

The API creates static tags only; an update replaces every field and cannot change a tag's
type or a dynamic tag's inclusion rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from mailform.engine.fieldtypes import EmailAddress
from mailform.engine.objecttype import Declared, LiveObject, ObjectType, Reference
from mailform.luxsci.objects.base import ObjectApi, forget_owner, get_or_none, owner_rows
from mailform.luxsci.objects.user import USERS, owner_reference

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


class ContentTag(Declared):
    """A static content tag: a named snippet templates insert by its code word."""

    owner: EmailAddress = Field(description="The login of the user the tag belongs to.")
    code_word: str = Field(description="The tag's code word.")
    name: str | None = Field(default=None, description="The tag's display name.")
    content: str | None = Field(default=None, description="The snippet inserted.")


class ContentTagType(ObjectType[ContentTag]):
    """Content tags. Dynamic tags are reported but cannot be managed through the API; an
    update replaces every field, so it sends the live tag with the declared fields over it."""

    service = "luxsci"
    name = "content_tags"
    title = "ContentTag"
    model = ContentTag
    key_fields = ("owner", "code_word")
    refers_to = (USERS,)
    owner_field = "owner"

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        return [owner_reference(fields)]

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        api = ContentTagApi(session.client)
        return [
            self._live(owner, row)
            for owner in sorted(owners)
            for row in owner_rows(session, self.name, owner, lambda o=owner: api.list(o))
        ]

    def create(self, session: Any, declared: ContentTag) -> LiveObject:
        row = ContentTagApi(session.client).create(declared.owner, self._body(declared, {}))
        forget_owner(session, self.name, declared.owner)
        return self._live(declared.owner, row)

    def update(
        self, session: Any, live: LiveObject, declared: ContentTag, changed: set[str]
    ) -> LiveObject:
        body = self._body(declared, live.raw)
        ContentTagApi(session.client).replace(declared.owner, live.api_id, body)
        forget_owner(session, self.name, declared.owner)
        return self._live(declared.owner, {**live.raw, **body})

    def delete(self, session: Any, live: LiveObject) -> None:
        ContentTagApi(session.client).delete(live.fields["owner"], live.api_id)
        forget_owner(session, self.name, live.fields["owner"])

    @staticmethod
    def _body(declared: ContentTag, live_row: Mapping[str, Any]) -> dict[str, Any]:
        body = {name: live_row[name] for name in FIELDS if name in live_row}
        for name in FIELDS:
            if name in declared.model_fields_set or name == "code_word":
                body[name] = getattr(declared, name)
        return body

    def _live(self, owner: str, row: dict[str, Any]) -> LiveObject:
        fields = {"owner": owner, **{name: row.get(name) for name in FIELDS}}
        fields = self.normalise_live(fields)
        static = row.get("type", "static") == "static"
        return LiveObject(self.id_of(fields), fields, row.get("tag_id"), row, managed=static)


CONTENT_TAGS = ContentTagType()
