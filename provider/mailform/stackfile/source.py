"""YAML loading that remembers where every value came from.

A stack file is composed into nodes by ruamel.yaml (its C parser when available), which
record the line and column of every mapping key and sequence item. `YamlSource` hands out
the data as ordinary Python values (dict, list, str, int, float, bool, None, and dates) so
that pydantic sees what it expects, and keeps the positions in a side index so that any
later problem, found by any layer, can point at the user's text by field path.

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
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

from mailform.stackfile.problems import FieldPath, Location, Problem, format_path

log = logging.getLogger(__name__)

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

    The text is composed into nodes, which carry the line and column of everything, by
    ruamel's C parser when ``ruamel.yaml.clib`` is installed (ten times as fast as the
    round-trip loader on a large file), else by its pure-Python one; the nodes are then
    turned into plain values here.
    """
    yaml = YAML(typ="safe")
    yaml.Resolver = _Yaml12Resolver
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as error:
        return YamlSource(file, None, (_syntax_problem(file, error),))
    except YAMLError as error:
        return YamlSource(
            file, None, (Problem(Location(file, 1, 1), "", f"invalid YAML: {error}"),)
        )
    if root is None:
        return YamlSource(file, None)
    converter = _NodeConverter(file, yaml.constructor)
    data = converter.convert(root, ())
    log.debug("parse_yaml: %s parsed with %d problem(s)", file, len(converter.problems))
    return YamlSource(file, data, tuple(converter.problems), converter.locations)


def _syntax_problem(file: str, error: MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    message = f"invalid YAML: {error.problem or error.context}"
    if error.context and error.problem and error.context_mark is not None:
        message += f" ({error.context} at line {error.context_mark.line + 1})"
    return Problem(Location(file, line, column), "", message)


class _Yaml12Resolver(VersionedResolver):
    """Resolves plain scalars by YAML 1.2, ruamel's default, without asking the scanner for
    the document's ``%YAML`` version for every scalar: the C parser has no scanner to ask,
    and the failed lookup was a fifth of the time a large stack file took to load. Stack
    files are YAML 1.2 (``yes`` is a string, not a boolean)."""

    @property
    def processing_version(self) -> Any:
        return (1, 2)


class _NodeConverter:
    """Turns composed nodes into plain values, indexing locations on the way."""

    def __init__(self, file: str, constructor: Any) -> None:
        self.file = file
        self.constructor = constructor
        self.locations: dict[FieldPath, Location] = {}
        self.problems: list[Problem] = []

    def convert(self, node: Node, path: FieldPath) -> Any:
        if not path:
            self.locations[()] = self._at(node)
        tag = node.tag or ""
        if isinstance(node, MappingNode):
            if tag == _SET_TAG:
                return self._unsupported(path, "YAML sets (!!set) are not supported; write a list")
            if tag != _MAP_TAG:
                return self._unsupported(path, f"YAML tags such as {tag} are not supported")
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            if tag != _SEQ_TAG:
                return self._unsupported(path, f"YAML tags such as {tag} are not supported")
            return self._sequence(node, path)
        if not isinstance(node, ScalarNode) or not tag.startswith(_CORE_TAGS):
            return self._unsupported(path, f"YAML tags such as {tag} are not supported")
        return self._scalar(node, path)

    def _mapping(self, node: MappingNode, path: FieldPath) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        merged: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.append((key_node, value_node))
                continue
            key = self._key(key_node, path)
            if key is _NOT_A_KEY:
                continue
            if key in first_line:
                at = self._at(key_node)
                self.problems.append(
                    Problem(
                        at,
                        format_path((*path, key)),
                        f"duplicate key (first written at line {first_line[key]})",
                    )
                )
                continue
            first_line[key] = key_node.start_mark.line + 1
            child = (*path, key)
            self.locations[child] = self._at(key_node)
            result[key] = self.convert(value_node, child)
        # Keys merged in with `<<: *anchor` give way to the mapping's own, and point at the
        # `<<` that brings them in.
        for merge_key, source in merged:
            for mapping in source.value if isinstance(source, SequenceNode) else [source]:
                if not isinstance(mapping, MappingNode):
                    self._unsupported(path, "`<<` merges mappings only")
                    continue
                for key_node, value_node in mapping.value:
                    key = self._key(key_node, path)
                    if key is _NOT_A_KEY or key in result:
                        continue
                    child = (*path, key)
                    self.locations[child] = self._at(merge_key)
                    result[key] = self.convert(value_node, child)
        return result

    def _sequence(self, node: SequenceNode, path: FieldPath) -> list[Any]:
        result: list[Any] = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            self.locations[child] = self._at(item)
            result.append(self.convert(item, child))
        return result

    def _key(self, node: Node, path: FieldPath) -> Any:
        if not isinstance(node, ScalarNode):
            self._unsupported(
                path, "mapping keys must be plain words, strings or numbers", self._at(node)
            )
            return _NOT_A_KEY
        key = self._scalar(node, path)
        if not isinstance(key, _KEY_TYPES):
            self._unsupported(
                path, "mapping keys must be plain words, strings or numbers", self._at(node)
            )
            return _NOT_A_KEY
        return key

    def _scalar(self, node: ScalarNode, path: FieldPath) -> Any:
        try:
            return _plain_scalar(self.constructor.construct_object(node, deep=True))
        except (YAMLError, ValueError) as error:
            at = self._at(node)
            message = str(getattr(error, "problem", None) or error)
            self.problems.append(Problem(at, format_path(path), f"invalid value: {message}"))
            return None

    def _at(self, node: Node) -> Location:
        mark = node.start_mark
        return Location(self.file, mark.line + 1, mark.column + 1)

    def _unsupported(self, path: FieldPath, message: str, location: Location | None = None) -> None:
        location = location or self.locations.get(path) or Location(self.file, 1, 1)
        self.problems.append(Problem(location, format_path(path), message))


_NOT_A_KEY = object()
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_SET_TAG = "tag:yaml.org,2002:set"
_MERGE_TAG = "tag:yaml.org,2002:merge"
#: The scalar tags of the YAML core schema (str, int, float, bool, null, timestamp…).
_CORE_TAGS = "tag:yaml.org,2002:"


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
