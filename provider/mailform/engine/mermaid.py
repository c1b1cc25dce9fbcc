"""The plan's changes and their order as a mermaid flowchart, which GitHub draws.

A reviewer sees in a list *what* changes; the graph shows what waits for what
(``Change.requires``: a domain before its aliases, a list's deletion after its group's…),
which is what decides how far a failed apply gets. Node ids are generated (``n1``, ``n2``)
so that no key can break the syntax, and labels are quoted with mermaid's entity codes for
the characters it reads. Past ``GROUP_ABOVE`` changes a node per change is unreadable, so
the graph groups them: one node per object type and action, with the number of changes,
and an edge wherever a change of one group waits for a change of another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mailform.engine.objecttype import ObjectId
from mailform.engine.outline import key_text, symbol
from mailform.engine.plan import Action, Change

#: Above this many changes, the graph has one node per object type and action.
GROUP_ABOVE = 40

#: Mermaid's entity codes for the characters that would end or change a quoted label.
_LABEL_ESCAPES = str.maketrans(
    {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;"}
)
#: Node colours by action, as GitHub's diff colours.
_CLASSES = {
    Action.CREATE: "fill:#dafbe1,stroke:#1a7f37",
    Action.UPDATE: "fill:#fff8c5,stroke:#9a6700",
    Action.REPLACE: "fill:#fbefff,stroke:#8250df",
    Action.DELETE: "fill:#ffebe9,stroke:#cf222e",
}


@dataclass(frozen=True)
class Node:
    """A box of the graph: a change, or a group of changes of one type and action."""

    id: str
    label: str
    action: Action


def flowchart(changes: Sequence[Change]) -> list[str]:
    """The lines of a ``flowchart LR`` of ``changes``, edges from each required change to
    the change that waits for it."""
    if len(changes) > GROUP_ABOVE:
        nodes, edges = _grouped(changes)
    else:
        nodes, edges = _each(changes)
    lines = ["flowchart LR"]
    lines += [f'  {node.id}["{label(node.label)}"]' for node in nodes]
    lines += [f"  {source} --> {target}" for source, target in edges]
    for action, style in _CLASSES.items():
        members = [node.id for node in nodes if node.action == action]
        if members:
            name = f"{action}s"  # "creates": no mermaid keyword
            lines += [f"  classDef {name} {style}", f"  class {','.join(members)} {name}"]
    return lines


def label(text: str) -> str:
    """``text`` safe inside a quoted mermaid label, on one line."""
    return " ".join(text.splitlines()).translate(_LABEL_ESCAPES)


def _each(changes: Sequence[Change]) -> tuple[list[Node], list[tuple[str, str]]]:
    """One node per change."""
    ids: dict[ObjectId, str] = {}
    nodes = []
    for change in changes:
        if change.id in ids:
            continue
        ids[change.id] = f"n{len(ids) + 1}"
        text = f"{symbol(change.action)} {change.id.type_name} {key_text(change)}"
        nodes.append(Node(ids[change.id], text, change.action))
    edges = [
        (ids[required], ids[change.id])
        for change in changes
        for required in sorted(change.requires)
        if required in ids and required != change.id
    ]
    return nodes, list(dict.fromkeys(edges))


def _grouped(changes: Sequence[Change]) -> tuple[list[Node], list[tuple[str, str]]]:
    """One node per object type and action, counting its changes."""
    groups: dict[tuple[str, Action], list[Change]] = {}
    for change in changes:
        groups.setdefault((change.kind, change.action), []).append(change)
    ids = {group: f"n{index}" for index, group in enumerate(groups, start=1)}
    nodes = [
        Node(ids[(kind, action)], f"{symbol(action)} {len(members):,} to {action}: {kind}", action)
        for (kind, action), members in groups.items()
    ]
    group_of = {change.id: ids[(change.kind, change.action)] for change in changes}
    edges = [
        (group_of[required], group_of[change.id])
        for change in changes
        for required in sorted(change.requires)
        if required in group_of and group_of[required] != group_of[change.id]
    ]
    return nodes, list(dict.fromkeys(edges))
