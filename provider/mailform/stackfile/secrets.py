"""Secret references in stack files.

A stack file never holds a secret: it says where to find one, `{env: NAME}`, and the value is
read from the environment only at the call that sends it (`SecretRef.resolve`), so it is in
no plan, log, exception or state: the models, plans and errors carry the reference.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

log = logging.getLogger(__name__)

REDACTED = "**********"
"""What a secret value is replaced with wherever it would otherwise be shown."""

ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
"""Environment variable names a reference may use: letters, digits, underscores."""

LITERAL_SECRET_MESSAGE = "a literal secret is not allowed here; write {env: NAME}"

_ENV_NAME = re.compile(ENV_NAME_PATTERN)


class MissingSecretError(LookupError):
    """A secret reference names an environment variable that is not set (or is empty).

    The message names the variable so the user knows what to export; there is no value to
    leak. `env` holds the variable name.
    """

    def __init__(self, env: str) -> None:
        self.env = env
        super().__init__(
            f"environment variable {env} is not set or is empty; "
            f"it is needed for the secret reference {{env: {env}}}"
        )


class SecretRef(BaseModel):
    """Where a secret comes from: `{env: NAME}` in a stack file.

    Use it as the type of any model field that holds a secret. A literal value in its place
    (`password: hunter2`) is rejected with a message telling the user to write a reference.
    The reference holds no value, so it is safe to print, diff, log and store in state; two
    references are equal (and hash equal) when they name the same variable.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={"description": "A secret read from an environment variable."},
    )

    env: str = Field(
        description="Name of the environment variable holding the secret.",
        json_schema_extra={"pattern": ENV_NAME_PATTERN},
    )

    @model_validator(mode="before")
    @classmethod
    def _reject_literals(cls, data: Any) -> Any:
        if isinstance(data, (Mapping, SecretRef)):
            return data
        raise ValueError(LITERAL_SECRET_MESSAGE)

    @field_validator("env")
    @classmethod
    def _check_env_name(cls, name: str) -> str:
        if not _ENV_NAME.match(name):
            raise ValueError(
                f"{name!r} is not an environment variable name; "
                "use letters, digits and underscores, not starting with a digit"
            )
        return name

    def resolve(self, environ: Mapping[str, str] | None = None) -> str:
        """Read the secret now, from `environ` (default: the process environment).

        Reading at the moment of use, not at load time, keeps the value out of every model,
        plan and state. Raises `MissingSecretError` when the variable is unset or empty.
        """
        source = os.environ if environ is None else environ
        value = source.get(self.env)
        if not value:
            raise MissingSecretError(self.env)
        log.debug("resolve: read secret from environment variable %s", self.env)
        return value

    def is_available(self, environ: Mapping[str, str] | None = None) -> bool:
        """Whether ``resolve`` would find the secret now (the variable is set, not empty);
        lets a plan find a missing secret before anything is applied."""
        source = os.environ if environ is None else environ
        return bool(source.get(self.env))

    def __str__(self) -> str:
        return f"{{env: {self.env}}}"
