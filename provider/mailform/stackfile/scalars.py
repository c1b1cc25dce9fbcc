"""What a stack file's scalars mean: the tag of a plain scalar, and the value of a tagged one.

Both YAML builders (`mailform.stackfile.source`'s careful one, and `mailform.stackfile.
plain`'s quick one) read scalars through here, so that a value is the same whichever built
it.

Stack files are YAML 1.2 core schema: a scalar is a string, a whole or finite decimal number,
a boolean or null; anything else the YAML layer could build (a timestamp, binary data, a
number too long to read, infinity) is refused with a reason.
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any

from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import implicit_resolvers

MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
SET_TAG = "tag:yaml.org,2002:set"
MERGE_TAG = "tag:yaml.org,2002:merge"
STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
#: The scalar tags a stack file may hold, explicit (``!!str 25``) or resolved: the YAML 1.2
#: core schema's, and the merge key's. Not ``!!timestamp`` or ``!!binary``: a stack file
#: has no field of either, and the values they build are nothing a field expects.
SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "merge")
)
_YAML_TAG_PREFIX = "tag:yaml.org,2002:"

_SURROGATE = re.compile("[\ud800-\udfff]")
LONE_SURROGATE = (
    "holds a lone surrogate (an escape such as \\ud800 that is half of a character); "
    "write the character itself"
)
NUMBER_TOO_LONG = (
    f"a number of more than {sys.get_int_max_str_digits():,} digits, too long to read; "
    "quote it if it is text"
)
NOT_FINITE = "infinity and NaN are not values a stack file holds; quote it if it is text"


class RefusedScalar(Exception):
    """A scalar a stack file may not hold; the message says why."""


def _core_resolvers() -> dict[str | None, list[tuple[str, Any]]]:
    """ruamel's YAML 1.2 rules for plain scalars, by first character, for the core schema's
    types and the merge key only.

    Stack files are YAML 1.2 whatever a ``%YAML`` line says: ``yes`` is a string, not a
    boolean, and ``2024-02-30`` is a string, not a timestamp (a YAML 1.1 type; a stack file
    has no date field, and an impossible date would otherwise be an error about a value the
    user meant as text). The `<<` merge key stays."""
    wanted = {f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "merge")}
    table: dict[str | None, list[tuple[str, Any]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions and tag in wanted:
            for character in first:
                table.setdefault(character, []).append((tag, regexp))
    return table


_CORE_RESOLVERS = _core_resolvers()


def resolve_plain(value: str) -> str:
    """The tag of a plain scalar by the core schema (string when no rule matches)."""
    for tag, regexp in _CORE_RESOLVERS.get(value[:1], ()):
        if regexp.match(value):
            return str(tag)
    return STR_TAG


def event_tag(event: Any) -> str:
    """The tag of a scalar event: its own, or the core schema's for a plain scalar."""
    tag: str | None = event.tag
    if tag is None or tag == "!":
        return resolve_plain(event.value) if event.implicit[0] else STR_TAG
    return tag


def scalar_value(event: Any, tag: str, constructor: Any) -> Any:
    """The plain value of a scalar event of the core schema; raises `RefusedScalar`.

    A string is the text as written (a `<<` that is not a key is a string too); the other
    types are built by ruamel's ``constructor``, and whatever it raises for text it cannot
    build (``!!bool maybe``, ``!!int ""``) is a refusal, never an exception: the text is the
    user's, and ruamel's constructors raise more than YAMLError.
    """
    text = event.value
    if tag in (STR_TAG, MERGE_TAG):
        if not text.isascii() and _SURROGATE.search(text):
            raise RefusedScalar(LONE_SURROGATE)
        return text
    if tag not in SCALAR_TAGS:
        raise RefusedScalar(tag_not_supported(tag))
    if tag == INT_TAG and len(text) > sys.get_int_max_str_digits():
        raise RefusedScalar(NUMBER_TOO_LONG)
    node = ScalarNode(tag, text, event.start_mark, event.end_mark, style=event.style)
    try:
        value = _plain_scalar(constructor.construct_object(node, deep=True))
    except Exception:
        raise RefusedScalar(f"invalid value: not a {_shorthand(tag)} value") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise RefusedScalar(NOT_FINITE)
    return value


def _shorthand(tag: str) -> str:
    """A tag as the user writes it: ``!!int`` for ``tag:yaml.org,2002:int``."""
    return "!!" + tag.removeprefix(_YAML_TAG_PREFIX) if tag.startswith(_YAML_TAG_PREFIX) else tag


def tag_not_supported(tag: str) -> str:
    """Why a scalar or collection with ``tag`` is refused."""
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
