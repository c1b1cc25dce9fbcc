"""Limits the API enforces over many changes at once, checked before anything is applied.

A plan can pass every per-object rule and still fail halfway when the changes add up:

- **24-hour create budgets**: LuxSci refuses more domains, aliases or users once as many
  were added to the account in the past 24 hours as the integration's create limit. The
  plan counts its creates (and the live objects the API reports as added in the past 24
  hours) against the budget: the type's ``daily_create_limit``, or the integration's own
  value from the stack file (``mailform: {create_limits: {luxsci.aliases: 50}}``).
- **capacities**: a parent holds at most so many children (LuxSci: 100 aliases per domain,
  plus 10 per user in it), checked on the account as the plan leaves it by the child
  type's ``capacity_problems``.

Each broken limit is a plan problem, so the plan is refused as a whole instead of being
applied up to the limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mailform.engine.objecttype import AccountAfter, LiveObject, ObjectId, ObjectType
from mailform.engine.plan import Action, Change, PlanProblem

DAY = 24 * 60 * 60


@dataclass(frozen=True)
class Counted:
    """Creates and recent live objects of a type that count against its budget but are not
    among the changes and live objects given: a caller that judges a few objects of a large
    deployment (the Pulumi ``check``) counts the rest instead of passing them. The creates
    counted come before the given ones."""

    creates: int = 0
    recent: int = 0


def limit_problems(
    changes: Iterable[Change],
    live: Iterable[LiveObject],
    types: Iterable[ObjectType[Any]],
    *,
    create_limits: Mapping[str, int],
    now: float,
    counted: Mapping[str, Counted] | None = None,
) -> list[PlanProblem]:
    """The problems of ``changes`` against the budgets and capacities of ``types``.

    ``create_limits`` maps ``service.type`` to the integration's 24-hour create limit,
    overriding the type's default; ``now`` is the current Unix time; ``counted`` adds, by
    ``service.type``, what counts against a budget besides ``changes`` and ``live``.
    """
    changes = list(changes)
    live = list(live)
    types = list(types)
    problems = _budget_problems(changes, live, types, create_limits, now, counted or {})
    after = _account_after(changes, live)
    for object_type in types:
        problems += [
            PlanProblem(object_id, message)
            for object_id, message in object_type.capacity_problems(after)
        ]
    return problems


def _budget_problems(
    changes: list[Change],
    live: list[LiveObject],
    types: list[ObjectType[Any]],
    create_limits: Mapping[str, int],
    now: float,
    counted: Mapping[str, Counted],
) -> list[PlanProblem]:
    problems = []
    for object_type in types:
        name = f"{object_type.service}.{object_type.name}"
        budget = create_limits.get(name, object_type.daily_create_limit)
        if budget is None:
            continue
        creates = [
            change
            for change in changes
            if change.object_type is object_type
            and change.action in (Action.CREATE, Action.REPLACE)
        ]
        if not creates:
            continue  # nothing to count against: the live dates need not be read
        elsewhere = counted.get(name, Counted())
        recent = elsewhere.recent + sum(
            1
            for obj in live
            if (obj.id.service, obj.id.type_name) == (object_type.service, object_type.name)
            and (added := object_type.created_at(obj)) is not None
            and now - added < DAY
        )
        created = elsewhere.creates + len(creates)
        if recent + created > budget:
            first_over = creates[min(len(creates) - 1, max(0, budget - recent - elsewhere.creates))]
            problems.append(
                PlanProblem(
                    first_over.id,
                    f"the plan creates {created} {object_type.name}, {recent} were added "
                    f"in the past 24 hours, and the API adds at most {budget} in any 24 hours "
                    f"(the integration's create limit; {name} in mailform.create_limits): "
                    "split the change over days, or raise the limit and declare it",
                    first_over.location,
                )
            )
    return problems


def _account_after(changes: list[Change], live: list[LiveObject]) -> AccountAfter:
    deleted = {change.id for change in changes if change.action == Action.DELETE}
    objects: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    created: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for obj in live:
        if obj.id not in deleted:
            objects.setdefault(_slot(obj.id), []).append(obj.fields)
    for change in changes:
        if change.action == Action.CREATE and change.declared is not None:
            fields = change.declared.model_dump()
            objects.setdefault(_slot(change.id), []).append(fields)
            created.setdefault(_slot(change.id), []).append(fields)
    return AccountAfter(objects, created)


def _slot(object_id: ObjectId) -> tuple[str, str]:
    return (object_id.service, object_id.type_name)
