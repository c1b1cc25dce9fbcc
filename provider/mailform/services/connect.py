"""Opening a session on a service: the same steps for every service.

Credentials come from the service's variables unless given (``from_env``); a rate the user
chose (``--rate-limit``, the ``rateLimit`` config) replaces the client's documented one, 0
turns its limiter off (the local sandbox); the client is wrapped in a ``Session``, which
shares list reads between the object types of one run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, Self

from mailform.engine.session import Session
from mailform.http.ratelimit import limiter_options


class FromEnvironment(Protocol):
    """Credentials that can be read from the environment."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self: ...


def open_session(
    client_class: Any,
    credentials_class: type[FromEnvironment],
    *,
    credentials: Any = None,
    environ: Mapping[str, str] | None = None,
    rate_limit: float | None = None,
    **client_options: Any,
) -> Session[Any]:
    """A session over a new ``client_class``."""
    credentials = credentials or credentials_class.from_env(environ)
    options = {**limiter_options(rate_limit), **client_options}
    return Session(client_class(credentials, **options))
