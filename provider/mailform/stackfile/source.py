"""YAML loading that remembers where every value came from.

A stack file is parsed by ruamel.yaml (its C parser when available) into events, which
carry the line and column of every mapping key and sequence item. `YamlSource` hands out
the data as ordinary Python values (dict, list, str, int, float, bool, None) so that
pydantic sees what it expects, and keeps the positions in a side index so that any
later problem, found by any layer, can point at the user's text by field path.

Two builders make the values from the events. A plain file (no anchors, tags, merge keys
or duplicate keys, within the limits: the usual stack file) goes through the quick one,
`mailform.stackfile.plain`, which locates only the levels down to each object. The careful
one here locates everything and finds every problem; it builds any other file, and builds a
plain file again the first time a deeper position is asked for (`_Positions`).

Problems in the YAML itself (syntax errors, duplicate keys, tags) are returned on the source
rather than raised, so that they are reported together with everything else in the file.

No file can crash or hang the load: the file is read as `reading` allows (a regular file,
UTF-8, of bounded size), built within the nesting and size limits of `limits` (aliases
counted as what they expand to), and every scalar is either a plain value or a problem at
its line: a YAML 1.2 core value (string, whole or finite decimal number, boolean, null), with
anything else the YAML layer could build (a timestamp, binary data, a number too long to
read, infinity) refused or read as the text the user wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from mailform.stackfile.limits import MAX_DEPTH, MAX_NODES, LimitExceeded, too_deep, too_many
from mailform.stackfile.plain import LOCATED_DEPTH, NotPlain, build_plain
from mailform.stackfile.problems import FieldPath, Location, Problem, format_path
from mailform.stackfile.reading import UnreadableFile, decode_text, read_regular_file
from mailform.stackfile.scalars import (
    MAP_TAG,
    MERGE_TAG,
    SEQ_TAG,
    SET_TAG,
    RefusedScalar,
    event_tag,
    scalar_value,
    tag_not_supported,
)

log = logging.getLogger(__name__)

_KEY_TYPES = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class YamlSource:
    """The plain data of one YAML file plus the location of every key and item in it.

    `data` is None when the file is empty or could not be parsed; in the latter case
    `problems` says why. `problems` also lists duplicate keys and unsupported YAML features
    found while loading; the data is still usable then (the first of duplicate keys wins),
    so callers can keep validating and report everything at once.
    """

    file: str
    data: Any
    problems: tuple[Problem, ...] = ()
    #: Where each key and item is written: (line, column), 1-based; a `Location` is made
    #: only for a path asked about (a 50,000-object file has 600,000 of them).
    positions: Mapping[FieldPath, tuple[int, int]] = field(default_factory=dict, repr=False)

    def location(self, path: FieldPath = ()) -> Location:
        """Where `path` is written: the key's line for a mapping key, the item's for an item.

        A path that does not exist in the file (a missing required field, say) resolves to
        its closest existing ancestor, so the user is shown the object that lacks it.
        """
        for length in range(len(path), -1, -1):
            position = self.positions.get(path[:length])
            if position is not None:
                return Location(self.file, *position)
        return Location(self.file, 1, 1)

    def problem(self, path: FieldPath, message: str, allowed: tuple[str, ...] = ()) -> Problem:
        """Build a `Problem` about `path` in this file, located by `location`."""
        return Problem(self.location(path), format_path(path), message, allowed)


def load_yaml(path: str | Path) -> YamlSource:
    """Read and parse a YAML file; see `parse_yaml` for what is returned.

    The file name is kept as given, so that problems show the path the user typed.
    Raises OSError when the file cannot be opened (no such file, permission denied);
    everything else is a problem on the returned source, located at ``file:1:1`` when it is
    about the file as a whole: a path that is not a regular file (a directory, a named pipe,
    a device), a file over the size limit, bytes that are not UTF-8 text.
    """
    file = str(path)
    log.debug("load_yaml: reading %s", file)
    try:
        raw = read_regular_file(path)
    except UnreadableFile as error:
        return YamlSource(file, None, (Problem(Location(file, 1, 1), "", error.reason),))
    text = decode_text(raw, file)
    if isinstance(text, Problem):
        return YamlSource(file, None, (text,))
    return parse_yaml(text, file)


def parse_yaml(text: str, file: str = "<string>") -> YamlSource:
    """Parse YAML text into plain data with locations; never raises for bad YAML.

    A syntax error yields a source with no data and one problem at the line ruamel reports.
    Duplicate mapping keys, YAML tags (`!foo`) and sets are reported as problems too: they are
    either mistakes or ambiguous, and a stack file should mean one thing. A document over a
    limit of `limits` (nesting, values with aliases expanded) is one problem where it goes
    over, and no data.

    The values are built straight from the parser's events (ruamel's C parser when
    ``ruamel.yaml.clib`` is installed, else its pure-Python one), each of which carries its
    line and column: no node tree is composed. A plain file (the usual one) is built the
    quick way (`mailform.stackfile.plain`), locating only the levels down to each object;
    the positions below are found by building it again carefully, the first time one is
    asked for, which only a problem does. Anything else is built carefully at once.
    """
    try:
        data, located = build_plain(YAML(typ="safe").parse(text), YAML(typ="safe").constructor)
    except (NotPlain, YAMLError):
        return _parse_carefully(text, file)
    return YamlSource(file, data, (), _Positions(located, text, file))


def _parse_carefully(text: str, file: str) -> YamlSource:
    """`parse_yaml` by the careful builder: every position, every problem."""
    builder = _Builder(file)
    try:
        data = builder.build(YAML(typ="safe").parse(text))
    except LimitExceeded as error:
        return YamlSource(file, None, (_limit_problem(file, error),))
    except MarkedYAMLError as error:
        return YamlSource(file, None, (_syntax_problem(file, error),))
    except YAMLError as error:
        return YamlSource(
            file, None, (Problem(Location(file, 1, 1), "", f"invalid YAML: {error}"),)
        )
    if builder.empty:
        return YamlSource(file, None)
    log.debug("parse_yaml: %s parsed with %d problem(s)", file, len(builder.problems))
    return YamlSource(file, data, tuple(builder.problems), builder.positions)


class _Positions(Mapping[FieldPath, tuple[int, int]]):
    """The positions of a file built the quick way: its first `LOCATED_DEPTH` levels as
    that build found them, and the rest from a careful build of the same text, made the
    first time a deeper position is asked for."""

    def __init__(self, located: Mapping[FieldPath, tuple[int, int]], text: str, file: str):
        self._located = located
        self._text = text
        self._file = file
        self._every: Mapping[FieldPath, tuple[int, int]] | None = None

    def _all(self) -> Mapping[FieldPath, tuple[int, int]]:
        if self._every is None:
            self._every = _parse_carefully(self._text, self._file).positions
        return self._every

    def __getitem__(self, path: FieldPath) -> tuple[int, int]:
        if len(path) <= LOCATED_DEPTH:
            return self._located[path]
        return self._all()[path]

    def __iter__(self) -> Iterator[FieldPath]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def _limit_problem(file: str, error: LimitExceeded) -> Problem:
    mark = error.mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Problem(Location(file, line, column), "", error.message)


def _syntax_problem(file: str, error: MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    message = f"invalid YAML: {error.problem or error.context}"
    if error.context and error.problem and error.context_mark is not None:
        message += f" ({error.context} at line {error.context_mark.line + 1})"
    return Problem(Location(file, line, column), "", message)


@dataclass
class _Frame:
    """A collection being built: its value, where it is, and what it adds up to so far."""

    value: Any
    path: FieldPath | None  # None: its contents are not located (a value refused)
    mark: Any
    depth: int
    counted_before: int
    anchor: str | None
    mapping: bool
    refused: str | None = None  # why the collection is refused, once it ends
    is_key: bool = False  # a collection written as a mapping key: refused, and skipped
    deepest: int = 0
    key: Any = None  # a mapping's pending key (one of the markers below, or the key)
    key_mark: Any = None
    first_line: dict[Any, int] = field(default_factory=dict)
    merges: list[tuple[Any, Any, Any]] = field(default_factory=list)


_NO_KEY = object()
_SKIP = object()
_MERGE = object()


@dataclass(frozen=True)
class _Anchored:
    """What an anchor names: its value, the values it holds (itself included) and its
    depth; None until the anchored collection ends (an alias to it then would repeat a
    collection that holds it)."""

    value: Any
    nodes: int
    depth: int


class _Builder:
    """Plain values from parser events, with the position of every key and item, within
    the limits of `limits`.

    An alias stands for the very value of its anchor: a collection that aliases repeat is
    built once and the same value stands at every place that repeats it, located at its
    first place (a later place is located by the alias's own key or item). It counts as the
    values it repeats, though, for `MAX_NODES` and `MAX_DEPTH`: that is how many every later
    layer will see. A value over a limit is refused where it goes over, at the collection
    that holds it (for a billion laughs, the line that multiplies past the limit).
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: dict[FieldPath, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.empty = True
        self._constructor = YAML(typ="safe").constructor
        self._anchors: dict[str, _Anchored | None] = {}
        self._stack: list[_Frame] = []
        self._count = 0
        self._root: Any = None

    def build(self, events: Iterator[Any]) -> Any:
        """The document's value (None for an empty stream)."""
        handlers = {
            ScalarEvent: self._on_scalar,
            MappingStartEvent: self._on_start,
            SequenceStartEvent: self._on_start,
            MappingEndEvent: self._on_end,
            SequenceEndEvent: self._on_end,
            AliasEvent: self._on_alias,
        }
        documents = 0
        for event in events:
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)
            elif isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise LimitExceeded(
                        "invalid YAML: a second document (---): a stack file is a single document",
                        event.start_mark,
                    )
        return self._root

    # -- events ------------------------------------------------------------------------------

    def _on_scalar(self, event: Any) -> None:
        parent = self._stack[-1] if self._stack else None
        self._counted(parent, event.start_mark, 1, 1)
        tag = event_tag(event)
        if parent is not None and parent.mapping and parent.key is _NO_KEY:
            self._take_key(parent, event, tag)
            return
        path = self._place(parent, event.start_mark)
        value = self._scalar(event, tag, path if path is not None else ())
        if event.anchor is not None:
            self._anchors[event.anchor] = _Anchored(value, 1, 1)
        self._add(parent, value, path)

    def _on_start(self, event: Any) -> None:
        parent = self._stack[-1] if self._stack else None
        self._counted(parent, event.start_mark, 1, 1)
        mapping = isinstance(event, MappingStartEvent)
        is_key = parent is not None and parent.mapping and parent.key is _NO_KEY
        if is_key:
            assert parent is not None
            self._unsupported(
                parent.path, "mapping keys must be plain words, strings or numbers", event
            )
            path = None
        else:
            path = self._place(parent, event.start_mark)
        frame = _Frame(
            value={} if mapping else [],
            path=path,
            mark=event.start_mark,
            depth=len(self._stack) + 1,
            counted_before=self._count - 1,
            anchor=event.anchor,
            mapping=mapping,
            is_key=is_key,
        )
        frame.deepest = frame.depth
        tag = event.tag
        if tag not in (None, "!", MAP_TAG if mapping else SEQ_TAG):
            frame.refused = (
                "YAML sets (!!set) are not supported; write a list"
                if tag == SET_TAG
                else tag_not_supported(tag)
            )
        if mapping:
            frame.key = _NO_KEY
        if event.anchor is not None:
            self._anchors[event.anchor] = None  # open: an alias to it now has no end
        self._stack.append(frame)

    def _on_end(self, event: Any) -> None:
        frame = self._stack.pop()
        if frame.mapping:
            self._merge(frame)
        value = frame.value
        if frame.refused is not None:
            self._unsupported(frame.path, frame.refused, None)
            value = None
        if frame.anchor is not None:
            nodes = self._count - frame.counted_before
            self._anchors[frame.anchor] = _Anchored(value, nodes, frame.deepest - frame.depth + 1)
        parent = self._stack[-1] if self._stack else None
        if parent is not None:
            parent.deepest = max(parent.deepest, frame.deepest)
            if frame.is_key:
                parent.key, parent.key_mark = _SKIP, frame.mark  # its value goes too
                return
        self._add(parent, value, frame.path, collection=True)

    def _on_alias(self, event: Any) -> None:
        parent = self._stack[-1] if self._stack else None
        if event.anchor not in self._anchors:
            raise LimitExceeded(
                f"invalid YAML: found undefined alias {event.anchor!r}", event.start_mark
            )
        anchored = self._anchors[event.anchor]
        if anchored is None:
            raise LimitExceeded(
                "an alias here repeats a collection that holds it, a value without end",
                parent.mark if parent is not None else event.start_mark,
            )
        self._counted(parent, event.start_mark, anchored.nodes, anchored.depth)
        if parent is not None and parent.mapping and parent.key is _NO_KEY:
            if isinstance(anchored.value, _KEY_TYPES):
                parent.key, parent.key_mark = anchored.value, event.start_mark
                self._key_placed(parent, anchored.value, event.start_mark)
            else:
                parent.key, parent.key_mark = _SKIP, event.start_mark
                self._unsupported(
                    parent.path, "mapping keys must be plain words, strings or numbers", event
                )
            return
        path = self._place(parent, event.start_mark)
        self._add(parent, anchored.value, path, collection=True)

    # -- helpers -------------------------------------------------------------------------------

    def _counted(self, parent: _Frame | None, mark: Any, nodes: int, depth: int) -> None:
        """Count ``nodes`` values (``depth`` deep) going into ``parent``; over a limit, the
        file is refused at ``parent``, the collection that goes over."""
        self._count += nodes
        level = (parent.depth if parent is not None else 0) + depth
        where = parent.mark if parent is not None else None
        if level > MAX_DEPTH:
            raise LimitExceeded(too_deep(), where)
        if self._count > MAX_NODES:
            raise LimitExceeded(too_many(), where)
        if parent is not None and level > parent.deepest:
            parent.deepest = level

    def _place(self, parent: _Frame | None, mark: Any) -> FieldPath | None:
        """The path of a value going into ``parent`` (recording an item's position), or
        None when its contents are not located."""
        position = (mark.line + 1, mark.column + 1)
        if parent is None:
            self.positions[()] = position
            return ()
        if parent.path is None:
            return None
        if parent.mapping:
            key = parent.key
            if key is _SKIP or key is _MERGE:
                return None
            return (*parent.path, key)
        path = (*parent.path, len(parent.value))
        self.positions[path] = position
        return path

    def _take_key(self, frame: _Frame, event: Any, tag: str) -> None:
        mark = event.start_mark
        frame.key_mark = mark
        if tag == MERGE_TAG:
            frame.key = _MERGE
            return
        refused = len(self.problems)
        key = self._scalar(event, tag, frame.path or ())
        if len(self.problems) > refused:
            frame.key = _SKIP
            return
        if not isinstance(key, _KEY_TYPES):
            frame.key = _SKIP
            self._unsupported(
                frame.path, "mapping keys must be plain words, strings or numbers", event
            )
            return
        frame.key = key
        self._key_placed(frame, key, mark)

    def _key_placed(self, frame: _Frame, key: Any, mark: Any) -> None:
        if key in frame.first_line:
            self.problems.append(
                Problem(
                    Location(self.file, mark.line + 1, mark.column + 1),
                    format_path((*(frame.path or ()), key)),
                    f"duplicate key (first written at line {frame.first_line[key]})",
                )
            )
            frame.key = _SKIP
            return
        frame.first_line[key] = mark.line + 1
        if frame.path is not None:
            self.positions[(*frame.path, key)] = (mark.line + 1, mark.column + 1)

    def _add(
        self, parent: _Frame | None, value: Any, path: FieldPath | None, *, collection: bool = False
    ) -> None:
        """Put a finished value where it goes."""
        if parent is None:
            self._root = value
            self.empty = False
            return
        if not parent.mapping:
            parent.value.append(value)
            return
        key, parent.key = parent.key, _NO_KEY
        if key is _SKIP:
            return
        if key is _MERGE:
            parent.merges.append((parent.key_mark, value, collection))
            return
        parent.value[key] = value

    def _merge(self, frame: _Frame) -> None:
        """Keys merged in with `<<: *anchor` give way to the mapping's own, and are located
        at the `<<` that brings them in."""
        for mark, source, _ in frame.merges:
            for mapping in source if isinstance(source, list) else [source]:
                if not isinstance(mapping, dict):
                    self._unsupported(frame.path, "`<<` merges mappings only", None)
                    continue
                for key, value in mapping.items():
                    if key in frame.value:
                        continue
                    frame.value[key] = value
                    if frame.path is not None:
                        self.positions[(*frame.path, key)] = (mark.line + 1, mark.column + 1)

    def _scalar(self, event: Any, tag: str, path: FieldPath) -> Any:
        """The plain value of a scalar (`scalars.scalar_value`), or None and a problem at
        it."""
        try:
            return scalar_value(event, tag, self._constructor)
        except RefusedScalar as refused:
            return self._invalid(event, path, str(refused))

    def _invalid(self, event: Any, path: FieldPath, message: str) -> None:
        mark = event.start_mark
        location = Location(self.file, mark.line + 1, mark.column + 1)
        self.problems.append(Problem(location, format_path(path), message))

    def _unsupported(self, path: FieldPath | None, message: str, event: Any) -> None:
        if event is not None:
            mark = event.start_mark
            location = Location(self.file, mark.line + 1, mark.column + 1)
        else:
            position = self.positions.get(path) if path is not None else None
            location = Location(self.file, *position) if position else Location(self.file, 1, 1)
        self.problems.append(Problem(location, format_path(path or ()), message))
