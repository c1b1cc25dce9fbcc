"""Secret fields in the Pulumi path: a Pulumi secret where a stack file has ``{env: NAME}``.

The models declare secrets as ``SecretRef`` (``password: {env: NAME}``), so that a stack
file never holds one. A Pulumi program has a better tool, a secret ``Output``, and the
engine hands the provider the plain value (dynamic providers do not accept secrets on the
wire). ``PulumiSecret`` lets the same model carry that value: it *is* a ``SecretRef`` (the
object types call ``resolve()`` at the one place they send it), but it holds the value
itself, for the duration of one provider call, and cannot be printed, logged or pickled.

Where the value goes afterwards is the provider's decision (``properties``): it is never
returned as an output, so it is never stored in state outside the engine's encrypted
inputs; ``password_version`` is what rotates it.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from functools import cache
from typing import Any, NoReturn

from pydantic import BaseModel, PrivateAttr

from mailform.stackfile.secrets import REDACTED, SecretRef

#: The variable name a ``PulumiSecret`` reports; it names no real variable.
PULUMI_SECRET_ENV = "PULUMI_SECRET"


class PulumiSecret(SecretRef):
    """A secret value handed over by Pulumi, shaped like a ``SecretRef`` for the models.

    ``resolve()`` answers the value instead of reading a variable. ``str``/``repr`` show
    asterisks and pickling fails, so the value cannot leak into a log line, an error or a
    pickled object by accident.
    """

    _value: str = PrivateAttr(default="")

    @classmethod
    def holding(cls, value: str) -> PulumiSecret:
        """A reference that resolves to ``value``."""
        secret = cls(env=PULUMI_SECRET_ENV)
        secret._value = value
        return secret

    def resolve(self, environ: Mapping[str, str] | None = None) -> str:
        """The value Pulumi handed over (``environ`` is ignored)."""
        return self._value

    def is_available(self, environ: Mapping[str, str] | None = None) -> bool:
        """Whether Pulumi handed over a value (``environ`` is ignored)."""
        return bool(self._value)

    def __str__(self) -> str:
        return REDACTED

    def __repr__(self) -> str:
        return f"PulumiSecret({REDACTED})"

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise TypeError("a Pulumi secret cannot be pickled")


@cache
def secret_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields of ``model`` that hold a secret (typed ``SecretRef``)."""
    return frozenset(
        name for name, info in model.model_fields.items() if _mentions_secret(info.annotation)
    )


def _mentions_secret(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, SecretRef):
        return True
    return any(_mentions_secret(arg) for arg in typing.get_args(annotation))


def as_model_value(value: Any) -> Any:
    """A secret field's wire value as the model takes it: a plain string (a Pulumi secret,
    unwrapped by the engine) becomes a ``PulumiSecret``; ``{env: NAME}`` stays a reference,
    read from the provider's environment when it is sent."""
    if isinstance(value, str):
        return PulumiSecret.holding(value)
    return value
