"""How a plan is grouped and named for reading, shared by every rendering.

The terminal text, the pull-request comment and the graph must agree on the symbol of each
action, on how changes are grouped (by object type, in plan order) and on how a summary
reads, or a reviewer comparing two of them would see two different plans. So these few
decisions live here, free of any output format.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from mailform.engine.objecttype import LiveObject
from mailform.engine.plan import Action, Change, Plan

#: Each action's symbol (its colour on a terminal is the CLI's: ``mailform.cli.text``).
SYMBOLS: dict[Action, str] = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.REPLACE: "±",
    Action.DELETE: "-",
}


def symbol(action: Action) -> str:
    """The one-character mark of an action (``+`` create, ``-`` delete…)."""
    return SYMBOLS[action]


def summary_line(plan: Plan) -> str:
    """``2 to create, 1 to update, 0 to replace, 1 to delete``."""
    counts = plan.counts()
    return ", ".join(f"{counts[str(action)]} to {action}" for action in Action)


def action_counts(changes: Iterable[Change]) -> str:
    """The actions among some changes, the ones present only: ``3 to create, 1 to delete``."""
    counts: dict[Action, int] = {}
    for change in changes:
        counts[change.action] = counts.get(change.action, 0) + 1
    return ", ".join(f"{counts[action]:,} to {action}" for action in Action if action in counts)


def key_text(change: Change) -> str:
    """An object's natural key as users write it (``ann@example.com/Welcome``)."""
    return "/".join(change.id.key)


def by_type(changes: Iterable[Change]) -> list[tuple[str, list[Change]]]:
    """Changes grouped by ``service.type``, groups in order of their first change (the
    plan's order: deletes first, then parents before children)."""
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.kind, []).append(change)
    return list(groups.items())


def unmanaged_by_type(objects: Sequence[LiveObject]) -> list[tuple[str, list[str]]]:
    """The keys of unmanaged live objects grouped by ``service.type``, in the plan's order."""
    groups: dict[str, list[str]] = {}
    for obj in objects:
        groups.setdefault(f"{obj.id.service}.{obj.id.type_name}", []).append("/".join(obj.id.key))
    return list(groups.items())


def duplicate_text(obj: LiveObject) -> str:
    """A duplicate as every rendering names it: the name it shares, its id and the managed
    one's (``luxsci.lists[ann@example.com/News] #12, a duplicate of #7``)."""
    assert obj.duplicate is not None
    return f"{obj.duplicate.name} #{obj.api_id}, a duplicate of #{obj.duplicate.managed_api_id}"


#: What the list of duplicates says about them, in every rendering.
DUPLICATES_NOTE = (
    "the API does not keep these names unique; the oldest object of a name is the managed "
    "one, the others are never changed and no stack file can declare them: delete or "
    "rename them by hand"
)


def no_changes(plan: Plan) -> str:
    """What a plan without changes says: that nothing differs, and, when live objects are
    not declared or duplicate a managed one, that they are there (a drift check counts
    them)."""
    if not plan.unmanaged:
        return "no changes."
    found = []
    if plan.duplicates:
        found.append(f"{len(plan.duplicates)} live object(s) duplicate a managed one's name")
    if plan.undeclared:
        found.append(f"{len(plan.undeclared)} live object(s) are not declared")
    return f"no changes to the declared objects; {' and '.join(found)} (listed below)."
