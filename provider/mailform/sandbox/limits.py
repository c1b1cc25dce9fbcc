"""The most one request may ask of the sandbox, and the JSON reading that holds to it.

The sandbox is a local throwaway, but it is also a server anyone on the machine can send
anything to, and a test that finds a crash in it has found a bug in the sandbox, not in the
client. So every request is bounded before any route sees it, and every value a route reads
is a value the rest of the sandbox can store, compute with and answer with: a body too big,
JSON too deep, a number no API holds, ``NaN`` or an infinity is refused with a 400 (413 for
the size) in the service's own error envelope, never a 500. So is text no answer can carry
(a lone surrogate).

Each limit is far above what mailform's clients or a real account need.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from typing import Any, Final

MAX_BODY_BYTES: Final = 10 * 1024 * 1024
"""10 MiB: the body of an API call or a control request. The largest body mailform sends is
a template's HTML, well under 1 MB."""

MAX_SEED_BYTES: Final = 64 * 1024 * 1024
"""64 MiB: the body of ``POST /_sandbox/seed``, a stack file: the limit of the CLI's own
stack-file reader (an account of 50,000 objects is about 7 MB)."""

MAX_DEPTH: Final = 64
"""Levels of nesting of a JSON body or a seed (the outermost value is level 1). The deepest
value either API takes is a LianaMailer list's condition, a few levels; 64 stays far from
Python's recursion limit, which code walking a stored value would otherwise reach."""

MAX_SEED_VALUES: Final = 1_000_000
"""Values in a seed, counting every mapping, list and scalar, and counting a YAML alias as
the values it repeats (so that a small file of aliases of aliases cannot stand for a billion
values): the limit of the CLI's stack-file reader, above an account of 50,000 objects."""

MAX_INTEGER: Final = 2**63 - 1
"""The largest magnitude of an integer: what a 64-bit API holds. Beyond it a number is not
an id, a count or a time but a way to make arithmetic overflow."""


class LimitError(ValueError):
    """A request or a value goes beyond a limit, or is not JSON; the message says which."""


def value_problem(value: Any) -> str | None:
    """Why the scalar ``value`` cannot be stored and answered (None when it can, or is not
    a scalar): an integer beyond :data:`MAX_INTEGER`, a float that is not finite, text with
    a lone surrogate (``"\\ud800"`` in JSON or YAML: not Unicode, so no answer can carry
    it)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) > MAX_INTEGER:
        return f"an integer is beyond ±{MAX_INTEGER} (the largest a 64-bit API holds)"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{float(value)!r} is not a finite number"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "a text holds a lone surrogate (\\ud800-\\udfff), which is not Unicode"
    return None


def walk(value: Any) -> Iterator[tuple[Any, int]]:
    """Every value inside ``value`` (itself included) with its level of nesting, without
    recursion (so that any depth can be measured)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        yield item, depth
        if isinstance(item, Mapping):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def too_deep() -> str:
    """The message for nesting beyond :data:`MAX_DEPTH`."""
    return f"nested more than {MAX_DEPTH} levels deep (the limit)"


def read_json(raw: bytes) -> Any:
    """The JSON value of a request body, within the limits; raise :class:`LimitError` with
    the reason otherwise (invalid JSON included)."""
    try:
        value = json.loads(raw, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except RecursionError:
        raise LimitError(f"JSON {too_deep()}") from None
    except LimitError:
        raise
    except ValueError as error:
        raise LimitError(f"invalid JSON: {error}") from None
    for item, depth in walk(value):
        if depth > MAX_DEPTH:
            raise LimitError(f"JSON {too_deep()}")
        for scalar in item if isinstance(item, Mapping) else (item,):
            problem = value_problem(scalar)
            if problem is not None:
                raise LimitError(problem)
    return value


def _constant(name: str) -> Any:
    raise LimitError(f"{name} is not a JSON number (JSON has no NaN or infinities)")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise LimitError(f"the number {_shortened(text)} is too large")
    return value


def _int(text: str) -> int:
    # Checked on the digits first: converting thousands of digits is itself the cost.
    if len(text.lstrip("-")) > len(str(MAX_INTEGER)) or abs(int(text)) > MAX_INTEGER:
        raise LimitError(f"the number {_shortened(text)} is too large (at most ±{MAX_INTEGER})")
    return int(text)


def _shortened(text: str) -> str:
    return text if len(text) <= 30 else f"{text[:12]}…({len(text)} digits)"
