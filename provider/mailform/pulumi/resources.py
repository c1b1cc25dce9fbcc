"""The Pulumi resource classes, generated from the object-type descriptions in one place.

``resource_class(object_type)`` makes ``Alias``, ``User``… : a ``pulumi.dynamic.Resource``
subclass with the type token ``pulumi-python:dynamic/<service>:<Title>`` (for example
``pulumi-python:dynamic/luxsci:Alias``), keyword arguments named after the model's fields
(``Alias("sales", alias="sales@example.com", dest=[...])``), every field and computed value
pre-declared as an output (``dkim.dns_value``), and its secret fields (``password``) sent
as Pulumi secrets and listed in ``additional_secret_outputs``. The token, once chosen, is
part of every resource's URN: changing it would replace every object.

Programs import the classes as ``from mailform.luxsci import Alias``: that package (which
only Pulumi programs import, so the CLI never needs pulumi) takes them from ``RESOURCES``.
``provider/mailform/<service>/__init__.pyi`` gives editors and type checkers their typed
signatures; ``mailform.pulumi.stubs`` writes it from the same descriptions.
"""

from __future__ import annotations

import inspect
import pickle
import types
from collections.abc import Mapping
from typing import Any, ClassVar

import pulumi
import pulumi.dynamic

from mailform.engine.objecttype import ObjectType
from mailform.pulumi.properties import ADOPT, DECLARED_AT, RESOURCE_NAME, Adopt, Properties
from mailform.pulumi.provider import ObjectProvider
from mailform.services import SERVICES

#: ``pulumi.Input`` as a value to subscript at run time: each signature's annotations are
#: built from a model's field types, which no static type can name.
_INPUT: Any = pulumi.Input

#: The pickler's own ``_batch_setitems``, before any dynamic resource was registered. The
#: SDK's ``serialize_provider`` (pulumi 3.272) wraps the method it finds there in a sorting
#: one on every registration and never puts it back, so each resource adds a level of
#: calls: the 980th resource of a program fails with ``RecursionError``. Putting the
#: original back before each registration keeps the wrapping one level deep, whatever the
#: number of resources (``tests/pulumi/test_many_resources.py``).
_BATCH_SETITEMS = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]


class ObjectResource(pulumi.dynamic.Resource):
    """One object of a service's account, managed by Pulumi through ``ObjectProvider``.

    Subclasses are generated (``resource_class``); each knows its ``object_type``. The
    keyword arguments are the model's fields; ``adopt`` says what to do when an object with
    the same natural key exists already (``identical``: adopt it if it matches, the
    default; ``update``: adopt it and update it; ``never``: fail); ``declared_at`` is where
    the object is declared (``stacks/dev.yaml:12:7``), which the provider's errors quote.
    """

    object_type: ClassVar[ObjectType[Any]]

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        adopt: pulumi.Input[str] | None = None,
        declared_at: str | None = None,
        **fields: Any,
    ) -> None:
        object_type = getattr(type(self), "object_type", None)
        if object_type is None:
            raise TypeError("ObjectResource is a base class; use Alias, User, ...")
        properties = Properties(object_type)
        unknown = sorted(set(fields) - properties.input_names())
        if unknown:
            allowed = ", ".join(sorted(properties.input_names()))
            raise TypeError(
                f"{object_type.title}() got unexpected arguments {', '.join(unknown)}; "
                f"allowed: {allowed}"
            )
        props: dict[str, Any] = dict.fromkeys(properties.output_names())
        for name, value in fields.items():
            if value is None:
                continue
            props[name] = pulumi.Output.secret(value) if name in properties.secrets else value
        if adopt is not None:
            props[ADOPT] = adopt
        if declared_at is not None:
            props[DECLARED_AT] = declared_at
        props[RESOURCE_NAME] = f"{pulumi.get_stack()}/{resource_name}"
        secret_outputs = sorted(properties.secrets)
        options = pulumi.ResourceOptions(additional_secret_outputs=secret_outputs or None)
        pickle._Pickler._batch_setitems = _BATCH_SETITEMS  # type: ignore[attr-defined]
        super().__init__(
            ObjectProvider(object_type.service, object_type.name),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(options, opts),
        )


def resource_class(object_type: ObjectType[Any]) -> type[ObjectResource]:
    """The resource class of ``object_type``, with its type token and signature."""
    properties = Properties(object_type)

    def fill(namespace: dict[str, Any]) -> None:
        namespace.update(
            object_type=object_type,
            __module__=f"mailform.{object_type.service}",
            __qualname__=object_type.title,
            __doc__=_docstring(object_type),
            __signature__=_signature(object_type, properties),
        )

    token = {"module": object_type.service, "name": object_type.title}
    cls = types.new_class(object_type.title, (ObjectResource,), token, fill)
    return cls


def _docstring(object_type: ObjectType[Any]) -> str:
    doc = inspect.getdoc(object_type.model) or object_type.title
    key = ", ".join(object_type.key_fields)
    fields = "\n".join(
        f"    {name}: {info.description or ''}".rstrip()
        for name, info in object_type.model.model_fields.items()
        if name != "protected"
    )
    return (
        f"{doc}\n\nPulumi resource ``{object_type.service}:{object_type.title}``; identified by "
        f"{key}. Arguments:\n\n{fields}\n    adopt: {', '.join(Adopt)} (an existing object)"
    )


def _signature(object_type: ObjectType[Any], properties: Properties) -> inspect.Signature:
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter("resource_name", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str),
        inspect.Parameter(
            "opts",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=None,
            annotation=pulumi.ResourceOptions | None,
        ),
    ]
    for name, info in object_type.model.model_fields.items():
        if name == "protected":
            continue
        annotation = str if name in properties.secrets else info.annotation
        default = inspect.Parameter.empty if info.is_required() else None
        parameters.append(
            inspect.Parameter(name, keyword, default=default, annotation=_INPUT[annotation])
        )
    parameters.append(inspect.Parameter(ADOPT, keyword, default=None, annotation=str | None))
    parameters.append(
        inspect.Parameter("declared_at", keyword, default=None, annotation=str | None)
    )
    return inspect.Signature(parameters, return_annotation=None)


def _all_classes() -> Mapping[str, Mapping[str, type[ObjectResource]]]:
    return {
        service.name: {t.title: resource_class(t) for t in service.object_types}
        for service in SERVICES.values()
    }


#: The resource classes of every service, by service name, then by title (``Alias``).
RESOURCES: Mapping[str, Mapping[str, type[ObjectResource]]] = _all_classes()


def resource_for(object_type: ObjectType[Any]) -> type[ObjectResource]:
    """The resource class of ``object_type``."""
    return RESOURCES[object_type.service][object_type.title]
