"""YAML loading that remembers where every value came from.

A stack file is composed into nodes by ruamel.yaml (its C parser when available), which
record the line and column of every mapping key and sequence item. `YamlSource` hands out
the data as ordinary Python values (dict, list, str, int, float, bool, None) so that
pydantic sees what it expects, and keeps the positions in a side index so that any
later problem, found by any layer, can point at the user's text by field path.

Problems in the YAML itself (syntax errors, duplicate keys, tags) are returned on the source
rather than raised, so that they are reported together with everything else in the file.

No file can crash or hang the load: the file is read as `reading` allows (a regular file,
UTF-8, of bounded size), composed within the nesting and size limits of `limits` (aliases
counted as what they expand to), and every scalar is either a plain value or a problem at
its line: a YAML 1.2 core value (string, whole or finite decimal number, boolean, null), with
anything else the YAML layer could build (a timestamp, binary data, a number too long to
read, infinity) refused or read as the text the user wrote.
"""

from __future__ import annotations

import logging
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver, implicit_resolvers

from mailform.stackfile.limits import (
    MAX_DEPTH,
    MAX_NODES,
    LimitExceeded,
    check_expansion,
    too_deep,
    too_many,
)
from mailform.stackfile.problems import FieldPath, Location, Problem, format_path
from mailform.stackfile.reading import UnreadableFile, decode_text, read_regular_file

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
    either mistakes or ambiguous, and a stack file should mean one thing.

    The text is composed into nodes, which carry the line and column of everything, by
    ruamel's C parser when ``ruamel.yaml.clib`` is installed (ten times as fast as the
    round-trip loader on a large file), else by its pure-Python one; the nodes are then
    turned into plain values here. A document over a limit of `limits` (nesting, values with
    aliases expanded) is one problem where it goes over, and no data.
    """
    yaml = YAML(typ="safe")
    yaml.Resolver = _Yaml12Resolver
    # Only a file with both an anchor and an alias can repeat a node; any other is within
    # the limits once composed, and is spared the walk.
    shares_nodes = "&" in text and "*" in text
    try:
        root = yaml.compose(text)
        if root is not None and shares_nodes:
            check_expansion(root)
    except LimitExceeded as error:
        return YamlSource(file, None, (_limit_problem(file, error),))
    except MarkedYAMLError as error:
        return YamlSource(file, None, (_syntax_problem(file, error),))
    except YAMLError as error:
        return YamlSource(
            file, None, (Problem(Location(file, 1, 1), "", f"invalid YAML: {error}"),)
        )
    if root is None:
        return YamlSource(file, None)
    converter = _NodeConverter(file, yaml.constructor, shares_nodes=shares_nodes)
    data = converter.convert(root, ())
    log.debug("parse_yaml: %s parsed with %d problem(s)", file, len(converter.problems))
    return YamlSource(file, data, tuple(converter.problems), converter.locations)


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


def _core_resolvers() -> dict[str, list[tuple[str, Any]]]:
    """ruamel's YAML 1.2 rules for plain scalars, by first character, for the core schema's
    types and the merge key only."""
    wanted = {f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "merge")}
    table: dict[str, list[tuple[str, Any]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions and tag in wanted:
            for character in first:
                table.setdefault(character, []).append((tag, regexp))
    return table


_CORE_RESOLVERS = _core_resolvers()


class _Yaml12Resolver(VersionedResolver):
    """Resolves plain scalars by the YAML 1.2 core schema, whatever the document's ``%YAML``
    line says, and holds the composer to the limits on nesting and size.

    Stack files are YAML 1.2: ``yes`` is a string, not a boolean, and ``2024-02-30`` is a
    string, not a timestamp (timestamps are a YAML 1.1 type that ruamel keeps resolving;
    a stack file has no date field, and an impossible date would otherwise be an error
    about a value the user meant as text). The `<<` merge key stays. The table is built
    once rather than per scalar: looking the document's version up for every scalar was a
    fifth of the time a large stack file took to load.

    The composer tells its resolver where it is: ``descend_resolver`` before each node (with
    the collection it goes into), ``ascend_resolver`` after. Counting there stops the
    composition at the first node over a limit, before the composer (recursive, in C)
    goes any deeper or builds any more. ruamel's own use of the two hooks, resolving by
    path, is not used by stack files, so they are not called on.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.depth = 0
        self.nodes = 0

    @property
    def processing_version(self) -> Any:
        return (1, 2)

    @property
    def versioned_resolver(self) -> Any:
        return _CORE_RESOLVERS

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        self.depth += 1
        self.nodes += 1
        if self.depth > MAX_DEPTH:
            raise LimitExceeded(too_deep(), current_node.start_mark)
        if self.nodes > MAX_NODES:
            raise LimitExceeded(too_many(), current_node.start_mark)

    def ascend_resolver(self) -> None:
        self.depth -= 1


class _NodeConverter:
    """Turns composed nodes into plain values, indexing locations on the way.

    With ``shares_nodes`` (the document has aliases), a collection that an alias repeats is
    converted once and the same value stands at every place that repeats it; its locations
    are those of its first place, and a later place is located by the alias's own key or
    item. `check_expansion` has bounded what the repeats add up to; sharing keeps the time
    this takes to the size of the file rather than to what its aliases expand to.
    """

    def __init__(self, file: str, constructor: Any, *, shares_nodes: bool = False) -> None:
        self.file = file
        self.constructor = constructor
        self.locations: dict[FieldPath, Location] = {}
        self.problems: list[Problem] = []
        self.converted: dict[int, Any] | None = {} if shares_nodes else None

    def convert(self, node: Node, path: FieldPath) -> Any:
        if not path:
            self.locations[()] = self._at(node)
        tag = node.tag or ""
        if isinstance(node, ScalarNode):
            return self._scalar(node, tag, path)
        if self.converted is not None:
            if id(node) in self.converted:
                return self.converted[id(node)]
            self.converted[id(node)] = value = self._collection(node, tag, path)
            return value
        return self._collection(node, tag, path)

    def _collection(self, node: Node, tag: str, path: FieldPath) -> Any:
        if isinstance(node, MappingNode):
            if tag == _SET_TAG:
                return self._unsupported(path, "YAML sets (!!set) are not supported; write a list")
            if tag != _MAP_TAG:
                return self._unsupported(path, _tag_not_supported(tag))
            return self._mapping(node, path)
        if isinstance(node, SequenceNode) and tag == _SEQ_TAG:
            return self._sequence(node, path)
        return self._unsupported(path, _tag_not_supported(tag))

    def _mapping(self, node: MappingNode, path: FieldPath) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        merged: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if key_tag == _MERGE_TAG:
                merged.append((key_node, value_node))
                continue
            key = self._key(key_node, key_tag, path)
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
                    key = self._key(key_node, key_node.tag, path)
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

    def _key(self, node: Node, tag: str, path: FieldPath) -> Any:
        """The plain value of a mapping key, or `_NOT_A_KEY` (and a problem) for a key that
        is not a scalar, or a scalar refused as a value would be."""
        if isinstance(node, ScalarNode):
            refused = len(self.problems)
            key = self._scalar(node, tag, path)
            if len(self.problems) > refused:
                return _NOT_A_KEY
        else:
            key = _NOT_A_KEY
        if not isinstance(key, _KEY_TYPES):
            self._unsupported(
                path, "mapping keys must be plain words, strings or numbers", self._at(node)
            )
            return _NOT_A_KEY
        return key

    def _scalar(self, node: ScalarNode, tag: str, path: FieldPath) -> Any:
        """The plain value of a scalar of the core schema, or None and a problem at it.

        A string is the text as written (a `<<` that is not a key is a string too); the
        other types are built by ruamel, and whatever it raises for text it cannot build
        (``!!bool maybe``, ``!!int ""``) is a problem here, never an exception: the text is
        the user's, and ruamel's constructors raise more than YAMLError.
        """
        text = node.value
        if tag in (_STR_TAG, _MERGE_TAG):
            if not text.isascii() and _SURROGATE.search(text):
                return self._invalid(node, path, _LONE_SURROGATE)
            return text
        if tag not in _SCALAR_TAGS:
            return self._invalid(node, path, _tag_not_supported(tag))
        if tag == _INT_TAG and len(text) > sys.get_int_max_str_digits():
            return self._invalid(node, path, _NUMBER_TOO_LONG)
        try:
            value = _plain_scalar(self.constructor.construct_object(node, deep=True))
        except Exception:
            return self._invalid(node, path, f"invalid value: not a {_shorthand(tag)} value")
        if isinstance(value, float) and not math.isfinite(value):
            return self._invalid(node, path, _NOT_FINITE)
        return value

    def _invalid(self, node: ScalarNode, path: FieldPath, message: str) -> None:
        self.problems.append(Problem(self._at(node), format_path(path), message))

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
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
#: The scalar tags a stack file may hold, explicit (``!!str 25``) or resolved: the YAML 1.2
#: core schema's, and the merge key's. Not ``!!timestamp`` or ``!!binary``: a stack file
#: has no field of either, and the values they build are nothing a field expects.
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "merge")
)
_YAML_TAG_PREFIX = "tag:yaml.org,2002:"

_SURROGATE = re.compile("[\ud800-\udfff]")
_LONE_SURROGATE = (
    "holds a lone surrogate (an escape such as \\ud800 that is half of a character); "
    "write the character itself"
)
_NUMBER_TOO_LONG = (
    f"a number of more than {sys.get_int_max_str_digits():,} digits, too long to read; "
    "quote it if it is text"
)
_NOT_FINITE = "infinity and NaN are not values a stack file holds; quote it if it is text"


def _shorthand(tag: str) -> str:
    """A tag as the user writes it: ``!!int`` for ``tag:yaml.org,2002:int``."""
    return "!!" + tag.removeprefix(_YAML_TAG_PREFIX) if tag.startswith(_YAML_TAG_PREFIX) else tag


def _tag_not_supported(tag: str) -> str:
    return f"YAML tags such as {_shorthand(tag)} are not supported"


def _plain_scalar(value: Any) -> Any:
    """Strip ruamel's formatting-preserving subclasses (HexInt, ScalarFloat, ...)."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value
