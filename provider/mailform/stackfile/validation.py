"""Validate the objects of a stack file against their pydantic models, with locations.

Object types are pydantic models defined elsewhere; this module only knows how to run them
over a YAML list and how to turn every pydantic error into a `Problem` a user can act on:
the file and line, the field, what is wrong in plain words, and what is allowed. A message
quotes a value only where the field can hold no secret (an address that is not one); a
secret field's never does (a literal password is refused without being repeated).
"""

from __future__ import annotations

import datetime
import difflib
import enum
import logging
import types
import typing
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from mailform.stackfile.problems import FieldPath, Problem
from mailform.stackfile.source import YamlSource

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

_EXPECTED = {
    "string_type": "expected a string",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "set_type": "expected a list",
    "dict_type": "expected a mapping (key: value pairs)",
    "model_type": "expected a mapping (key: value pairs)",
    "model_attributes_type": "expected a mapping (key: value pairs)",
    "dataclass_type": "expected a mapping (key: value pairs)",
    "none_required": "expected nothing (null)",
    "date_type": "expected a date (YYYY-MM-DD)",
    "date_parsing": "expected a date (YYYY-MM-DD)",
    "datetime_type": "expected a date and time",
    "datetime_parsing": "expected a date and time",
}
"""Pydantic error types that mean "wrong type", in the user's words."""

_VALIDATOR_PREFIXES = ("Value error, ", "Assertion failed, ")

# Pydantic's location of a dict key error ends with this marker rather than a real key.
_KEY_MARKER = "[key]"


class Validated(NamedTuple, Generic[T]):
    """A validated object together with the field path where the stack file declares it.

    Keeps the way back to the user's text for checks that come after validation
    (uniqueness, cross-references); unpacks as `(value, path)`.
    """

    value: T
    path: FieldPath


def validate_objects(
    items: Any, model: type[M], path: FieldPath, source: YamlSource
) -> tuple[list[Validated[M]], list[Problem]]:
    """Validate each item of the YAML list at `path` against `model`.

    Returns the objects that are valid, each with its path, and one problem per thing wrong
    with the others, all located in `source`. Nothing is raised, so that the caller can go on
    checking the rest of the file and report everything at once. `items` must be a list
    (`[]` for none); every item must be a mapping.
    """
    if not isinstance(items, list):
        problem = source.problem(
            path,
            f"expected a list of {model.__name__} objects, got {_describe(items)}; "
            "write [] for none",
        )
        return [], [problem]
    declared: list[Validated[M]] = []
    problems: list[Problem] = []
    # A value the YAML layer refused (a tag, a number too long to read) stands as null in
    # the data; its problem is already on the source, and "got nothing" would be a second,
    # wrong one.
    refused = {problem.field for problem in source.problems if problem.field}
    for index, item in enumerate(items):
        item_path = (*path, index)
        if not isinstance(item, Mapping):
            problems.append(
                source.problem(
                    item_path,
                    f"expected a mapping of {model.__name__} fields, got {_describe(item)}",
                    _allowed_keys(model),
                )
            )
            continue
        try:
            value = model.model_validate(item)
        except ValidationError as error:
            found = _problems_from(error, model, item, item_path, source)
            problems.extend(problem for problem in found if problem.field not in refused)
        else:
            declared.append(Validated(value, item_path))
    log.debug(
        "validate_objects: %s: %d valid %s, %d problem(s)",
        source.file,
        len(declared),
        model.__name__,
        len(problems),
    )
    return declared, problems


def check_unique(
    objects_with_paths: Iterable[tuple[T, FieldPath]],
    key_fn: Callable[[T], Hashable],
    what: str,
    source: YamlSource,
) -> list[Problem]:
    """One problem per object whose natural key repeats an earlier one.

    Objects are identified by their natural key, so two declarations with the same key
    would fight over one live object. The problem points at the later declaration and names
    the line of the first. `what` is the user's name for the object type ("alias").
    """
    first_seen: dict[Hashable, FieldPath] = {}
    problems: list[Problem] = []
    for value, path in objects_with_paths:
        key = key_fn(value)
        if key not in first_seen:
            first_seen[key] = path
            continue
        first_line = source.location(first_seen[key]).line
        problems.append(
            source.problem(
                path,
                f"duplicate {what} {_render_key(key)!r} (first declared at line {first_line})",
            )
        )
    return problems


def _problems_from(
    error: ValidationError,
    model: type[BaseModel],
    item: Mapping[str, Any],
    item_path: FieldPath,
    source: YamlSource,
) -> list[Problem]:
    problems: list[Problem] = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        path = (*item_path, *_data_path(item, loc))
        message, allowed = _explain(detail, model, loc)
        problem = source.problem(path, message, allowed)
        if problem not in problems:
            problems.append(problem)
    return problems


def _explain(
    detail: ErrorDetails, model: type[BaseModel], loc: tuple[Any, ...]
) -> tuple[str, tuple[str, ...]]:
    """The user-facing message and allowed values for one pydantic error."""
    kind = detail["type"]
    if kind == "missing":
        return "required field is missing", ()
    if kind == "extra_forbidden":
        return _unknown_key(model, loc)
    if kind in ("literal_error", "enum"):
        allowed = _allowed_values(_annotation_at(model, loc))
        if allowed:
            return "not an allowed value", allowed
        expected = (detail.get("ctx") or {}).get("expected", "")
        return f"not an allowed value; expected {expected}", ()
    if kind in _EXPECTED:
        return f"{_EXPECTED[kind]}, got {_describe(detail['input'])}", ()
    message = detail["msg"]
    for prefix in _VALIDATOR_PREFIXES:
        message = message.removeprefix(prefix)
    if message.startswith("Input should "):
        message = "must " + message.removeprefix("Input should ")
    return message, ()


def _unknown_key(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, tuple[str, ...]]:
    owners = [member for member in _members(_annotation_at(model, loc[:-1])) if _is_model(member)]
    allowed = _allowed_keys(owners[0]) if len(owners) == 1 else ()
    message = "unknown key"
    key = loc[-1] if loc else None
    if isinstance(key, str) and allowed:
        close = difflib.get_close_matches(key, allowed, n=1)
        if close:
            message += f" (did you mean {close[0]!r}?)"
    return message, allowed


def _data_path(item: Any, loc: tuple[Any, ...]) -> FieldPath:
    """Map pydantic's error location onto the YAML data.

    Pydantic inserts names that are not in the data (the member of a union being tried, a
    validator's name); they are dropped. A last element that is not in the data is a missing
    or unknown key and is kept, so the problem names the field.
    """
    path: list[Any] = []
    current = item
    for position, part in enumerate(loc):
        if part == _KEY_MARKER:
            continue
        if _contains(current, part):
            current = current[part]
            path.append(part)
        elif position == len(loc) - 1 and isinstance(current, Mapping):
            path.append(part)
    return tuple(path)


def _contains(container: Any, part: Any) -> bool:
    if isinstance(container, Mapping):
        return part in container
    return isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container)


def _annotation_at(model: type[BaseModel], loc: tuple[Any, ...]) -> Any:
    """The type annotation that pydantic validated at `loc`, or None if it cannot be told."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return None
    return current


def _step(annotation: Any, part: Any) -> Any:
    members = _members(annotation)
    if isinstance(part, str):
        for member in members:
            if _type_name(member) == part:
                return member
    for member in members:
        if _is_model(member) and isinstance(part, str):
            field = _field_named(member, part)
            if field is not None:
                return field
        origin = typing.get_origin(member)
        args = typing.get_args(member)
        if isinstance(part, int) and origin in (list, tuple, set, frozenset, Sequence) and args:
            return args[0]
        if isinstance(part, str) and origin in (dict, Mapping) and len(args) == 2:
            return args[1]
    return None


def _members(annotation: Any) -> list[Any]:
    """The alternatives of a union (None dropped, Annotated unwrapped), or the type itself."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [
            member
            for arg in typing.get_args(annotation)
            if arg is not type(None)
            for member in _members(arg)
        ]
    return [annotation]


def _field_named(model: type[BaseModel], key: str) -> Any:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field.annotation
    return None


def _allowed_keys(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(field.alias or name for name, field in model.model_fields.items())


def _allowed_values(annotation: Any) -> tuple[str, ...]:
    values: list[Any] = []
    for member in _members(annotation):
        if typing.get_origin(member) is typing.Literal:
            values.extend(typing.get_args(member))
        elif isinstance(member, type) and issubclass(member, enum.Enum):
            values.extend(item.value for item in member)
    return tuple(_render_value(value) for value in values)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", "")


def _render_value(value: Any) -> str:
    """Show an allowed value as the user would write it in YAML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _render_key(key: Hashable) -> str:
    if isinstance(key, tuple):
        return " / ".join(str(part) for part in key)
    return str(key)


def _describe(value: Any) -> str:
    """Say what kind of value the user wrote, without repeating the value."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, datetime.datetime):
        return "a date and time"
    if isinstance(value, datetime.date):
        return "a date"
    return f"a {type(value).__name__}"
