"""Reading V1 positional arguments the way the reference describes them.

V1 parameters are identified by position; trailing optional ones may be omitted and any
optional one may be ``null``. Liana's own integrations send ``0``/``1`` for booleans, so those
are accepted too. A wrong type is a logical error (HTTP 200, ``succeed: false``), which is how
the sandbox reports every bad argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mailform.sandbox.lianamailer.errors import CallFailed

_MISSING: Any = object()


class Args:
    """The positional arguments of one call, read by position with a type check each."""

    def __init__(self, call: str, values: Sequence[Any], names: Sequence[str]) -> None:
        if len(values) > len(names):
            raise CallFailed(f"{call}: expected at most {len(names)} parameters, got {len(values)}")
        self.call = call
        self.names = list(names)
        self.values = list(values)

    def given(self, position: int) -> bool:
        """Whether the argument at ``position`` was sent and is not ``null``."""
        return position < len(self.values) and self.values[position] is not None

    def _raw(self, position: int, required: bool) -> Any:
        if not self.given(position):
            if required:
                raise CallFailed(f"{self.call}: parameter {self.names[position]} is required")
            return None
        return self.values[position]

    def _refuse(self, position: int, kind: str) -> CallFailed:
        return CallFailed(f"{self.call}: parameter {self.names[position]} must be {kind}")

    def string(
        self, position: int, *, required: bool = False, nonempty: bool = False
    ) -> str | None:
        """A string; ``nonempty`` also refuses ``""`` (names, domains)."""
        value = self._raw(position, required)
        if value is not None and not isinstance(value, str):
            raise self._refuse(position, "a string")
        if nonempty and value == "":
            raise self._refuse(position, "a non-empty string")
        return value

    def integer(self, position: int, *, required: bool = False) -> int | None:
        value = self._raw(position, required)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self._refuse(position, "an integer")
        return value

    def boolean(self, position: int, *, required: bool = False) -> bool | None:
        value = self._raw(position, required)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise self._refuse(position, "a boolean (or 0/1)")

    def array(self, position: int, *, required: bool = False) -> list[Any] | None:
        value = self._raw(position, required)
        if value is not None and not isinstance(value, list):
            raise self._refuse(position, "an array")
        return value

    def mapping(self, position: int, *, required: bool = False) -> dict[str, Any] | None:
        value = self._raw(position, required)
        if value is not None and not isinstance(value, dict):
            raise self._refuse(position, "an object")
        return value
