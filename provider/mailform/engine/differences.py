"""What changes in one field, as a reviewer needs to see it, independent of the output.

A value cut to a few dozen characters hides the change: a template edited late in its
``body_html`` showed as two identical truncated strings, and an alias's whole ``dest`` list
twice hid which address came or went. So each field change becomes a ``Difference`` by one
general rule, which the terminal and the pull-request renderings then style their own way:

- sensitive fields are masked, whatever their value (nothing of it is even looked at);
- long text (over ``LONG_TEXT`` characters, or several lines) is a unified diff over lines,
  long lines split where markup or sentences end, so that the changed part stands out;
- nested values (mappings, lists) are a path-wise difference computed by DeepDiff
  (``dest: added "d@x"``, ``settings.spam_filter: "high" → "off"``); lists whose field
  type normalises them into a set ignore order, so only added and removed elements show;
- anything else is ``before → after``.

A create shows the value (long text as its first lines and its length); a delete has no
field changes at all.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AfterValidator

from mailform.engine.fieldtypes import AddressSet, DomainSet, NameSet
from mailform.engine.objecttype import ObjectType
from mailform.engine.plan import SENSITIVE, Action, Change, FieldChange

#: A string longer than this, or with a line break, is text to diff line by line.
LONG_TEXT = 60
#: Lines longer than this are split into pieces before diffing.
WRAP = 80
#: How many lines of a created long text are shown.
CREATE_PREVIEW = 10
#: Lines of unchanged context around each change of a text diff.
CONTEXT = 3

#: The validators by which the set types of ``fieldtypes`` sort and de-duplicate a list: a
#: field typed with one holds a set, whose order means nothing to the API.
_SET_NORMALISERS: tuple[Any, ...] = tuple(
    item
    for set_type in (AddressSet, DomainSet, NameSet)
    for item in get_args(set_type)[1:]  # an Annotated's arguments: its type, then metadata
    if isinstance(item, AfterValidator)
)
#: Where a long line may be split: between two tags of markup (``</p>|<p>``), then after the
#: end of a sentence; both keep each piece's text stable when something before it changes.
_SPLITS = (re.compile(r"(?<=>)(?=\s*<)"), re.compile(r"(?<=[.!?;:]\s)(?=\S)"))
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_DIGITS = re.compile(r"(\d+)")


class Sign(StrEnum):
    """The role of a detail line, as the first character of a unified diff shows it."""

    ADDED = "+"
    REMOVED = "-"
    CONTEXT = " "
    CHANGED = "~"
    HUNK = "@"
    NOTE = "…"


class Kind(StrEnum):
    """How a difference is shown: one line (``MASKED``, ``SCALAR``), lines of a unified
    diff (``TEXT``), or one line per changed path (``PATHS``)."""

    MASKED = "masked"
    SCALAR = "scalar"
    TEXT = "text"
    PATHS = "paths"


@dataclass(frozen=True)
class DiffLine:
    """One detail line. For a path-wise difference, ``path`` names the part of the value
    (``dest[1]``, ``settings.spam_filter``) and ``text`` what happened to it."""

    sign: Sign
    text: str
    path: str = ""

    def unified(self) -> str:
        """The line as a unified diff writes it (``+added``, `` context``, ``@@ … @@``); a
        path line as ``+ path: added "x"``."""
        if self.sign in (Sign.HUNK, Sign.NOTE):
            return self.text
        if self.path:
            return f"{self.sign} {self.path}: {self.text}"
        return f"{self.sign}{self.text}"

    def plain(self) -> str:
        """The line without its sign: ``path: text`` for a path line."""
        return f"{self.path}: {self.text}" if self.path else self.text


@dataclass(frozen=True)
class Difference:
    """One field's change: ``summary`` fits on a line; ``lines`` are the details of a text
    diff or a path-wise difference (none for a masked or scalar one)."""

    name: str
    kind: Kind
    summary: str
    lines: tuple[DiffLine, ...] = ()


def difference(field_change: FieldChange, change: Change) -> Difference:
    """The difference a field change makes, by the rules of this module."""
    name = field_change.name
    if field_change.sensitive:
        return Difference(name, Kind.MASKED, SENSITIVE)
    data = field_change.data()
    before, after = data["before"], data["after"]
    created = change.action == Action.CREATE
    if _nested(before) or _nested(after):
        if created:
            return Difference(name, Kind.SCALAR, show(after))
        return _paths(name, before, after, unordered(change.object_type, name))
    if _text(before) and _text(after) and (_long(before) or _long(after)):
        if created:
            return _created_text(name, after or "")
        return _text_diff(name, before or "", after or "")
    if created:
        return Difference(name, Kind.SCALAR, show(after))
    return Difference(name, Kind.SCALAR, f"{show(before)} → {show(after)}")


def show(value: Any) -> str:
    """A value on one line: text as it is, ``(none)`` for nothing, anything else as JSON."""
    if value is None or value == "":
        return "(none)"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def unordered(object_type: ObjectType[Any], name: str) -> bool:
    """Whether the field's type makes its list a set (``AddressSet`` and the like), so that
    the order of its elements means nothing to the API."""
    info = object_type.model.model_fields.get(name)
    if info is None:
        return False
    found = [*info.metadata, *_metadata(info.annotation)]
    return any(item in _SET_NORMALISERS for item in found)


def pieces(text: str) -> list[str]:
    """The lines of ``text`` to diff: its lines, each longer than ``WRAP`` split between
    two tags or after a sentence's end, and wrapped at spaces if still too long."""
    result: list[str] = []
    for line in text.splitlines():
        result.extend(_split(line, 0))
    return result


# -- text ---------------------------------------------------------------------------------


def _text_diff(name: str, before: str, after: str) -> Difference:
    lines = list(_unified(pieces(before), pieces(after)))
    if not lines:
        note = DiffLine(Sign.NOTE, "(only line endings or trailing line breaks differ)")
        return Difference(name, Kind.TEXT, "line endings changed", (note,))
    removed = sum(1 for line in lines if line.sign == Sign.REMOVED)
    added = sum(1 for line in lines if line.sign == Sign.ADDED)
    summary = f"{_count(removed, 'line')} removed, {added} added"
    return Difference(name, Kind.TEXT, summary, tuple(lines))


def _unified(before: Sequence[str], after: Sequence[str]) -> Iterator[DiffLine]:
    """difflib's unified diff as detail lines, without the file header lines."""
    lines = difflib.unified_diff(before, after, lineterm="", n=CONTEXT)
    for line in itertools.islice(lines, 2, None):  # after the ---/+++ file header
        if line.startswith("@@"):
            yield DiffLine(Sign.HUNK, line)
        else:
            yield DiffLine(Sign(line[:1] or " "), line[1:])


def _created_text(name: str, value: str) -> Difference:
    shown = pieces(value)
    lines = [DiffLine(Sign.ADDED, piece) for piece in shown[:CREATE_PREVIEW]]
    total = len(value.splitlines())
    if len(shown) > CREATE_PREVIEW:
        lines.append(DiffLine(Sign.NOTE, f"… ({_count(total, 'line')} in all)"))
    summary = f"{_count(total, 'line')}, {_count(len(value), 'character')}"
    return Difference(name, Kind.TEXT, summary, tuple(lines))


def _split(line: str, level: int) -> list[str]:
    """``line`` in pieces of at most ``WRAP`` characters where possible, trying each of
    ``_SPLITS`` in turn from ``level`` on, then wrapping at spaces."""
    if len(line) <= WRAP:
        return [line]
    if level >= len(_SPLITS):
        return _wrap(line)
    result: list[str] = []
    for piece in _SPLITS[level].split(line):
        result.extend(_split(piece, level + 1))
    return result


def _wrap(line: str) -> list[str]:
    """Pieces of at most ``WRAP`` characters, broken after a space where there is one; no
    character is lost, so the pieces join back into ``line``."""
    result = []
    while len(line) > WRAP:
        cut = line.rfind(" ", 0, WRAP) + 1 or WRAP
        result.append(line[:cut])
        line = line[cut:]
    return [*result, line] if line else result


# -- nested values ------------------------------------------------------------------------


def _paths(name: str, before: Any, after: Any, ignore_order: bool) -> Difference:
    # Imported here: deepdiff takes a twentieth of a second to import, which every command
    # would pay, and only a plan with a nested change needs it.
    from deepdiff import DeepDiff

    before, after = _empty_like(before, after), _empty_like(after, before)
    tree = DeepDiff(
        before,
        after,
        view="tree",
        ignore_order=ignore_order,
        ignore_numeric_type_changes=True,
        threshold_to_diff_deeper=0,
    )
    lines: list[DiffLine] = []
    for report, levels in tree.items():
        for level in levels:
            steps = level.path(output_format="list")
            lines.extend(_path_lines(name, report, steps, level.t1, level.t2, ignore_order))
    if not lines:  # equal but for what DeepDiff ignores (1 and 1.0): say what differs
        return Difference(name, Kind.SCALAR, f"{show(before)} → {show(after)}")
    lines.sort(key=lambda line: (_natural(line.path), _ORDER[line.sign], line.text))
    return Difference(name, Kind.PATHS, _path_summary(lines), tuple(lines))


_ORDER = {Sign.CHANGED: 0, Sign.REMOVED: 1, Sign.ADDED: 2}


def _path_lines(
    name: str, report: str, steps: list[Any], old: Any, new: Any, ignore_order: bool
) -> list[DiffLine]:
    """The lines of one DeepDiff report. In a set, a position means nothing: an element is
    named by its field, and one DeepDiff pairs as changed is one removed and one added."""
    in_set = ignore_order and len(steps) == 1 and isinstance(steps[0], int)
    path = _path(name, [] if in_set else steps)
    if report.endswith("_added"):
        return [DiffLine(Sign.ADDED, f"added {_json(new)}", path)]
    if report.endswith("_removed"):
        return [DiffLine(Sign.REMOVED, f"removed {_json(old)}", path)]
    if in_set:
        return [
            DiffLine(Sign.REMOVED, f"removed {_json(old)}", path),
            DiffLine(Sign.ADDED, f"added {_json(new)}", path),
        ]
    return [DiffLine(Sign.CHANGED, f"{_json(old)} → {_json(new)}", path)]


def _path(name: str, steps: Sequence[Any]) -> str:
    """``dest[1]``, ``settings.spam_filter``, ``settings["odd key"]``."""
    text = name
    for step in steps:
        if isinstance(step, int):
            text += f"[{step}]"
        elif step is None:
            continue  # a set's element has no position
        elif isinstance(step, str) and _IDENTIFIER.match(step):
            text += f".{step}"
        else:
            text += f"[{_json(step)}]"
    return text


def _natural(path: str) -> list[str | int]:
    """A sort key that puts ``dest[2]`` before ``dest[10]``."""
    return [int(part) if part.isdigit() else part for part in _DIGITS.split(path)]


def _path_summary(lines: Sequence[DiffLine]) -> str:
    counts = {sign: sum(1 for line in lines if line.sign == sign) for sign in _ORDER}
    words = {Sign.ADDED: "added", Sign.REMOVED: "removed", Sign.CHANGED: "changed"}
    parts = [f"{counts[sign]} {words[sign]}" for sign in _ORDER if counts[sign]]
    return ", ".join(parts) or "changed"


def _json(value: Any) -> str:
    if value is None:
        return "(none)"
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _empty_like(value: Any, other: Any) -> Any:
    """Nothing (None) as the empty value of the other side's kind, so that a list set for
    the first time shows its elements as added rather than a change of type."""
    if value is None and isinstance(other, (dict, list)):
        return type(other)()
    return value


def _metadata(annotation: Any) -> Iterator[Any]:
    """The ``Annotated`` metadata of a field's type, through ``X | None`` unions."""
    origin = get_origin(annotation)
    if origin is Annotated:
        yield from annotation.__metadata__
        yield from _metadata(get_args(annotation)[0])
    elif origin in (Union, types.UnionType):
        for argument in get_args(annotation):
            yield from _metadata(argument)


# -- small helpers --------------------------------------------------------------------------


def _nested(value: Any) -> bool:
    return isinstance(value, (dict, list))


def _text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _long(value: Any) -> bool:
    return isinstance(value, str) and (len(value) > LONG_TEXT or "\n" in value or "\r" in value)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")
