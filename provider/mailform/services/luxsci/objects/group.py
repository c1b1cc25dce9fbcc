"""Groups: the folders of a user's assets, template groups and list groups, which share one
model and one type: createEmailTemplateGroup / addListGroup (``…/template_group``,
``…/marketing/list_group``), getEmailTemplateGroups / getListGroups (the plural paths),
updateEmailTemplateGroup / updateListGroup (a rename) and deleteEmailTemplateGroup /
deleteListGroup (``…/{singular}/{id}``). Deleting a group leaves its templates or lists
ungrouped (group 0). A group is known by its name per owner, which is all it has;
the one update is a rename (``renamed_from``), which keeps its members. The API does not
keep group names unique: the oldest of a name is managed.

Templates and lists name their group; the API takes and answers its id. ``id_named`` and
``name_of`` translate, from the owner's group list that one plan reads once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from mailform.engine.objecttype import Reference
from mailform.services.luxsci.objects.owned import Named, NamedType, O
from mailform.services.luxsci.objects.rest import Endpoint


class Group(Named):
    """A folder of a user's assets, known by its name per owning user."""


G = TypeVar("G", bound=Group)


class GroupType(NamedType[G]):
    """A kind of group; subclasses give the name, model and the paths (``group_endpoint``)."""

    wire_fields = ("name",)

    def id_named(self, session: Any, owner: str, name: str | None) -> int:
        """The id of the owner's group called ``name`` (0: no group), for a body."""
        if not name:
            return 0
        for row in self.rows(session, owner):
            if row.get("name") == name:
                return int(row[self.endpoint.id_field])
        raise LookupError(f"{self.title} {name!r} of {owner} does not exist")

    def name_of(self, session: Any, owner: str | None, group_id: Any) -> str | None:
        """The name of the owner's group with ``group_id`` (None: no group), for a row;
        ``#id`` for a group the list does not show."""
        if not group_id or owner is None:
            return None
        for row in self.rows(session, owner):
            if row.get(self.endpoint.id_field) == group_id:
                return str(row.get("name"))
        return f"#{group_id}"


def group_endpoint(singular: str, id_field: str) -> Endpoint:
    """A group kind's calls: listed at the plural path, created and changed at the singular
    one (``template_group``: ``…/template_groups``, ``…/template_group/{id}``)."""
    return Endpoint("user", f"{singular}s", id_field=id_field, item=singular, create_at=singular)


class TemplateGroup(Group):
    """A folder of email templates, known by its name per owning user."""


class TemplateGroupType(GroupType[TemplateGroup]):
    """Template groups."""

    name = "template_groups"
    endpoint = group_endpoint("template_group", "template_group_id")


class ListGroup(Group):
    """A folder of Secure Marketing lists, known by its name per owning user."""


class ListGroupType(GroupType[ListGroup]):
    """Secure Marketing v3 list groups."""

    name = "list_groups"
    endpoint = group_endpoint("marketing/list_group", "list_group_id")


TEMPLATE_GROUPS = TemplateGroupType()
LIST_GROUPS = ListGroupType()


class GroupedType(NamedType[O]):
    """A type whose objects a user may file in a group (templates in template groups, lists
    in list groups): the model's ``group`` is the group's name, a row's ``group_id_field``
    its id. Subclasses set ``groups`` (the group kind) and ``group_id_field``."""

    groups: ClassVar[GroupType[Any]]
    group_id_field: ClassVar[str]

    def answer_fields(self) -> tuple[str, ...]:
        return (*super().answer_fields(), self.group_id_field)

    def owned_references(self, fields: Mapping[str, Any]) -> list[Reference]:
        if not fields.get("group"):
            return []
        return [self.groups.reference(fields["owner"], fields["group"], field="group")]

    def row_fields(self, session: Any, owner: str | None, row: Mapping[str, Any]) -> dict[str, Any]:
        fields = super().row_fields(session, owner, row)
        fields["group"] = self.groups.name_of(session, owner, row.get(self.group_id_field))
        return fields

    def group_id(self, session: Any, declared: O) -> dict[str, int]:
        """The declared group as the body field the API takes (none when not declared)."""
        if "group" not in declared.model_fields_set:
            return {}
        name = getattr(declared, "group", None)
        return {self.group_id_field: self.groups.id_named(session, declared.owner, name)}
