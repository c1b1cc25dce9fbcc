"""YAML loading that remembers where every value came from.

A stack file is read with ruamel.yaml's round-trip loader, which records the line and column
of every mapping key and sequence item. `YamlSource` hands out the data as ordinary Python
values (dict, list, str, int, float, bool, None, and dates) so that pydantic sees what it
expects, and keeps the positions in a side index so that any later problem, found by any
layer, can point at the user's text by field path.

Problems in the YAML itself (syntax errors, duplicate keys, tags) are returned on the source
rather than raised, so that they are reported together with everything else in the file.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, CommentedSet, TaggedScalar
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from mailform.stackfile.problems import FieldPath, Location, Problem, format_path

log = logging.getLogger(__name__)

_STR_TAG = "tag:yaml.org,2002:str"
_KEY_TYPES = (str, int, float, bool, datetime.date, type(None))


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
    locations: Mapping[FieldPath, Location] = field(default_factory=dict, repr=False)

    def location(self, path: FieldPath = ()) -> Location:
        """Where `path` is written: the key's line for a mapping key, the item's for an item.

        A path that does not exist in the file (a missing required field, say) resolves to
        its closest existing ancestor, so the user is shown the object that lacks it.
        """
        for length in range(len(path), -1, -1):
            location = self.locations.get(path[:length])
            if location is not None:
                return location
        return Location(self.file, 1, 1)

    def problem(self, path: FieldPath, message: str, allowed: tuple[str, ...] = ()) -> Problem:
        """Build a `Problem` about `path` in this file, located by `location`."""
        return Problem(self.location(path), format_path(path), message, allowed)


def load_yaml(path: str | Path) -> YamlSource:
    """Read and parse a YAML file; see `parse_yaml` for what is returned.

    The file name is kept as given, so that problems show the path the user typed.
    Raises OSError when the file cannot be read; everything wrong with its content is
    reported as problems on the returned source.
    """
    file = str(path)
    log.debug("load_yaml: reading %s", file)
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        problem = Problem(Location(file, line, column), "", "the file is not valid UTF-8 text")
        return YamlSource(file, None, (problem,))
    return parse_yaml(text, file)


def parse_yaml(text: str, file: str = "<string>") -> YamlSource:
    """Parse YAML text into plain data with locations; never raises for bad YAML.

    A syntax error yields a source with no data and one problem at the line ruamel reports.
    Duplicate mapping keys, YAML tags (`!foo`) and sets are reported as problems too: they are
    either mistakes or ambiguous, and a stack file should mean one thing.
    """
    yaml = YAML(typ="rt")
    yaml.Constructor = _RecordingConstructor
    try:
        document = yaml.load(text)
    except MarkedYAMLError as error:
        return YamlSource(file, None, (_syntax_problem(file, error),))
    except YAMLError as error:
        return YamlSource(
            file, None, (Problem(Location(file, 1, 1), "", f"invalid YAML: {error}"),)
        )

    converter = _PlainConverter(file)
    data = converter.convert(document, ())
    duplicates = yaml.constructor.duplicate_keys
    problems = [
        Problem(
            Location(file, duplicate.line, duplicate.column),
            format_path((*converter.path_of(duplicate.mapping), _plain_scalar(duplicate.key))),
            f"duplicate key (first written at line {duplicate.first_line})",
        )
        for duplicate in duplicates
    ]
    problems.extend(converter.problems)
    log.debug("parse_yaml: %s parsed with %d problem(s)", file, len(problems))
    return YamlSource(file, data, tuple(problems), converter.locations)


def _syntax_problem(file: str, error: MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    message = f"invalid YAML: {error.problem or error.context}"
    if error.context and error.problem and error.context_mark is not None:
        message += f" ({error.context} at line {error.context_mark.line + 1})"
    return Problem(Location(file, line, column), "", message)


@dataclass(frozen=True)
class _DuplicateKey:
    mapping: CommentedMap
    key: Any
    line: int
    column: int
    first_line: int


class _RecordingConstructor(RoundTripConstructor):
    """Round-trip constructor that records every duplicate key instead of stopping at one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicate_keys: list[_DuplicateKey] = []

    def check_mapping_key(
        self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any
    ) -> bool:
        if key not in mapping:
            return True
        first = _entry_position(mapping, key)
        mark = key_node.start_mark
        first_line = first[0] + 1 if first is not None else mark.line + 1
        self.duplicate_keys.append(
            _DuplicateKey(mapping, key, mark.line + 1, mark.column + 1, first_line)
        )
        return False


class _PlainConverter:
    """Turns ruamel's round-trip objects into plain values, indexing locations on the way."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.locations: dict[FieldPath, Location] = {}
        self.problems: list[Problem] = []
        self._paths: dict[int, FieldPath] = {}

    def path_of(self, mapping: CommentedMap) -> FieldPath:
        """Field path at which `mapping` first appears in the converted data."""
        return self._paths.get(id(mapping), ())

    def convert(self, value: Any, path: FieldPath) -> Any:
        if not path:
            self.locations[()] = self._start_of(value)
        tag = getattr(getattr(value, "tag", None), "value", None)
        if isinstance(value, TaggedScalar) and tag == _STR_TAG:
            return str(value.value)
        if isinstance(value, TaggedScalar) or tag is not None:
            self._unsupported(path, f"YAML tags such as {tag} are not supported")
            return None
        if isinstance(value, CommentedMap):
            return self._convert_mapping(value, path)
        if isinstance(value, CommentedSeq):
            return self._convert_sequence(value, path)
        if isinstance(value, CommentedSet):
            self._unsupported(path, "YAML sets (!!set) are not supported; write a list")
            return None
        return _plain_scalar(value)

    def _convert_mapping(self, mapping: CommentedMap, path: FieldPath) -> dict[Any, Any]:
        self._paths.setdefault(id(mapping), path)
        result: dict[Any, Any] = {}
        for key, value in mapping.items():
            # Keys merged in with `<<: *anchor` have no position of their own in this
            # mapping; they resolve to the mapping itself.
            position = self._at(_entry_position(mapping, key))
            plain_key = _plain_scalar(key)
            if not isinstance(plain_key, _KEY_TYPES):
                self._unsupported(
                    path, "mapping keys must be plain words, strings or numbers", position
                )
                continue
            child = (*path, plain_key)
            if position is not None:
                self.locations[child] = position
            result[plain_key] = self.convert(value, child)
        return result

    def _convert_sequence(self, sequence: CommentedSeq, path: FieldPath) -> list[Any]:
        result: list[Any] = []
        for index, item in enumerate(sequence):
            child = (*path, index)
            position = self._at(_entry_position(sequence, index))
            if position is not None:
                self.locations[child] = position
            result.append(self.convert(item, child))
        return result

    def _at(self, position: tuple[int, int] | None) -> Location | None:
        if position is None:
            return None
        return Location(self.file, position[0] + 1, position[1] + 1)

    def _start_of(self, document: Any) -> Location:
        lc = getattr(document, "lc", None)
        if lc is None or lc.line is None:
            return Location(self.file, 1, 1)
        return Location(self.file, lc.line + 1, lc.col + 1)

    def _unsupported(self, path: FieldPath, message: str, location: Location | None = None) -> None:
        location = location or self.locations.get(path) or Location(self.file, 1, 1)
        self.problems.append(Problem(location, format_path(path), message))


def _entry_position(container: Any, key: Any) -> tuple[int, int] | None:
    """0-based (line, column) of a mapping key or sequence item, if ruamel recorded one."""
    entry = (container.lc.data or {}).get(key)
    return None if entry is None else (entry[0], entry[1])


def _plain_scalar(value: Any) -> Any:
    """Strip ruamel's formatting-preserving subclasses (HexInt, ScalarFloat, ...)."""
    if value is None or type(value) in (str, int, float, bool, datetime.date):
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime.datetime):
        return datetime.datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            tzinfo=value.tzinfo,
        )
    return value
