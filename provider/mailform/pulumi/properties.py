"""Between Pulumi property bags and an object type's model: inputs, checks and outputs.

What crosses the wire is a ``Struct``: numbers arrive as floats, ``None`` values are dropped,
previews carry ``Unknown`` values, secrets arrive unwrapped. This module is where those
become the model's normal forms, and where a live object becomes the outputs Pulumi keeps:

- **inputs** are the model's fields the program sets (``protected`` is the ``protect``
  resource option instead), plus ``adopt`` (what ``create`` does when the object exists)
  ``__declared_at`` (where the stack file declares it, for error messages) and ``__name``
  (``STACK/NAME``, so that the provider can tell two resources apart);
- **outputs** are every field the API reports (of a managed mapping such as domain
  ``settings``, only the declared keys), the type's ``computed`` values (the DKIM record),
  the non-secret write-only fields as declared (``password_version``, which the API never
  reports), and ``managed_fields``: the names the program declares, so that ``read`` can
  answer the declared subset as ``inputs`` even though it is only given the old outputs;
- **secret fields** (``password``) are inputs only. They are never outputs, so a clear
  password is nowhere in state but the engine's encrypted inputs; they are never compared
  (the API cannot read them back), and ``password_version`` rotates them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from mailform.engine.objecttype import Declared, LiveObject, ObjectType, Operation, field_adapter
from mailform.pulumi.secrets import as_model_value, secret_fields

PROVIDER_KEY = "__provider"
ADOPT = "adopt"
#: The input naming where the object is declared (``stacks/dev.yaml:12:7``), quoted in the
#: provider's errors. Never compared, so moving a declaration in its file is no change.
DECLARED_AT = "__declared_at"
#: The input naming the resource (``STACK/NAME``): ``check`` is not told which resource it
#: checks, and two resources must never manage one object. Never compared.
RESOURCE_NAME = "__name"
MANAGED_FIELDS = "managed_fields"
#: The model field that is a resource option (``protect``) in Pulumi, not an input.
PROTECTED = "protected"


class Adopt(StrEnum):
    """What ``create`` does when an object with the same natural key exists already
    (Pulumi cannot import dynamic resources, so ``create`` adopts instead)."""

    #: Adopt it when it matches every declared field; fail otherwise (the default).
    IDENTICAL = "identical"
    #: Adopt it and update it to the declared fields (the default for types the API cannot
    #: create, such as server sending rates).
    UPDATE = "update"
    #: Fail: the object must be new.
    NEVER = "never"


class InputError(ValueError):
    """Inputs that do not fit the model; ``failures`` maps each field to its reasons."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        super().__init__("; ".join(f"{name}: {reason}" for name, reason in failures))


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is, or contains, a value a preview does not know yet."""
    from pulumi.output import Unknown

    if isinstance(value, Unknown):
        return True
    if isinstance(value, Mapping):
        return any(is_unknown(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(is_unknown(item) for item in value)
    return False


@dataclass(frozen=True)
class Checked:
    """The result of checking a property bag: normalised inputs and failures."""

    inputs: dict[str, Any]
    failures: list[tuple[str, str]] = field(default_factory=list)


class Properties:
    """The property-bag rules of one object type."""

    def __init__(self, object_type: ObjectType[Any]) -> None:
        self.object_type = object_type
        self.model = object_type.model
        self.secrets = secret_fields(self.model)
        #: Write-only fields Pulumi can keep and compare (``password_version``).
        self.versions = object_type.write_only - self.secrets

    # -- names ---------------------------------------------------------------------------

    def input_names(self) -> frozenset[str]:
        """The fields a program may set."""
        return frozenset(self.model.model_fields) - {PROTECTED}

    def output_names(self) -> tuple[str, ...]:
        """Every output a resource pre-declares: model fields, then computed values."""
        fields = [name for name in self.model.model_fields if name != PROTECTED]
        return (*fields, *self.object_type.computed)

    def declared_names(self, news: Mapping[str, Any]) -> set[str]:
        """The model fields a property bag sets."""
        return {name for name in news if name in self.model.model_fields and name != PROTECTED}

    def managed_names(self, news: Mapping[str, Any]) -> list[str]:
        """The declared fields other than the natural key: what ``managed_fields`` holds."""
        return sorted(self.declared_names(news) - set(self.object_type.key_fields))

    # -- check ---------------------------------------------------------------------------

    def check(self, news: Mapping[str, Any]) -> Checked:
        """Validate ``news`` with the model and answer the inputs in normal form.

        Values a preview does not know are left as they are; every other field is
        validated and normalised (floats from the wire back to ints, addresses lowercased,
        sets sorted), so that the same value never shows up as a change.
        """
        failures: list[tuple[str, str]] = []
        inputs: dict[str, Any] = {}
        known: dict[str, Any] = {}
        for name, value in news.items():
            if name == PROVIDER_KEY:
                continue
            if name in (DECLARED_AT, RESOURCE_NAME):
                if isinstance(value, str):
                    inputs[name] = value
                continue
            if name == ADOPT:
                inputs[name] = value
                if not is_unknown(value) and value not in set(Adopt):
                    allowed = ", ".join(Adopt)
                    failures.append((name, f"must be one of {allowed}"))
            elif name == PROTECTED:
                failures.append((name, "use the `protect` resource option instead"))
            elif name not in self.model.model_fields:
                allowed = ", ".join(sorted(self.input_names()))
                failures.append((name, f"is not a field of {self.title}; allowed: {allowed}"))
            elif is_unknown(value):
                inputs[name] = value
            elif name in self.secrets and not isinstance(value, str | Mapping):
                failures.append((name, "expected a string (a Pulumi secret) or {env: NAME}"))
            else:
                known[name] = value
        complete = len(known) == len(self.declared_names(news))
        try:
            inputs.update(self._normalised(known, complete=complete))
        except InputError as error:
            failures.extend(error.failures)
            inputs.update({name: value for name, value in known.items() if name not in inputs})
        return Checked(inputs, failures)

    def _normalised(self, known: Mapping[str, Any], *, complete: bool) -> dict[str, Any]:
        """``known`` validated and in normal form. With every declared field known, the
        whole model validates (required fields, cross-field rules); otherwise each known
        field on its own."""
        if complete:
            dumped = self.declared(known).model_dump(mode="json", include=set(known))
        else:
            failures: list[tuple[str, str]] = []
            dumped = {}
            for name, value in self._model_values(known).items():
                adapter = field_adapter(self.model, name)
                try:
                    dumped[name] = adapter.dump_python(adapter.validate_python(value), mode="json")
                except ValidationError as error:
                    failures.extend(_failures(error, prefix=(name,)))
            if failures:
                raise InputError(failures)
        # Secret fields keep the value as given: the dump of a reference is not the value.
        return {name: known[name] if name in self.secrets else dumped[name] for name in known}

    def declared(self, news: Mapping[str, Any]) -> Declared:
        """The model of a fully known property bag (create, update); raises ``InputError``."""
        values = {name: news[name] for name in self.declared_names(news)}
        try:
            return self.model.model_validate(self._model_values(values))
        except ValidationError as error:
            raise InputError(_failures(error, default=self.object_type.key_fields[0])) from None

    def _model_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            name: as_model_value(value) if name in self.secrets else value
            for name, value in values.items()
        }

    def adopt(self, news: Mapping[str, Any]) -> Adopt:
        """What ``create`` does with an existing object, by the ``adopt`` input or the
        type's default."""
        if ADOPT in news:
            return Adopt(news[ADOPT])
        creatable = self.object_type.supports(Operation.CREATE)
        return Adopt.IDENTICAL if creatable else Adopt.UPDATE

    # -- outputs -------------------------------------------------------------------------

    def outputs(
        self, live: LiveObject, managed: Iterable[str], declared: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The outputs Pulumi keeps for ``live``: every readable field, the computed
        values, the version fields as ``declared`` has them, ``managed_fields`` and the
        resource's ``__name`` (which its ``delete`` needs); a
        managed mapping (domain ``settings``) holds only the keys ``declared`` has. Never
        a secret field."""
        managed = sorted(managed)
        outs = {
            name: value
            for name, value in live.fields.items()
            if name in self.model.model_fields and name not in self.secrets | {PROTECTED}
        }
        for name in managed:
            current, wanted = outs.get(name), declared.get(name)
            if isinstance(current, Mapping) and isinstance(wanted, Mapping):
                outs[name] = {key: current[key] for key in wanted if key in current}
        outs.update(self.object_type.computed_values(live))
        outs.update({name: declared[name] for name in self.versions if name in declared})
        outs[MANAGED_FIELDS] = managed
        if isinstance(declared.get(RESOURCE_NAME), str):
            outs[RESOURCE_NAME] = declared[RESOURCE_NAME]
        return outs

    def read_inputs(self, outs: Mapping[str, Any], managed: Iterable[str]) -> dict[str, Any]:
        """The inputs a refresh stores, from the outputs it answers: the natural key and the
        managed fields, in the shape a program declares them; never a secret field."""
        names = [*self.object_type.key_fields, *(n for n in managed if n not in self.secrets)]
        return {name: outs[name] for name in names if outs.get(name) is not None}

    def old_managed(self, olds: Mapping[str, Any]) -> list[str]:
        """The managed field names recorded in old outputs (or, for a ``get``, the fields
        the program's properties set)."""
        recorded = olds.get(MANAGED_FIELDS)
        if isinstance(recorded, list):
            return [str(name) for name in recorded]
        return self.managed_names(olds)

    # -- identity ------------------------------------------------------------------------

    @property
    def title(self) -> str:
        """The type's name in the user's words."""
        return self.object_type.title

    def key_of(self, props: Mapping[str, Any]) -> tuple[str, ...]:
        """The natural key a property bag names; ``InputError`` when a key field is missing."""
        missing = [name for name in self.object_type.key_fields if props.get(name) in (None, "")]
        if missing:
            raise InputError([(name, "is required (it identifies the object)") for name in missing])
        return self.object_type.key_of(props)

    @staticmethod
    def id_of(key: tuple[str, ...]) -> str:
        """The Pulumi id of an object: its natural key, joined with ``/``."""
        return "/".join(key)


def _failures(
    error: ValidationError, *, prefix: tuple[Any, ...] = (), default: str = ""
) -> list[tuple[str, str]]:
    """Pydantic's errors as ``(field, reason)``; the reason never quotes a secret input
    (it is pydantic's message, and the models hide secret inputs)."""
    failures = []
    for detail in error.errors(include_input=False, include_url=False):
        location = (*prefix, *detail["loc"])
        name = str(location[0]) if location else default
        failures.append((name, _reason(detail, location[1:])))
    return failures


def _reason(detail: ErrorDetails, inner: tuple[Any, ...]) -> str:
    if detail["type"] == "missing":
        message = "is required"
    else:
        message = str(detail["msg"]).removeprefix("Value error, ")
    where = ".".join(f"item {part + 1}" if isinstance(part, int) else str(part) for part in inner)
    return f"{where}: {message}" if where else message
