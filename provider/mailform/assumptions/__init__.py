"""Everything mailform assumes about the LuxSci and LianaMailer APIs, as one registry.

Both APIs are half documented, so mailform guesses HTTP methods, body and answer field
names, status codes and which rules the server enforces. Each guess is an ``Assumption``
(``mailform.assumptions.base``) with a stable id, registered by its service's module
(``luxsci``, ``lianamailer``); the code that relies on one names its id (``assumes:
luxsci.envelope.success``), and the object types' assumptions are derived from the types'
own descriptions. Three things read the registry: ``mailform doctor``, which checks each
assumption against a real account without writing; ``docs/api-assumptions.md``, whose
tables are generated from it (``python -m mailform.assumptions.docs``); and the tests,
which keep the two and the code's ``assumes:`` markers in step.

The service modules import the clients (and so httpx): this package's ``__init__`` does not,
and loads them when asked.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from mailform.assumptions.base import Assumption, Observed
from mailform.engine.objecttype import ObjectType
from mailform.engine.session import Session
from mailform.errors import ApiError, AuthenticationError

#: The services with a registry, in the order the docs and the reports list them.
SERVICE_NAMES = ("luxsci", "lianamailer")


@dataclass(frozen=True)
class Checklist:
    """One service's assumptions and how a read-only examination checks them.

    ``is_read(method, path)`` says whether a request only reads (doctor refuses every other
    before it is sent); ``examine(session, observed, owners)`` makes the reads, recording
    what it saw into ``observed`` (``owners``: the users whose objects to read; empty: a
    few of the account's)."""

    service: str
    assumptions: tuple[Assumption, ...]
    is_read: Callable[[str, str], bool]
    examine: Callable[[Session[Any], Observed, frozenset[str]], None]


def checklist(service: str) -> Checklist:
    """The ``Checklist`` of a service by name."""
    if service not in SERVICE_NAMES:
        raise KeyError(f"no assumptions are registered for {service!r}")
    module = importlib.import_module(f"{__name__}.{service}")
    return Checklist(service, module.assumptions(), module.is_read, module.examine)


def all_assumptions() -> tuple[Assumption, ...]:
    """Every registered assumption, service by service; ids are unique."""
    found = tuple(a for name in SERVICE_NAMES for a in checklist(name).assumptions)
    seen: set[str] = set()
    for assumption in found:
        if assumption.id in seen:
            raise ValueError(f"two assumptions have the id {assumption.id}")
        seen.add(assumption.id)
    return found


def read_types(
    types: Iterable[ObjectType[Any]],
    session: Session[Any],
    observed: Observed,
    owners: frozenset[str],
) -> None:
    """Read every object type as a plan does (``ObjectType.read``), into
    ``observed.objects``; a type the API refuses to list is noted in ``observed.failures``
    and the others are read all the same. A refused authentication stops the reading."""
    for object_type in types:
        try:
            observed.objects[object_type.name] = object_type.read(session, owners)
        except AuthenticationError:
            raise
        except ApiError as error:
            observed.failures[object_type.name] = f"HTTP {error.status_code}: {error.message}"


__all__ = ["SERVICE_NAMES", "Assumption", "Checklist", "all_assumptions", "checklist"]
