"""Diff the declared state against the live account into an ordered ``Plan``.

Rules, in the order they apply to each declared object:

- Only the fields the stack file sets are compared (a field it does not set is never
  reset); a mapping field is compared key by key, only for the keys declared.
- Write-only fields (passwords) are never compared; a password is sent when the object is
  created, and again only when the caller asks for a rotation.
- A change to an immutable field is a replacement (delete, then create).
- A declared object whose key is not live, but whose previous key (``renamed_from``) is,
  is an update of that object that renames it, for types whose API can rename.
- What the API cannot do (update a create-only object, replace a protected one) is a
  ``PlanProblem``, reported at plan time rather than failing half-way through an apply.
- An update that only sets what an interrupted create had still to set (the type's
  ``completed_after_create`` fields, still empty or part-way) is marked as finishing that
  create (``finishes_create``): the change threshold does not count it.

Live objects the file does not declare are ``unmanaged``; they are deleted only for the
object types the file opts in to pruning. A second object of a name the API does not keep
unique (``objecttype.first_of_each_key``) is unmanaged too, and never hidden: a ``--target``
naming the name shows it, and an ``ignore`` rule leaves it out only when the file does not
declare the name.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from mailform.engine.limits import Counted, limit_problems
from mailform.engine.objecttype import (
    Declared,
    Key,
    LiveObject,
    ObjectId,
    ObjectType,
    Operation,
    as_duplicate,
)
from mailform.engine.plan import Action, Change, FieldChange, Plan, PlanProblem
from mailform.engine.selection import Selector, any_matches
from mailform.stackfile.problems import FieldPath, Location
from mailform.stackfile.secrets import SecretRef

#: An object type's service and name: ``("luxsci", "aliases")``.
Kind = tuple[str, str]


@dataclass(frozen=True)
class DeclaredObject:
    """A declared object with its type and where the stack file declares it."""

    object_type: ObjectType[Any]
    value: Declared
    location: Location | None = None
    path: FieldPath = ()

    @cached_property
    def fields(self) -> dict[str, Any]:
        """The value's fields, dumped once (the value is never changed in place; a plan of
        50,000 objects asks for them about ten times each): read, never change."""
        return self.value.model_dump()

    @cached_property
    def id(self) -> ObjectId:
        """The object's identity (computed once)."""
        return self.object_type.id_of(self.fields)


def build_plan(
    declared: Iterable[DeclaredObject],
    live: Iterable[LiveObject],
    object_types: Iterable[ObjectType[Any]],
    *,
    prune: frozenset[str] = frozenset(),
    rotate: frozenset[ObjectId] = frozenset(),
    create_limits: Mapping[str, int] | None = None,
    now: float | None = None,
    targets: Sequence[Selector] = (),
    ignore: Sequence[Selector] = (),
    counted: Mapping[str, Counted] | None = None,
) -> Plan:
    """The plan that takes the ``live`` objects to the ``declared`` state.

    ``object_types`` are every type in play, in dependency order (parents first);
    ``prune`` holds ``service.type`` names whose undeclared live objects are deleted;
    ``rotate`` holds objects whose write-only fields are sent again; ``create_limits``
    overrides the types' 24-hour create budgets (``mailform.engine.limits``), counted at
    ``now`` (Unix seconds; default: the current time). ``targets`` limit the plan to the
    objects they name and what those need; live objects ``ignore`` names are neither
    unmanaged nor pruned (``mailform.engine.selection``). ``counted`` adds to the budgets'
    counts what a caller left out of ``declared`` and ``live`` (``limits.Counted``).
    """
    type_list = list(object_types)
    order = {(t.service, t.name): index for index, t in enumerate(type_list)}
    types = _by_kind(type_list)
    live_by_id = {obj.id: obj for obj in live}
    declared_by_id = {obj.id: obj for obj in declared}
    plan = Plan(existing=sum(1 for obj in live_by_id.values() if obj.managed))

    renaming = _renaming(declared_by_id)
    renamed = _renamed(renaming, declared_by_id, live_by_id)
    live_by_id = _follow_renamed_owners(live_by_id, renamed, types)
    renamed = _renamed(renaming, declared_by_id, live_by_id)  # among the moved objects
    forward: list[Change] = []
    # The live objects no declaration takes, in their order: each is looked up once.
    undeclared = dict(live_by_id)
    for obj in declared_by_id.values():
        live_obj = undeclared.pop(obj.id, None) or renamed.get(obj.id)
        change = _change_for(obj, live_obj, rotate, plan)
        if change is not None:
            forward.append(change)
    for renamed_obj in renamed.values():
        undeclared.pop(renamed_obj.id, None)

    backward: list[Change] = []
    for live_obj in undeclared.values():
        if _ignored(live_obj, ignore, declared_by_id):
            continue
        object_type = _type_named(types, live_obj.id)
        pruned = f"{live_obj.id.service}.{live_obj.id.type_name}" in prune
        if pruned and live_obj.managed and object_type.supports(Operation.DELETE):
            backward.append(Change(Action.DELETE, object_type, live_obj.id, live=live_obj))
        else:
            plan.unmanaged.append(live_obj)

    backward = _deletable(backward, live_by_id, types, plan)
    _link_forward(forward, declared_by_id)
    _link_backward(backward)
    forward = _free_names(forward, backward, live_by_id, types, plan)
    forward = _free_unique_values(forward, backward, live_by_id, types, plan)
    if targets:
        backward, forward = _targeted(targets, backward, forward, declared_by_id, plan)
    plan.changes = _ordered(backward, order, reverse=True) + _ordered(forward, order)
    plan.problems += limit_problems(
        plan.changes,
        live_by_id.values(),
        type_list,
        create_limits=create_limits or {},
        now=time.time() if now is None else now,
        counted=counted,
    )
    plan.unmanaged.sort(key=lambda obj: (order.get((obj.id.service, obj.id.type_name)), obj.id))
    return plan


def _targeted(
    targets: Sequence[Selector],
    backward: list[Change],
    forward: list[Change],
    declared: Mapping[ObjectId, DeclaredObject],
    plan: Plan,
) -> tuple[list[Change], list[Change]]:
    """The changes of the objects ``targets`` name, and every change those require first
    (transitively); the problems and unmanaged objects that concern them."""
    by_id = {change.id: change for change in backward + forward}
    keep: set[ObjectId] = set()
    pending = [change_id for change_id in by_id if any_matches(targets, change_id)]
    while pending:
        change_id = pending.pop()
        if change_id not in keep:
            keep.add(change_id)
            pending.extend(rid for rid in by_id[change_id].requires if rid in by_id)
    # What the targeted declarations need exists or is created: its problems stop the plan.
    needed = {obj_id for obj_id in declared if any_matches(targets, obj_id)}
    pending = list(needed)
    while pending:
        obj = declared.get(pending.pop())
        if obj is None:
            continue
        for reference in obj.object_type.references(obj.fields):
            if reference.target not in needed:
                needed.add(reference.target)
                pending.append(reference.target)
    concerned = keep | needed
    plan.problems = [
        problem
        for problem in plan.problems
        if problem.id in concerned or any_matches(targets, problem.id)
    ]
    plan.unmanaged = [obj for obj in plan.unmanaged if _named(targets, obj)]
    return (
        [change for change in backward if change.id in keep],
        [change for change in forward if change.id in keep],
    )


def _named(selectors: Sequence[Selector], obj: LiveObject) -> bool:
    """Whether a selector names a live object: by its id, or a duplicate by the name it
    duplicates (``luxsci.lists[ann@example.com/News]`` names every list called News)."""
    if any_matches(selectors, obj.id):
        return True
    return obj.duplicate is not None and any_matches(selectors, obj.duplicate.name)


def _ignored(
    obj: LiveObject, ignore: Sequence[Selector], declared: Mapping[ObjectId, DeclaredObject]
) -> bool:
    """Whether an ``ignore`` rule leaves a live object out of the plan. Never a duplicate of
    a declared object: the file says that the name is mailform's concern, and a second
    object of it (one a lost answer may have created) must be seen."""
    if obj.duplicate is not None and obj.duplicate.name in declared:
        return False
    return _named(ignore, obj)


def _deletable(
    deletes: list[Change],
    live: Mapping[ObjectId, LiveObject],
    types: Mapping[Kind, ObjectType[Any]],
    plan: Plan,
) -> list[Change]:
    """The deletes the API will accept: a target of a ``blocks_delete`` reference (a domain
    with users or aliases) is refused while a live object the plan keeps still refers to it;
    the refusal is a plan problem naming those objects."""
    if not deletes:
        return deletes
    deleted = {change.id for change in deletes}
    users: dict[ObjectId, list[ObjectId]] = {}
    for obj in live.values():
        if obj.id in deleted:
            continue
        object_type = _type_named(types, obj.id)
        for reference in object_type.references(obj.fields):
            if reference.blocks_delete and reference.target in deleted:
                users.setdefault(reference.target, []).append(obj.id)
    for target, keepers in users.items():
        shown = ", ".join(str(keeper) for keeper in sorted(keepers)[:5])
        more = f" and {len(keepers) - 5} more" if len(keepers) > 5 else ""
        plan.problems.append(
            PlanProblem(
                target,
                f"cannot be deleted: the API refuses while it is in use, and the plan keeps "
                f"{len(keepers)} object(s) that use it ({shown}{more}); delete those too "
                "(prune their type) or keep declaring it",
            )
        )
    return [change for change in deletes if change.id not in users]


def _free_names(
    creates: list[Change],
    deletes: list[Change],
    live: Mapping[ObjectId, LiveObject],
    types: Mapping[Kind, ObjectType[Any]],
    plan: Plan,
) -> list[Change]:
    """Creates whose name is free in its type's namespace (a LuxSci address is a user or an
    alias): one taken by a live object of the other type is a plan problem, unless the
    plan deletes that object, and then the create waits for the delete."""
    if not any(c.action == Action.CREATE and c.object_type.namespace for c in creates):
        return creates
    taken: dict[tuple[str, str, tuple[str, ...]], LiveObject] = {}
    for obj in live.values():
        namespace = _type_named(types, obj.id).namespace
        if namespace is not None:
            taken[(obj.id.service, namespace, obj.id.key)] = obj
    deleted = {change.id for change in deletes}
    kept: list[Change] = []
    for change in creates:
        namespace = change.object_type.namespace
        holder = taken.get((change.id.service, namespace or "", change.id.key))
        if change.action != Action.CREATE or holder is None or holder.id == change.id:
            kept.append(change)
            continue
        if holder.id in deleted:
            change.requires = change.requires | {holder.id}
            kept.append(change)
            continue
        holder_title = _type_named(types, holder.id).title
        plan.problems.append(
            PlanProblem(
                change.id,
                f"cannot be created: {' / '.join(change.id.key)} exists in the account as a "
                f"{holder_title} ({holder.id}), and {change.object_type.title} and "
                f"{holder_title} objects share one namespace; delete the {holder_title} "
                f"first (prune {holder.id.service}.{holder.id.type_name}) or declare it as "
                f"a {holder_title}",
                change.location,
            )
        )
    return kept


def _free_unique_values(
    changes: list[Change],
    deletes: list[Change],
    live: Mapping[ObjectId, LiveObject],
    types: Mapping[Kind, ObjectType[Any]],
    plan: Plan,
) -> list[Change]:
    """Creates and updates whose values of the type's ``unique_fields`` are free: a value
    another live object holds is a plan problem, unless the plan deletes that object (the
    change then waits for the delete) or changes its value away (the same)."""
    if not any(change.object_type.unique_fields for change in changes):
        return changes
    holders: dict[tuple[str, str, str | None, str, str], LiveObject] = {}
    for obj in live.values():
        object_type = _type_named(types, obj.id)
        for name in object_type.unique_fields:
            value = obj.fields.get(name)
            if value not in (None, ""):
                slot = (obj.id.service, obj.id.type_name, object_type.owner_of(obj.fields))
                holders[(*slot, name, str(value))] = obj
    deleted = {change.id for change in deletes}
    moving = {change.id: change for change in changes if change.action == Action.UPDATE}
    kept: list[Change] = []
    for change in changes:
        object_type = change.object_type
        if not object_type.unique_fields:
            kept.append(change)
            continue
        blocked = False
        fields = change.declared.model_dump() if change.declared is not None else {}
        declared_names = change.declared.model_fields_set if change.declared is not None else set()
        for name in object_type.unique_fields:
            value = fields.get(name)
            if value in (None, "") or name not in declared_names:
                continue
            slot = (change.id.service, change.id.type_name, object_type.owner_of(fields))
            holder = holders.get((*slot, name, str(value)))
            if (
                holder is None
                or holder.id == change.id
                or (change.live is not None and holder.id == change.live.id)
            ):
                continue
            if holder.id in deleted or (
                holder.id in moving and _moves_away(moving[holder.id], name, value)
            ):
                change.requires = change.requires | {holder.id}
                continue
            blocked = True
            plan.problems.append(
                PlanProblem(
                    change.id,
                    f"{name} {value!r} is taken by {holder.id}, which the plan keeps with it; "
                    f"the API keeps {name} unique: give this object another, or delete "
                    f"{holder.id} in the same plan (prune {holder.id.service}."
                    f"{holder.id.type_name})",
                    change.location,
                )
            )
        if not blocked:
            kept.append(change)
    return kept


def _moves_away(change: Change, name: str, value: Any) -> bool:
    """Whether an update gives its object another value of ``name`` than ``value``."""
    return any(field.name == name and field.after != value for field in change.fields)


def _follow_renamed_owners(
    live: Mapping[ObjectId, LiveObject],
    renamed: Mapping[ObjectId, LiveObject],
    types: Mapping[Kind, ObjectType[Any]],
) -> dict[ObjectId, LiveObject]:
    """The live objects, those of an owner the plan renames counted as the new login's: a
    LuxSci user keeps its assets through a rename, so the file declares them under the new
    login, and they are the same objects, not new ones."""
    moved = {old.id: new_id for new_id, old in renamed.items()}
    if not moved:
        return dict(live)
    result: dict[ObjectId, LiveObject] = {}
    for obj in live.values():
        object_type = _type_named(types, obj.id)
        owner_field = object_type.owner_field
        target = next(
            (
                moved[ref.target]
                for ref in object_type.references(obj.fields)
                if owner_field and ref.field == owner_field and ref.target in moved
            ),
            None,
        )
        if target is not None:
            assert owner_field is not None
            fields = {**obj.fields, owner_field: target.key[-1]}
            owned = LiveObject(object_type.id_of(fields), fields, obj.api_id, obj.raw, obj.managed)
            if obj.duplicate is not None:  # stays a duplicate, of the moved name
                owned = as_duplicate(owned, owned.id, obj.duplicate.managed_api_id)
            obj = owned
        result[obj.id] = obj
    return result


def _renaming(declared: Mapping[ObjectId, DeclaredObject]) -> list[DeclaredObject]:
    """The declarations of types that can rename (``ObjectType.rename_field``): only they
    can name a previous key, and looking only at them spared a 50,000-object plan two
    passes over every declaration (15 % of its time)."""
    return [obj for obj in declared.values() if obj.object_type.rename_field]


def _renamed(
    renaming: Iterable[DeclaredObject],
    declared: Mapping[ObjectId, DeclaredObject],
    live: Mapping[ObjectId, LiveObject],
) -> dict[ObjectId, LiveObject]:
    """The live objects to rename, by the declared id they are to take: those one of the
    ``renaming`` declarations names as its previous key, when the new key is not live and
    the old one not declared."""
    renamed: dict[ObjectId, LiveObject] = {}
    for obj in renaming:
        previous = obj.object_type.previous_id(obj.fields)
        if obj.id in live or previous is None or previous in declared or previous not in live:
            continue
        if live[previous] in renamed.values():
            continue
        renamed[obj.id] = live[previous]
    return renamed


def _change_for(
    obj: DeclaredObject,
    live: LiveObject | None,
    rotate: frozenset[ObjectId],
    plan: Plan,
) -> Change | None:
    object_type, value = obj.object_type, obj.value

    def problem(message: str) -> None:
        plan.problems.append(PlanProblem(obj.id, message, obj.location))

    if live is None:
        if not object_type.supports(Operation.CREATE):
            problem(f"does not exist, and {object_type.missing_operation_hint}")
            return None
        missing = sorted(name for name in object_type.needed_to_create if not getattr(value, name))
        if missing:
            problem(f"does not exist, and creating it needs {', '.join(missing)}, not declared")
            return None
        fields = tuple(
            FieldChange(name, None, getattr(value, name), name in object_type.write_only)
            for name in sorted(object_type.managed_fields(value))
        )
        if _unavailable_secrets(fields, "create it", problem):
            return None
        return Change(
            Action.CREATE, object_type, obj.id, value, None, fields, location=obj.location
        )

    if not live.managed:
        problem("exists, but is of a kind the API cannot manage")
        return None
    fields = field_changes(object_type, value, live.fields)
    if rotate and obj.id in rotate:  # an empty set (the usual) would still hash the id
        rotated = tuple(
            FieldChange(name, None, getattr(value, name), sensitive=True)
            for name in sorted(object_type.write_only & set(value.model_fields_set))
        )
        if _unavailable_secrets(rotated, "set it again", problem):
            return None
        fields += rotated
    if not fields:
        return None

    verdict = judge(object_type, value, live.fields, [change.name for change in fields])
    if verdict.problem:
        problem(verdict.problem)
        return None
    return Change(
        verdict.action,
        object_type,
        obj.id,
        value,
        live,
        fields,
        reason=verdict.reason,
        location=obj.location,
        finishes_create=verdict.action == Action.UPDATE and finishes_create(object_type, fields),
    )


def finishes_create(object_type: ObjectType[Any], fields: Iterable[FieldChange]) -> bool:
    """Whether changing ``fields`` of an existing object only finishes a create that an
    earlier run started and was stopped in (``kill -9`` between a LianaMailer consent type's
    create and the ``updateSite`` calls that offer it on its sites).

    The rule: every field that changes is one the type's ``create`` sets in calls after the
    create call (``ObjectType.completed_after_create``), and its live value is where those
    calls would have left it when stopped: empty, as the create call leaves it, or, for a
    collection, a part of the declared one (the calls add one item each).

    Why that is honest: such a change removes and overwrites nothing; it adds what the
    declaration names and the object lacks, which is what the stopped apply was doing. The
    live state cannot tell a stopped create from the same state made by hand (every site
    detached in LianaMailer's interface); either way the change is the same, it is shown
    labelled in every output, and all it skips is the change threshold's question, which
    guards against a plan that rewrites or deletes much of an account. The CLI plan and the
    Pulumi ``create`` (which adopts such an object and finishes it) both ask this."""
    changes = list(fields)
    finishing = object_type.completed_after_create
    return bool(changes) and all(
        change.name in finishing and not change.sensitive and _part_of(change.before, change.after)
        for change in changes
    )


def _part_of(before: Any, after: Any) -> bool:
    """Whether ``before`` is empty, or a part of the collection ``after``."""
    if before in (None, "", [], {}):
        return True
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        return all(key in after and _same(after[key], value) for key, value in before.items())
    collections = (list, tuple, set, frozenset)
    if isinstance(before, collections) and isinstance(after, collections):
        return all(item in after for item in before)
    return False


@dataclass(frozen=True)
class Verdict:
    """What becomes of a change of an existing object: an ``action`` (update or replace,
    with the ``reason`` of a replacement), or a ``problem`` (why the API cannot)."""

    action: Action = Action.UPDATE
    reason: str = ""
    problem: str = ""


def judge(
    object_type: ObjectType[Any],
    declared: Declared,
    live_fields: Mapping[str, Any],
    changed: list[str],
) -> Verdict:
    """The one decision of what a change of ``changed`` fields (of an existing object, from
    ``live_fields`` to ``declared``) is, and what the API cannot do about it. The CLI plan
    and the Pulumi ``check`` both ask it, so that the two surfaces never disagree:

    - an immutable field means a replacement, refused when the object is protected or the
      API cannot delete and create it;
    - any other change is an update, refused when the API has no update, or when the type's
      finer rule (``change_problem``) says the API cannot make it.
    """
    hint = object_type.missing_operation_hint
    immutable = sorted(name for name in changed if name in object_type.immutable)
    if immutable:
        reason = f"{', '.join(immutable)} cannot be changed in place"
        if declared.protected:
            return Verdict(problem=f"is protected, but {reason} and it would have to be replaced")
        if not (object_type.supports(Operation.DELETE) and object_type.supports(Operation.CREATE)):
            return Verdict(problem=f"{reason}, and it cannot be replaced: {hint}")
        return Verdict(Action.REPLACE, reason=reason)
    if not object_type.supports(Operation.UPDATE):
        return Verdict(problem=f"differs in {', '.join(changed)}, and {hint}")
    rule = object_type.change_problem(live_fields, declared, set(changed))
    return Verdict(problem=rule) if rule else Verdict()


def _unavailable_secrets(
    fields: Iterable[FieldChange], purpose: str, problem: Callable[[str], None]
) -> bool:
    """Report each secret reference among ``fields`` whose environment variable is not set
    now (the apply would stop at this change); answers whether there was one."""
    unavailable = [
        change
        for change in fields
        if isinstance(change.after, SecretRef) and not change.after.is_available()
    ]
    for change in unavailable:
        assert isinstance(change.after, SecretRef)
        problem(
            f"{change.name}: the environment variable {change.after.env} is not set; "
            f"it is needed to {purpose}"
        )
    return bool(unavailable)


def field_changes(
    object_type: ObjectType[Any], value: Declared, live_fields: Mapping[str, Any]
) -> tuple[FieldChange, ...]:
    """The managed fields of ``value`` whose declared value differs from ``live_fields``:
    only fields the declaration sets, mappings key by key, write-only fields never, and
    absent/None/empty alike. The one comparison every surface uses (plan, Pulumi diff).

    For a type that can rename, a name written differently from the live one is a change
    too: a rename declared with ``renamed_from``, or one the key rule does not see (a
    LianaMailer property whose name differs only in case is the same property, renamed).
    """
    changes = []
    if object_type.rename_field:
        name = object_type.key_fields[-1]
        current, desired = live_fields.get(name), getattr(value, name)
        if current is not None and str(current) != str(desired):
            changes.append(FieldChange(name, current, desired))
    for name in sorted(object_type.managed_fields(value) - object_type.write_only):
        desired = getattr(value, name)
        current = live_fields.get(name)
        if type(desired) in _PLAIN:  # the common case, without the costlier checks below
            if type(current) is type(desired) and desired == current:
                continue
        elif isinstance(desired, Mapping) and isinstance(current, Mapping):
            current = {key: current.get(key) for key in desired}
        if not _same(desired, current):
            changes.append(FieldChange(name, current, desired))
    return tuple(changes)


#: Types no mapping is of, whose two values of one type ``_same`` finds the same exactly
#: when they are equal (a number is compared across types, by value): ``field_changes``
#: compares them so, which was a third of its time.
_PLAIN = frozenset({str, list})


def _same(desired: Any, current: Any) -> bool:
    """Equal, with absent/None/empty treated alike and numbers compared by value."""
    if desired in (None, "", [], {}) and current in (None, "", [], {}):
        return True
    if isinstance(desired, bool) or isinstance(current, bool):
        return bool(desired == current)
    if isinstance(desired, (int, float)) and isinstance(current, (int, float)):
        return float(desired) == float(current)
    return bool(desired == current)


def _by_kind(types: Iterable[ObjectType[Any]]) -> dict[Kind, ObjectType[Any]]:
    """The types by service and name (the first of each), so that finding a live object's
    type is one lookup: a 50,000-object plan asks for each object's type several times."""
    by_kind: dict[Kind, ObjectType[Any]] = {}
    for object_type in types:
        by_kind.setdefault((object_type.service, object_type.name), object_type)
    return by_kind


def _type_named(types: Mapping[Kind, ObjectType[Any]], object_id: ObjectId) -> ObjectType[Any]:
    object_type = types.get((object_id.service, object_id.type_name))
    if object_type is None:
        raise KeyError(f"no object type {object_id.service}.{object_id.type_name}")
    return object_type


def _link_forward(changes: list[Change], declared: Mapping[ObjectId, DeclaredObject]) -> None:
    """A create or update (of a ``declared`` object) waits for the changes of the objects it
    references."""
    changing = {change.id for change in changes}
    for change in changes:
        fields = declared[change.id].fields
        targets = {ref.target for ref in change.object_type.references(fields)}
        change.requires = frozenset((targets & changing) - {change.id})


def _link_backward(changes: list[Change]) -> None:
    """A delete waits for the deletes of the objects that reference it."""
    deleting = {change.id for change in changes}
    waits: dict[ObjectId, set[ObjectId]] = {change.id: set() for change in changes}
    for change in changes:
        assert change.live is not None
        for ref in change.object_type.references(change.live.fields):
            if ref.target in deleting:
                waits[ref.target].add(change.id)
    for change in changes:
        change.requires = frozenset(waits[change.id])


def _ordered(
    changes: list[Change], order: Mapping[tuple[str, str], int], *, reverse: bool = False
) -> list[Change]:
    """Changes in an order where every change comes after those it requires; ties broken by
    type order (reversed for deletes) and key, so the same plan always reads the same."""

    def rank(change: Change) -> tuple[int, str, str, Key]:
        # The id's parts rather than the id: the heap then compares builtins only, not
        # ObjectIds (whose == and < are Python calls; a third of ordering 5,000 changes).
        object_id = change.id
        index = order.get((object_id.service, object_id.type_name), 0)
        return (-index if reverse else index, object_id.service, object_id.type_name, object_id.key)

    by_id = {change.id: change for change in changes}
    pending = {change.id: set(change.requires) & by_id.keys() for change in changes}
    dependents: dict[ObjectId, list[ObjectId]] = {change_id: [] for change_id in by_id}
    for change_id, requires in pending.items():
        for required in requires:
            dependents[required].append(change_id)
    ready = [(rank(by_id[cid]), cid) for cid, requires in pending.items() if not requires]
    heapq.heapify(ready)
    result: list[Change] = []
    while ready:
        _, change_id = heapq.heappop(ready)
        result.append(by_id[change_id])
        for dependent in dependents[change_id]:
            pending[dependent].discard(change_id)
            if not pending[dependent]:
                heapq.heappush(ready, (rank(by_id[dependent]), dependent))
    if len(result) != len(changes):
        cycle = sorted(str(cid) for cid, requires in pending.items() if requires)
        raise ValueError(f"the changes reference each other in a cycle: {', '.join(cycle)}")
    return result
