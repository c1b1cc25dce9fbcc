"""Load a stack file into declared objects, with every problem of the file reported at once.

The file's shape (``docs/stack-files.md``): top-level keys are services plus an optional
``mailform`` settings key; under a service, one key per object type holding a list. Each
object is validated against its type's model, then the whole file is checked: duplicate
natural keys, references to objects the file does not declare, and type-specific
cross-object rules (a bounce domain's from-domain needs DKIM).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mailform.engine.clashes import clashes
from mailform.engine.diff import DeclaredObject
from mailform.engine.objecttype import Key, ObjectId, ObjectType
from mailform.engine.selection import Selector, SelectorError
from mailform.stackfile import (
    Problem,
    Problems,
    YamlSource,
    check_unique,
    load_yaml,
    validate_objects,
)

SETTINGS_KEY = "mailform"
SETTINGS_FIELDS = ("prune", "create_limits", "ignore")
#: An empty file, or one of comments or a bare ``null``, is more likely a mistake (a file
#: truncated, or generated empty by a failed step) than a stack that manages nothing, and
#: would otherwise pass every check and plan nothing. ``{}`` says "nothing" on purpose, and
#: is what ``export`` writes for an empty account.
NOTHING_DECLARED = (
    "the file declares nothing: a stack file is a mapping of services and settings; "
    "write {} for a stack that manages nothing"
)


@dataclass
class Stack:
    """A validated stack file: the declared objects in file order, and the tool settings."""

    file: str
    objects: list[DeclaredObject] = field(default_factory=list)
    prune: frozenset[str] = frozenset()
    #: The integration's 24-hour create limits, by ``service.type``, where the file sets
    #: them (otherwise each type's default applies).
    create_limits: dict[str, int] = field(default_factory=dict)
    #: Live objects that are not mailform's concern (``mailform.engine.selection``).
    ignore: tuple[Selector, ...] = ()

    def services(self) -> list[str]:
        """The services the file declares objects for, or prunes objects of (a file that
        declares no domain but prunes them deletes every live one)."""
        declared = {obj.object_type.service for obj in self.objects}
        pruned = {name.split(".", 1)[0] for name in self.prune}
        return sorted(declared | pruned)

    def read_scope(self, types: Iterable[ObjectType[Any]]) -> dict[str, frozenset[str]]:
        """Whose objects a plan reads, per user-scope type among ``types``: the owners the
        file declares objects of that type for, or of a type that refers to it (a template
        needs its owner's groups); for a pruned type, every owner the file names (and the
        types that refer to it, whose objects may block a delete). An owner the file renames
        brings its previous login, whose objects follow it.

        LuxSci has no report that answers for more than one owner, so each (type, owner)
        pair costs one list call: reading only the pairs the file is about is what keeps a
        plan at the API's minimum (``docs/performance.md``). Account-scope types are not in
        the result; they are always read, with one call each."""
        chosen = [t for t in types if t.owner_field]
        names = {t.name for t in chosen}
        previous_logins: dict[ObjectId, str] = {}
        for obj in self.objects:
            previous = obj.object_type.previous_id(obj.fields)
            if previous is not None:
                previous_logins[obj.id] = previous.key[-1]
        scope: dict[str, set[str]] = {name: set() for name in names}
        for obj in self.objects:
            object_type = obj.object_type
            if object_type.name not in names:
                continue
            fields = obj.fields
            owners = {object_type.owner_of(fields)}
            owners.update(
                previous_logins[ref.target]
                for ref in object_type.references(fields)
                if ref.field == object_type.owner_field and ref.target in previous_logins
            )
            for name in (object_type.name, *(t.name for t in object_type.refers_to)):
                if name in scope:
                    scope[name].update(owner for owner in owners if owner)
        everyone = set().union(*scope.values())
        for pruned in chosen:
            if f"{pruned.service}.{pruned.name}" in self.prune:
                scope[pruned.name] |= everyone
                for holder in chosen:
                    if pruned in holder.refers_to:
                        scope[holder.name] |= everyone
        return {name: frozenset(owners) for name, owners in scope.items()}


def load_stack(path: str | Path, catalog: Mapping[str, Iterable[ObjectType[Any]]]) -> Stack:
    """Read and validate a stack file; raises ``StackFileError`` listing every problem.

    ``catalog`` maps each service name to its object types.
    """
    source = load_yaml(path)
    problems = Problems()
    problems.extend(source.problems)
    stack = Stack(file=source.file)
    data = source.data
    if data is None:
        if not problems:
            problems.add(source.problem((), NOTHING_DECLARED, (*sorted(catalog), SETTINGS_KEY)))
        problems.raise_if_any()
        return stack
    if not isinstance(data, dict):
        problems.add(source.problem((), "a stack file is a mapping of services"))
        problems.raise_if_any()
    services = {name: list(types) for name, types in catalog.items()}
    for service, section in data.items():
        if service == SETTINGS_KEY:
            stack.prune = _settings(source, section, services, problems)
            stack.create_limits = _create_limits(source, section, services, problems)
            stack.ignore = _ignore(source, section, services, problems)
        elif service not in services:
            allowed = (*sorted(services), SETTINGS_KEY)
            problems.add(source.problem((service,), "unknown service", allowed))
        elif section is not None:
            stack.objects.extend(_service_objects(source, service, section, services, problems))
    all_types = [object_type for types in services.values() for object_type in types]
    problems.extend(check_references(stack.objects, all_types, source))
    problems.extend(check_clashes(stack.objects, source))
    problems.extend(check_not_ignored(stack.objects, stack.ignore, source))
    problems.raise_if_any()
    return stack


def _service_objects(
    source: YamlSource,
    service: str,
    section: Any,
    services: Mapping[str, list[ObjectType[Any]]],
    problems: Problems,
) -> list[DeclaredObject]:
    if not isinstance(section, dict):
        problems.add(source.problem((service,), "expected a mapping of object types"))
        return []
    types = {object_type.name: object_type for object_type in services[service]}
    declared: list[DeclaredObject] = []
    for type_name, items in section.items():
        object_type = types.get(type_name)
        if object_type is None:
            problems.add(source.problem((service, type_name), "unknown object type", tuple(types)))
            continue
        path = (service, type_name)
        valid, found = validate_objects(items, object_type.model, path, source)
        problems.extend(found)
        objects = [
            DeclaredObject(object_type, value, source.location(item_path), item_path)
            for value, item_path in valid
        ]
        # Duplicates by each object's id: computed here once, and kept for the plan.
        problems.extend(
            check_unique(((obj, obj.path) for obj in objects), _id_key, object_type.title, source)
        )
        declared.extend(objects)
    return declared


def _id_key(obj: DeclaredObject) -> Key:
    return obj.id.key


def _settings(
    source: YamlSource,
    section: Any,
    services: Mapping[str, list[ObjectType[Any]]],
    problems: Problems,
) -> frozenset[str]:
    if section is None:
        return frozenset()
    if not isinstance(section, dict):
        problems.add(source.problem((SETTINGS_KEY,), "expected a mapping", SETTINGS_FIELDS))
        return frozenset()
    for key in section:
        if key not in SETTINGS_FIELDS:
            problems.add(source.problem((SETTINGS_KEY, key), "unknown setting", SETTINGS_FIELDS))
    prune = section.get("prune") or []
    allowed = tuple(f"{service}.{t.name}" for service, types in services.items() for t in types)
    if not isinstance(prune, list):
        problems.add(source.problem((SETTINGS_KEY, "prune"), "expected a list", allowed))
        return frozenset()
    chosen = set()
    for index, name in enumerate(prune):
        if name not in allowed:
            problems.add(
                source.problem((SETTINGS_KEY, "prune", index), "unknown object type", allowed)
            )
        else:
            chosen.add(name)
    return frozenset(chosen)


def _create_limits(
    source: YamlSource,
    section: Any,
    services: Mapping[str, list[ObjectType[Any]]],
    problems: Problems,
) -> dict[str, int]:
    """``mailform.create_limits``: a positive integer per type that has a create limit."""
    limits = section.get("create_limits") if isinstance(section, dict) else None
    if limits is None:
        return {}
    path = (SETTINGS_KEY, "create_limits")
    allowed = tuple(
        f"{service}.{t.name}"
        for service, types in services.items()
        for t in types
        if t.daily_create_limit is not None
    )
    if not isinstance(limits, dict):
        problems.add(source.problem(path, "expected a mapping of object type to a number", allowed))
        return {}
    chosen: dict[str, int] = {}
    for name, value in limits.items():
        if name not in allowed:
            problems.add(source.problem((*path, name), "no create limit for this type", allowed))
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.add(source.problem((*path, name), "expected a whole number, 0 or more"))
        else:
            chosen[name] = value
    return chosen


def _ignore(
    source: YamlSource,
    section: Any,
    services: Mapping[str, list[ObjectType[Any]]],
    problems: Problems,
) -> tuple[Selector, ...]:
    """``mailform.ignore``: a list of ``TYPE`` or ``TYPE[KEY-PATTERN]``."""
    rules = section.get("ignore") if isinstance(section, dict) else None
    if rules is None:
        return ()
    path = (SETTINGS_KEY, "ignore")
    kinds = [f"{service}.{t.name}" for service, types in services.items() for t in types]
    if not isinstance(rules, list):
        problems.add(
            source.problem(path, "expected a list of TYPE or TYPE[KEY] (wildcards allowed)")
        )
        return ()
    selectors = []
    for index, rule in enumerate(rules):
        # A rule is text: a list or a mapping rendered as text could be any size (an alias
        # repeats it), and its repetition in the message with it.
        if not isinstance(rule, str):
            problems.add(source.problem((*path, index), "expected TYPE or TYPE[KEY], as text"))
            continue
        try:
            selectors.append(Selector.parse(rule, kinds))
        except SelectorError as error:
            problems.add(source.problem((*path, index), str(error)))
    return tuple(selectors)


def check_not_ignored(
    objects: list[DeclaredObject], ignore: Iterable[Selector], source: YamlSource
) -> list[Problem]:
    """An object the file declares is mailform's concern: no ignore rule may name it."""
    rules = list(ignore)
    found = []
    for obj in objects:
        rule = next((rule for rule in rules if rule.matches(obj.id)), None)
        if rule is not None:
            found.append(
                source.problem(
                    (*obj.path, obj.object_type.key_fields[-1]),
                    f"is declared, and mailform.ignore names it ({rule}): an object is "
                    "either managed or ignored",
                )
            )
    return found


def check_clashes(objects: list[DeclaredObject], source: YamlSource) -> list[Problem]:
    """No two declarations claim one address of a shared namespace or one value the API
    keeps unique (``mailform.engine.clashes``)."""
    return [
        source.problem((*clash.obj.path, clash.field), clash.message) for clash in clashes(objects)
    ]


def check_references(
    objects: list[DeclaredObject], object_types: Iterable[ObjectType[Any]], source: YamlSource
) -> list[Problem]:
    """Every required reference names an object the file declares."""
    declared_ids: set[ObjectId] = {obj.id for obj in objects}
    titles = {(t.service, t.name): t.title for t in object_types}
    problems: list[Problem] = []
    for obj in objects:
        for reference in obj.object_type.references(obj.fields):
            if not reference.required or reference.target in declared_ids:
                continue
            target = reference.target
            what = titles.get((target.service, target.type_name), target.type_name)
            problems.append(
                source.problem(
                    (*obj.path, reference.field),
                    f"refers to {what} {' / '.join(target.key)!r}, which the file does not "
                    f"declare (declare it under {target.service}.{target.type_name})",
                )
            )
    return problems
