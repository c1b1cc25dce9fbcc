"""The YAML-driven Pulumi program: one resource per object ``stacks/<stack>.yaml`` declares.

The stack file is the same one the CLI plans and applies (``docs/stack-files.md``), loaded
and checked by ``load_stack``, so every problem in it is reported at once, with its line,
before anything is registered. Then each declared object becomes one resource:

- its **name** is its natural key joined with ``/`` (``sales@example.com``,
  ``ann@example.com/Newsletters``), unique within its type, as a URN needs;
- its **inputs** are the fields the file sets, and nothing else, so only those are managed,
  and where the file declares it (``declared_at``), which the provider's errors quote;
- its **dependencies** are the declared objects it references (``ObjectType.references``),
  so Pulumi creates and updates parents first and deletes them last;
- ``protected: true`` becomes the ``protect`` resource option;
- a secret reference ``{env: NAME}`` becomes a Pulumi secret read from the program's
  environment; when the variable is not set, the field is left out with a warning (a
  password is only needed to create a user, or to rotate it).

The types' ``computed`` values (the DKIM records to publish) are stack outputs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi

from mailform.engine.diff import DeclaredObject
from mailform.engine.objecttype import ObjectId
from mailform.engine.stack import Stack, load_stack
from mailform.pulumi.properties import PROTECTED, Properties
from mailform.pulumi.resources import ObjectResource, resource_for
from mailform.pulumi.settings import CREATE_LIMITS
from mailform.services import SERVICES, catalog
from mailform.stackfile.secrets import SecretRef

logger = logging.getLogger(__name__)

#: Where stack files live, relative to the project directory.
STACKS_DIR = "stacks"


def stack_file(stack_name: str, root: str | Path = ".") -> Path:
    """The stack file of a Pulumi stack: ``stacks/<stack>.yaml``."""
    return Path(root) / STACKS_DIR / f"{stack_name}.yaml"


def run(root: str | Path = ".") -> dict[ObjectId, ObjectResource]:
    """The program of ``__main__.py``: load the current stack's file and register it."""
    path = stack_file(pulumi.get_stack(), root)
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: no stack file for stack {pulumi.get_stack()!r}; create it "
            "(see docs/stack-files.md), or select another stack"
        )
    return register(load_stack(path, catalog()))


def register(
    stack: Stack, environ: Mapping[str, str] | None = None
) -> dict[ObjectId, ObjectResource]:
    """Register one resource per declared object, parents first; answers them by id."""
    environ = os.environ if environ is None else environ
    if stack.prune:
        pulumi.log.info(
            "mailform.prune is a CLI setting; Pulumi deletes exactly the objects it manages "
            "and the program no longer declares"
        )
    if stack.ignore:
        pulumi.log.info(
            "mailform.ignore is a CLI setting; Pulumi never touches objects it does not manage"
        )
    _warn_unconfigured_limits(stack)
    resources: dict[ObjectId, ObjectResource] = {}
    for obj in _parents_first(stack.objects):
        fields = obj.fields
        depends_on = [
            resources[reference.target]
            for reference in obj.object_type.references(fields)
            if reference.target in resources
        ]
        options = pulumi.ResourceOptions(
            depends_on=depends_on or None, protect=True if obj.value.protected else None
        )
        resource_class = resource_for(obj.object_type)
        resources[obj.id] = resource_class(
            resource_name(obj),
            opts=options,
            declared_at=str(obj.location) if obj.location else None,
            **_inputs(obj, environ),
        )
    _export_computed(resources)
    return resources


def _warn_unconfigured_limits(stack: Stack) -> None:
    """The provider counts creates against the stack config's ``<service>:createLimits``
    (it cannot read the stack file); say so when the file sets limits the config lacks."""
    for service in sorted({name.partition(".")[0] for name in stack.create_limits}):
        if pulumi.Config(service).get(CREATE_LIMITS) is not None:
            continue
        wanted = ",".join(
            f"{name.partition('.')[2]}={limit}"
            for name, limit in sorted(stack.create_limits.items())
            if name.startswith(f"{service}.")
        )
        pulumi.log.warn(
            f"mailform.create_limits is the CLI's setting; for the preview to count creates "
            f"against it, run: pulumi config set {service}:{CREATE_LIMITS} {wanted}"
        )


def resource_name(obj: DeclaredObject) -> str:
    """A declared object's resource name: its natural key joined with ``/``."""
    return "/".join(obj.id.key)


def _parents_first(objects: list[DeclaredObject]) -> list[DeclaredObject]:
    """The objects in their service's type order (parents first), then file order."""
    order = {
        (service.name, object_type.name): index
        for service in SERVICES.values()
        for index, object_type in enumerate(service.object_types)
    }
    return sorted(objects, key=lambda obj: order[(obj.id.service, obj.id.type_name)])


def _inputs(obj: DeclaredObject, environ: Mapping[str, str]) -> dict[str, Any]:
    """The fields the stack file sets, as resource arguments."""
    properties = Properties(obj.object_type)
    names = set(obj.value.model_fields_set) - {PROTECTED}
    values = obj.value.model_dump(mode="json", include=names - properties.secrets)
    for name in sorted(names & properties.secrets):
        reference = getattr(obj.value, name)
        if not isinstance(reference, SecretRef):
            continue
        secret = environ.get(reference.env)
        if secret:
            values[name] = pulumi.Output.secret(secret)
        else:
            pulumi.log.warn(
                f"{obj.object_type.title} {resource_name(obj)}: {name} is left out: the "
                f"environment variable {reference.env} is not set (it is needed to create "
                "the object, or to rotate the value)"
            )
    return values


def _export_computed(resources: Mapping[ObjectId, ObjectResource]) -> None:
    """Stack outputs of the values the service generates, e.g. ``dkim`` → the DNS records
    to publish, by natural key."""
    exports: dict[str, dict[str, dict[str, Any]]] = {}
    for object_id, resource in resources.items():
        computed = type(resource).object_type.computed
        if computed:
            values = {name: getattr(resource, name) for name in computed}
            exports.setdefault(object_id.type_name, {})["/".join(object_id.key)] = values
    for name, values in exports.items():
        pulumi.export(name, values)
