"""The user-scope assets of the simulated account: templates, content tags, custom fields and
Secure Marketing (v3) lists, each owned by one user.

Pure Python over the same JSON-ready mapping as :mod:`mailform.sandbox.luxsci.account`. The
documented rules (LuxSci's Secure Marketing reference, as ``docs/api-assumptions.md`` records it):

- template groups and list groups carry only a name; deleting one leaves its members
  ungrouped (``template_group_id`` / ``list_group_id`` 0);
- a template update and a content-tag update replace *all* fields: omitted ones become empty;
- content tags are created static; an update cannot change the type, nor the rules of a
  dynamic tag (403);
- custom fields can only be created and listed; the code word is unique per owning user, and
  a field of the list's owner must exist before the list is assigned it (400);
- the marketing list report is paged with ``first_row`` / ``matches`` and says
  ``total_matches``; deleting a list deletes its contacts.

Templates and content tags are found by numeric id or by code word, as the reference says.
An owner's assets, and the assets with a code word, are found with
:func:`~mailform.sandbox.tracking.where`, never by scanning the account's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

from mailform.sandbox.luxsci.account import ASSET_KEYS, AccountRecords
from mailform.sandbox.luxsci.errors import AccessDenied, Conflict, InvalidRequest, NotFound
from mailform.sandbox.luxsci.values import (
    address,
    choice,
    code_word,
    flag,
    given,
    integer,
    parse_gmt,
    public,
    required_text,
    text,
)
from mailform.sandbox.tracking import where

FIELD_TYPES = ("text", "number", "date", "boolean")
MAX_MATCHES = 50000
LIST_COLUMNS = (
    "list_id",
    "owner_id",
    "created",
    "modified",
    "name",
    "from_email",
    "from_name",
    "reply_email",
    "n_subscribers",
    "list_group_id",
    "custom_fields",
)
#: How each date filter of the list report keeps a row: by the row's time and the bound.
_DATE_FILTERS: dict[str, Callable[[float, float], bool]] = {
    "after_date": lambda value, bound: value > bound,
    "before_date": lambda value, bound: value < bound,
    "from_date": lambda value, bound: value >= bound,
    "through_date": lambda value, bound: value <= bound,
}


class Marketing(AccountRecords):
    """The assets of one owner (``owner`` is the user record named in the request path)."""

    def __init__(self, data: dict[str, Any], now: float, owner: Mapping[str, Any]) -> None:
        super().__init__(data, now)
        self.owner_id: int = owner["user_id"]
        self._team = owner.get("_team")

    @cached_property
    def team_ids(self) -> frozenset[int]:
        """The user ids of the owner's Team (the owner alone when not in one)."""
        members = {} if self._team is None else where(self.data["users"], "_team", self._team)
        return frozenset({self.owner_id} | {user["user_id"] for user in members.values()})

    def _owned(self, kind: str) -> list[dict[str, Any]]:
        id_key, owner_key = ASSET_KEYS[kind]
        records = where(self.data[kind], owner_key, self.owner_id).values()
        return sorted(records, key=lambda item: item[id_key])

    def _with_code_word(self, kind: str, word: str) -> list[dict[str, Any]]:
        """The owner's ``kind`` with code word ``word``, by id."""
        id_key, owner_key = ASSET_KEYS[kind]
        records = [
            item
            for item in where(self.data[kind], "code_word", word).values()
            if item.get(owner_key) == self.owner_id
        ]
        return sorted(records, key=lambda item: item[id_key])

    def _by_id(self, kind: str, reference: str, noun: str) -> dict[str, Any]:
        _, owner_key = ASSET_KEYS[kind]
        records: dict[str, dict[str, Any]] = self.data[kind]
        record = records.get(reference) if reference.isdigit() else None
        if record is None or record[owner_key] != self.owner_id:
            raise NotFound(f"{noun} {reference} not found.")
        return record

    def _by_id_or_code_word(self, kind: str, reference: str, noun: str) -> dict[str, Any]:
        if reference.isdigit():
            try:
                return self._by_id(kind, reference, noun)
            except NotFound:
                pass
        found = self._with_code_word(kind, reference) if reference else []
        if found:
            return found[0]
        raise NotFound(f"{noun} {reference} not found.")

    def _group_must_exist(self, kind: str, group_id: int, noun: str) -> None:
        """A group named in a body (not the path) is invalid input (400), not a 404."""
        try:
            self._by_id(kind, str(group_id), noun)
        except NotFound:
            raise InvalidRequest(f"{noun} {group_id} does not exist.") from None

    # Template groups

    def template_groups(self) -> list[dict[str, Any]]:
        """getEmailTemplateGroups: the owner's groups, by id."""
        return [public(item) for item in self._owned("template_groups")]

    def create_template_group(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """createEmailTemplateGroup: ``{"name"}``."""
        group_id = self.next_id("template_group")
        record = {
            "template_group_id": group_id,
            "name": required_text(body, "name"),
            "_owner_id": self.owner_id,
        }
        self.data["template_groups"][str(group_id)] = record
        return public(record)

    def rename_template_group(self, reference: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """updateEmailTemplateGroup: the name is the only thing that can change."""
        record = self._by_id("template_groups", reference, "Template group")
        record["name"] = required_text(body, "name")
        return public(record)

    def delete_template_group(self, reference: str) -> None:
        """deleteEmailTemplateGroup: its templates stay, ungrouped."""
        record = self._by_id("template_groups", reference, "Template group")
        group_id = record["template_group_id"]
        for template in where(self.data["templates"], "template_group_id", group_id).values():
            template["template_group_id"] = 0
        del self.data["template_groups"][reference]

    # Templates

    def templates(self, query: Mapping[str, str]) -> list[dict[str, Any]]:
        """getEmailTemplateList: the owner's templates and every non-private template of
        the members of the owner's Team, "unless [``user_id``] is specified", which narrows
        to that user's (a teammate's private ones stay hidden)."""
        records = sorted(
            (
                item
                for item in self.data["templates"].values()
                if item["user_id"] == self.owner_id
                or (item["user_id"] in self.team_ids and not item.get("is_private"))
            ),
            key=lambda item: item["template_id"],
        )
        rows = [public(item) for item in records]
        if "user_id" in query:
            wanted = integer(query["user_id"], "user_id")
            rows = [row for row in rows if row["user_id"] == wanted]
        return rows

    def template(self, reference: str) -> dict[str, Any]:
        """getEmailTemplate by ``template_id`` or code word."""
        return public(self._by_id_or_code_word("templates", reference, "Template"))

    def _template_fields(self, body: Mapping[str, Any], template_id: int | None) -> dict[str, Any]:
        word = text(body, "code_word", default="")
        if word:
            code_word(word)
            for other in self._with_code_word("templates", word):
                if other["template_id"] != template_id:
                    raise Conflict(f"A template with code word '{word}' already exists.")
        group_id = integer(body.get("template_group_id", 0) or 0, "template_group_id", minimum=0)
        if group_id:
            self._group_must_exist("template_groups", group_id, "Template group")
        return {
            "name": required_text(body, "name"),
            "code_word": word,
            "subject": text(body, "subject", default=""),
            "body_html": text(body, "body_html", default=""),
            "body_text": text(body, "body_text", default=""),
            "template_group_id": group_id,
            "is_private": flag(body.get("is_private") or False, "is_private"),
        }

    def create_template(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """createEmailTemplate: the row's fields except the ids."""
        fields = self._template_fields(body, None)
        template_id = self.next_id("template")
        record = {"template_id": template_id, "user_id": self.owner_id, **fields}
        self.data["templates"][str(template_id)] = record
        return public(record)

    def replace_template(self, reference: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """updateEmailTemplate: replaces ALL fields, "as omitted fields will be treated as if
        you are updating them with empty or false values"; the id is kept."""
        record = self._by_id_or_code_word("templates", reference, "Template")
        record.update(self._template_fields(body, record["template_id"]))
        return public(record)

    def delete_template(self, reference: str) -> None:
        """deleteEmailTemplate by id or code word."""
        record = self._by_id_or_code_word("templates", reference, "Template")
        del self.data["templates"][str(record["template_id"])]

    # Content tags

    def content_tags(self) -> list[dict[str, Any]]:
        """getEmailContentTagList: the owner's tags, by id."""
        return [public(item) for item in self._owned("content_tags")]

    def content_tag(self, reference: str) -> dict[str, Any]:
        """getEmailContentTag by ``tag_id`` or code word."""
        return public(self._by_id_or_code_word("content_tags", reference, "Content tag"))

    def _tag_fields(self, body: Mapping[str, Any], tag_id: int | None) -> dict[str, Any]:
        word = code_word(required_text(body, "code_word"))
        for other in self._with_code_word("content_tags", word):
            if other["tag_id"] != tag_id:
                raise Conflict(f"A content tag with code word '{word}' already exists.")
        return {
            "code_word": word,
            "name": text(body, "name", default=""),
            "content": text(body, "content", default=""),
        }

    def create_content_tag(
        self, body: Mapping[str, Any], *, kind: str = "static", rules: Any = None
    ) -> dict[str, Any]:
        """createEmailContentTag: ``{"code_word", "name", "content"}``; always static through
        the API (only seeding passes ``kind="dynamic"``)."""
        if str(body.get("type") or "static").lower() != "static" and kind == "static":
            raise InvalidRequest("Only static content tags can be created through the API.")
        fields = self._tag_fields(body, None)
        tag_id = self.next_id("content_tag")
        record = {
            "tag_id": tag_id,
            **fields,
            "type": kind,
            "_owner_id": self.owner_id,
            "_rules": rules,
        }
        self.data["content_tags"][str(tag_id)] = record
        return public(record)

    def replace_content_tag(self, reference: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """updateEmailContentTag: replaces all fields; the type cannot change, nor a dynamic
        tag's inclusion rules (403)."""
        record = self._by_id_or_code_word("content_tags", reference, "Content tag")
        if body.get("type") is not None and str(body["type"]).lower() != record["type"]:
            raise AccessDenied("The type of a content tag cannot be changed.")
        if record["type"] == "dynamic" and "rules" in body:
            raise AccessDenied(
                "The inclusion rules of a dynamic content tag cannot be changed through the API."
            )
        record.update(self._tag_fields(body, record["tag_id"]))
        return public(record)

    def delete_content_tag(self, reference: str) -> None:
        """deleteEmailContentTag by id or code word."""
        record = self._by_id_or_code_word("content_tags", reference, "Content tag")
        del self.data["content_tags"][str(record["tag_id"])]

    # Custom fields

    def custom_fields(self) -> list[dict[str, Any]]:
        """getCustomFields: every field visible to the user, which is the fields the user owns
        (team-shared visibility is not modelled; see docs/api-assumptions.md)."""
        records = sorted(self._own_fields(), key=lambda item: item["field_id"])
        return [public(item) for item in records]

    def _own_fields(self) -> list[dict[str, Any]]:
        return list(where(self.data["custom_fields"], "_owner_id", self.owner_id).values())

    def create_custom_field(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """createCustomField: ``{"code_word", "name", "type"}``; 409 if the code word exists."""
        body = given(body)
        word = code_word(required_text(body, "code_word"))
        field_type = choice(body.get("type", "text"), "type", FIELD_TYPES)
        if self._with_code_word("custom_fields", word):
            raise Conflict(f"A custom field with code word '{word}' already exists.")
        field_id = self.next_id("custom_field")
        record = {
            "field_id": field_id,
            "code_word": word,
            "name": text(body, "name", default=""),
            "type": field_type,
            "_owner_id": self.owner_id,
        }
        self.data["custom_fields"][str(field_id)] = record
        return public(record)

    # List groups

    def list_groups(self) -> list[dict[str, Any]]:
        """getListGroups: the owner's list groups, by id."""
        return [public(item) for item in self._owned("list_groups")]

    def create_list_group(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """addListGroup: ``{"name"}``."""
        group_id = self.next_id("list_group")
        record = {
            "list_group_id": group_id,
            "name": required_text(body, "name"),
            "_owner_id": self.owner_id,
        }
        self.data["list_groups"][str(group_id)] = record
        return public(record)

    def rename_list_group(self, reference: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """updateListGroup: the name is the only thing that can change."""
        record = self._by_id("list_groups", reference, "List group")
        record["name"] = required_text(body, "name")
        return public(record)

    def delete_list_group(self, reference: str) -> None:
        """deleteListGroup: its lists are not deleted, they "merely become unassociated"."""
        record = self._by_id("list_groups", reference, "List group")
        for item in where(self.data["lists"], "list_group_id", record["list_group_id"]).values():
            item["list_group_id"] = 0
            item["modified"] = self.timestamp
        del self.data["list_groups"][reference]

    # Lists

    def list_report(self, query: Mapping[str, str]) -> tuple[list[str], list[dict[str, Any]], int]:
        """getLists, a report: the header, the page of rows and the total number of matches.

        ``first_row`` (0-based, default 0) and ``matches`` (0..50000, default 50000) pick the
        page; ``list_group_id`` and the date filters (on ``created``, or ``modified`` with
        ``use_date=modified``) narrow the matches.
        """
        first_row = integer(query.get("first_row", "0"), "first_row", minimum=0)
        matches = integer(
            query.get("matches", str(MAX_MATCHES)), "matches", minimum=0, maximum=MAX_MATCHES
        )
        rows = [public(item) for item in self._owned("lists")]
        if "list_group_id" in query:
            group_id = integer(query["list_group_id"], "list_group_id", minimum=0)
            rows = [row for row in rows if row["list_group_id"] == group_id]
        date_column = "modified" if query.get("use_date") == "modified" else "created"
        for name, keep in _DATE_FILTERS.items():
            if name in query:
                bound = parse_gmt(query[name], name)
                rows = [row for row in rows if keep(parse_gmt(row[date_column], name), bound)]
        return list(LIST_COLUMNS), rows[first_row : first_row + matches], len(rows)

    def marketing_list(self, reference: str) -> dict[str, Any]:
        """getList by ``list_id``."""
        return public(self._by_id("lists", reference, "List"))

    def _list_fields(self, body: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
        body = given(body)
        fields: dict[str, Any] = {}
        if not partial or "name" in body:
            fields["name"] = required_text(body, "name")
        for name in ("from_email", "reply_email"):
            if name in body:
                value = text(body, name, default="")
                fields[name] = address(value, name) if value else ""
        if "from_name" in body:
            fields["from_name"] = text(body, "from_name", default="")
        if "list_group_id" in body:
            group_id = integer(body["list_group_id"] or 0, "list_group_id", minimum=0)
            if group_id:
                self._group_must_exist("list_groups", group_id, "List group")
            fields["list_group_id"] = group_id
        if "custom_fields" in body:
            fields["custom_fields"] = self._assigned_fields(body["custom_fields"])
        return fields

    def _assigned_fields(self, value: Any) -> list[str]:
        if value is None:
            return []
        words = [part.strip() for part in value.split(",")] if isinstance(value, str) else value
        if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
            raise InvalidRequest("Invalid custom_fields: expected a list of code words.")
        existing = {item["code_word"] for item in self._own_fields()}
        for word in words:
            if word and word not in existing:
                raise InvalidRequest(
                    f"Custom field '{word}' does not exist; a custom field must exist before "
                    "it is assigned to a list."
                )
        return sorted({word for word in words if word})

    def create_list(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """addList: ``{"name", "from_email", "from_name", "reply_email", "list_group_id",
        "custom_fields"}``."""
        fields = self._list_fields(body, partial=False)
        list_id = self.next_id("list")
        record = {
            "list_id": list_id,
            "owner_id": self.owner_id,
            "created": self.timestamp,
            "modified": self.timestamp,
            "name": "",
            "from_email": "",
            "from_name": "",
            "reply_email": "",
            "n_subscribers": 0,
            "list_group_id": 0,
            "custom_fields": [],
        }
        record.update(fields)
        self.data["lists"][str(list_id)] = record
        return public(record)

    def update_list(self, reference: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """updateList: any of the create fields; the others are not altered."""
        record = self._by_id("lists", reference, "List")
        record.update(self._list_fields(body, partial=True))
        record["modified"] = self.timestamp
        return public(record)

    def delete_list(self, reference: str, *, contacts_only: bool) -> None:
        """deleteList: deletes the list and its contacts, or with ``contacts_only`` only the
        contacts."""
        record = self._by_id("lists", reference, "List")
        if contacts_only:
            record["n_subscribers"] = 0
            record["modified"] = self.timestamp
        else:
            del self.data["lists"][reference]
