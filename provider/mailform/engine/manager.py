"""The manager orchestrates a run: read the live account, plan, apply, export.

It is the importable Python API behind the CLI (and the program the Pulumi layer shares
descriptions with): given sessions for the services in play, it reads each object type
with one list call (per owning user for user-scope types, several types at once), diffs
against a stack, and applies plans.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from mailform.engine.apply import ApplyReport, Progress, apply_plan
from mailform.engine.diff import build_plan
from mailform.engine.objecttype import LiveObject, ObjectId, ObjectType
from mailform.engine.outside import Dns, check_outside
from mailform.engine.plan import Plan
from mailform.engine.selection import Selector
from mailform.engine.service import Service
from mailform.engine.session import Session
from mailform.engine.stack import Stack

logger = logging.getLogger(__name__)

#: Told, as a plan reads the account, each object type read and how many objects it has.
ReadProgress = Callable[[ObjectType[Any], int], None]


class Manager:
    """Plans and applies stacks against live accounts.

    ``services`` are every service mailform knows (for the object types); ``sessions``
    are open connections to those the run uses, keyed by service name; ``dns`` is the
    resolver plans ask about the world outside the APIs (default: the system's).
    """

    def __init__(
        self,
        services: Mapping[str, Service],
        sessions: Mapping[str, Session[Any]],
        *,
        dns: Dns | None = None,
    ) -> None:
        self.services = dict(services)
        self.sessions = dict(sessions)
        self.dns = dns or Dns()

    def object_types(self, service_names: Iterable[str] | None = None) -> list[ObjectType[Any]]:
        """The object types of the given services (default: all), in dependency order."""
        names = self.services if service_names is None else service_names
        return [t for name in names for t in self.services[name].object_types]

    def read_live(
        self,
        service: str,
        owners: frozenset[str] | Mapping[str, frozenset[str]],
        *,
        workers: int = 4,
        progress: ReadProgress | None = None,
    ) -> list[LiveObject]:
        """Every live object of ``service``, reading the object types concurrently, each
        with one list call (user-scope types: one per owner, of ``owners``, or of
        ``owners[type name]``; a type no owner is given for is not read). ``progress`` is
        called from the calling thread as each type is read (type, number of objects)."""
        session = self.sessions[service]
        types = self.services[service].object_types
        if not isinstance(owners, Mapping):
            owners = {t.name: owners for t in types}
        read: dict[str, list[LiveObject]] = {}
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="read") as pool:
            futures = {
                pool.submit(t.read, session, owners.get(t.name, frozenset())): t for t in types
            }
            for future in as_completed(futures):
                object_type = futures[future]
                read[object_type.name] = future.result()
                if progress is not None:
                    progress(object_type, len(read[object_type.name]))
        live = [obj for t in types for obj in read[t.name]]
        logger.debug("read_live: %s: %d live objects", service, len(live))
        return live

    def plan(
        self,
        stack: Stack,
        *,
        rotate: frozenset[ObjectId] = frozenset(),
        services: Iterable[str] | None = None,
        dns: Dns | None = None,
        targets: Sequence[Selector] = (),
        progress: ReadProgress | None = None,
    ) -> Plan:
        """The plan from the live account(s) to ``stack``; read-only.

        Only the services the stack declares objects for are read, unless ``services``
        names them (``export`` then ``plan`` of an empty service). Creates that need the
        world outside the API (a published CNAME) are checked through ``dns`` (default:
        the manager's). ``targets`` limit the plan to the objects they name and what those
        need; the stack's ``ignore`` rules leave live objects out.
        """
        names = list(services) if services is not None else stack.services()
        live: list[LiveObject] = []
        for name in names:
            scope = stack.read_scope(self.services[name].object_types)
            live.extend(self.read_live(name, scope, progress=progress))
        plan = build_plan(
            stack.objects,
            live,
            self.object_types(names),
            prune=stack.prune,
            rotate=rotate,
            create_limits=stack.create_limits,
            targets=targets,
            ignore=stack.ignore,
        )
        check_outside(plan, dns or self.dns)
        return plan

    def apply(
        self,
        plan: Plan,
        *,
        workers: int = 4,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> ApplyReport:
        """Carry out a plan (safety checks are the caller's: ``Plan.check_safety``); once
        ``stop`` is set, no further change starts."""
        return apply_plan(plan, self.sessions, workers=workers, progress=progress, stop=stop)

    def all_owners(self, service: str) -> frozenset[str]:
        """Every owner of user-scope objects in the live account of ``service``."""
        return self.services[service].owners(self.sessions[service])

    def export(
        self,
        service: str,
        owners: frozenset[str],
        left_out: list[LiveObject] | None = None,
    ) -> dict[str, list[dict[str, Any]]]:
        """The live account as a stack-file section: one list per object type, with every
        field the model declares and the API reports (write-only fields left out), so that
        planning the result right away shows no changes.

        Live objects no stack file could declare (of a kind the API cannot manage, or a
        second list of the same name) are not exported; ``left_out`` collects them, so that
        the caller can say so.
        """
        section: dict[str, list[dict[str, Any]]] = {}
        live = self.read_live(service, owners)
        if left_out is not None:
            left_out.extend(obj for obj in live if not obj.managed)
        for object_type in self.services[service].object_types:
            rows = [
                _exported(object_type, obj)
                for obj in live
                if obj.id.type_name == object_type.name and obj.managed
            ]
            if rows:
                section[object_type.name] = sorted(rows, key=object_type.key_of)
        return section


def _exported(object_type: ObjectType[Any], live: LiveObject) -> dict[str, Any]:
    """A live object's fields in declaration form: key fields first, then the rest in model
    order, leaving out empty values and fields that cannot be read back."""
    model_fields = [
        name
        for name in object_type.model.model_fields
        if name not in object_type.write_only
        and name not in ("protected", object_type.rename_field)
    ]
    ordered = list(object_type.key_fields) + [
        name for name in model_fields if name not in object_type.key_fields
    ]
    row: dict[str, Any] = {}
    for name in ordered:
        value = live.fields.get(name)
        if value is None or value == "" or value == [] or value == {}:
            continue
        row[name] = value
    return row
