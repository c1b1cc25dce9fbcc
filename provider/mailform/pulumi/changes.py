"""The Pulumi diff: the engine's comparison of declared fields, plus what Pulumi adds.

The field comparison is the plan's own (``mailform.engine.diff.field_changes``): only the
fields the program declares, mappings key by key, write-only fields never, absent/None/empty
alike, numbers by value. What Pulumi needs on top:

- the **natural key** is compared too: a new key is a different object, so a replacement,
  created before the old one is deleted (the two keys can coexist);
- an **immutable** field is a replacement with the same key, so the old object must be
  deleted first (``delete_before_replace``: the natural keys would collide); so is a new
  key that keeps a value the API keeps unique (a renamed template keeping its code word);
- **version fields** (``password_version``) are kept in state and compared: a change sends
  every declared write-only field again (a rotation), as the CLI's ``--rotate-password``;
- a change of **which fields are declared** is an update that touches nothing in the
  account but records the new set in state (``managed_fields``), so that a later refresh
  reports drift for exactly the declared fields;
- a value a preview does not know yet counts as changed.

What the API cannot do (change a create-only object, update a settings-free one) is decided
by the engine's ``judge``, the same decision the CLI plan makes; ``refusal`` asks it, and the
provider's ``check`` turns the answer into a failure of the preview, rather than half-way
through an ``up`` (``diff`` itself never fails: a refresh diffs too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mailform.engine.diff import field_changes, judge
from mailform.pulumi.properties import MANAGED_FIELDS, Properties, is_unknown


@dataclass(frozen=True)
class PropertyChanges:
    """What a diff found between old outputs and new inputs."""

    #: Fields whose declared value differs from the state (changed in place or replaced).
    changed: tuple[str, ...] = ()
    #: Fields that force a replacement (natural key or immutable fields).
    replaces: tuple[str, ...] = ()
    #: Delete the old object before creating the new one (same natural key).
    delete_before_replace: bool = False
    #: Write-only fields to send again (a version field changed).
    rotate: tuple[str, ...] = ()
    #: The set of declared fields changed.
    managed_changed: bool = False

    @property
    def changes(self) -> bool:
        """Whether anything differs."""
        return bool(self.changed or self.replaces or self.rotate or self.managed_changed)


def diff(
    properties: Properties, olds: Mapping[str, Any], news: Mapping[str, Any]
) -> PropertyChanges:
    """Compare new checked inputs (``news``) with old outputs (``olds``)."""
    object_type = properties.object_type
    declared = properties.declared_names(news)
    unknown = {name for name in declared if is_unknown(news[name])}
    keys = object_type.key_fields
    key_changes = _key_changes(properties, olds, news, unknown)
    comparable = declared - unknown - properties.versions - properties.secrets
    value = properties.model.model_construct(
        _fields_set=comparable, **{name: news[name] for name in comparable}
    )
    changed = {change.name for change in field_changes(object_type, value, olds)}
    changed |= unknown - set(keys) - properties.secrets - properties.versions
    rotate = rotation(properties, olds, news)
    recorded = olds.get(MANAGED_FIELDS)
    managed_changed = isinstance(recorded, list) and sorted(recorded) != sorted(
        properties.managed_names(news)
    )
    immutable = sorted(changed & object_type.immutable)
    change = PropertyChanges(
        changed=tuple(sorted(changed)),
        replaces=tuple(key_changes + immutable),
        delete_before_replace=(bool(immutable) and not key_changes)
        or (bool(key_changes) and _keeps_a_unique_value(properties, olds, news)),
        rotate=tuple(rotate),
        managed_changed=managed_changed,
    )
    return change


def refusal(properties: Properties, olds: Mapping[str, Any], news: Mapping[str, Any]) -> str | None:
    """Why the API cannot take the object from ``olds`` to ``news`` (an operation it lacks,
    a finer rule of the type), or None when it can.

    The provider asks this in ``check``, with the old *inputs*: the declaration as it was,
    or, after a refresh, the account as it is. So a change the API cannot make fails the
    preview, while a refresh, whose diff is this same comparison the other way round,
    always succeeds and shows the drift; the next preview then says what to do about it.
    """
    object_type = properties.object_type
    change = diff(properties, olds, news)
    changed = [*change.changed, *change.rotate]
    if not changed or set(change.replaces) - set(change.changed):
        return None  # nothing to do, or a new natural key: another object (create, delete)
    comparable = properties.declared_names(news) - properties.versions - properties.secrets
    known = {name for name in comparable if not is_unknown(news[name])}
    value = properties.model.model_construct(
        _fields_set=known, **{name: news[name] for name in known}
    )
    verdict = judge(object_type, value, olds, changed)
    if not verdict.problem:
        return None
    keys = object_type.key_fields
    return f"{object_type.title} {'/'.join(str(news.get(k)) for k in keys)}: {verdict.problem}"


def _keeps_a_unique_value(
    properties: Properties, olds: Mapping[str, Any], news: Mapping[str, Any]
) -> bool:
    """Whether the new object would take a value the API keeps unique (a template's code
    word) from the old one: then the old one must go first, or the create is refused. Not
    for a declared rename (``renamed_from``): its create renames the old object in place,
    which deleting it first would destroy."""
    rename_field = properties.object_type.rename_field
    if rename_field and news.get(rename_field):
        return False
    return any(
        news.get(name) not in (None, "") and news.get(name) == olds.get(name)
        for name in properties.object_type.unique_fields
    )


def _key_changes(
    properties: Properties, olds: Mapping[str, Any], news: Mapping[str, Any], unknown: set[str]
) -> list[str]:
    """The key fields that name a different object: none when the type's own ``key_of``
    finds the same key (a property's name differs only in case: the same property, which a
    replacement would adopt as the new object and then delete as the old one)."""
    keys = properties.object_type.key_fields
    differing = [
        name for name in keys if name in unknown or str(news.get(name)) != str(olds.get(name))
    ]
    if not differing or unknown & set(keys):
        return differing
    try:
        same = properties.object_type.key_of(news) == properties.object_type.key_of(olds)
    except (KeyError, TypeError, ValueError):
        return differing
    return [] if same else differing


def rotation(properties: Properties, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    """The write-only fields to send again: all declared ones, when a declared version
    field differs from the state (absent counts as the model's default)."""
    declared = properties.declared_names(news)
    for name in sorted(properties.versions & declared):
        default = properties.model.model_fields[name].default
        if is_unknown(news[name]) or not _same_number(news[name], olds.get(name, default)):
            return sorted(properties.object_type.write_only & declared)
    return []


def _same_number(left: Any, right: Any) -> bool:
    try:
        return float(left) == float(right)
    except (TypeError, ValueError):
        return bool(left == right)
