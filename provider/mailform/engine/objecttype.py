"""The description of an object type, the one place each type is defined.

An ``ObjectType`` says everything the engine, the CLI, export, the JSON Schema and the Pulumi
resources need to know about one kind of object (an alias, a marketing list…):

- its **model**: a pydantic model of the fields a stack file may declare, which also
  normalises values so that the same value never shows up as a change;
- its **natural key**: the fields that identify an object as a user knows it;
- its **references** to other objects, from which the dependency order is derived;
- which fields are **immutable** (a change means replacement) or **write-only** (never read
  back, never diffed by value);
- which **operations** the API lacks (create-only objects, settings-only objects);
- how it maps to the **API**: read every live object, create, update, delete.

Every surface is generic over these descriptions: a new object type is its module, its
registration in the service's package, its part of the sandbox and its tests (the README's
"Adding an object type").
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

if TYPE_CHECKING:
    from mailform.engine.outside import Dns

Key = tuple[str, ...]


class Operation(StrEnum):
    """What the API can do with an object of a type."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


ALL_OPERATIONS = frozenset(Operation)


class Declared(BaseModel):
    """Base of every object model: unknown keys are errors, and ``protected`` marks objects
    that mailform must never delete or replace."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    protected: bool = Field(
        default=False,
        description="Never delete or replace this object, even when a change requires it.",
    )


M = TypeVar("M", bound=Declared)


@dataclass(frozen=True, order=True, slots=True)
class ObjectId:
    """An object's identity across every surface: service, type name and natural key."""

    service: str
    type_name: str
    key: Key

    def __str__(self) -> str:
        return f"{self.service}.{self.type_name}[{'/'.join(self.key)}]"


@dataclass(frozen=True)
class Reference:
    """This object needs ``target`` to exist first (and to be deleted after it).

    ``required`` references must resolve to an object the stack file declares; others only
    order the changes when the target happens to be declared (an owner user, say).
    ``blocks_delete`` says that the API refuses to delete the target while this object
    exists (a domain that still has users or aliases), so a plan that deletes the target
    but keeps this object is refused before anything is applied.
    """

    target: ObjectId
    field: str
    required: bool = True
    blocks_delete: bool = False


@dataclass(frozen=True, slots=True)
class Duplicate:
    """What a live object duplicates, for a type whose natural key the API does not keep
    unique: ``name`` is the id of the managed object of the same key, ``managed_api_id``
    that object's API id."""

    name: ObjectId
    managed_api_id: Any


@dataclass(slots=True)
class LiveObject:
    """An object as the live account reports it.

    ``fields`` uses the model's field names and normal forms (references as keys, not ids);
    ``api_id`` is whatever the API needs to address it (a numeric id, a domain name);
    ``raw`` is the API's row as received, unknown fields included (the very dict the
    session's cached list holds: read it, never change it); ``duplicate`` is set on a
    second object of a key the API does not keep unique (``first_of_each_key``). Slotted:
    a plan of 50,000 objects holds 50,000 of these.
    """

    id: ObjectId
    fields: dict[str, Any]
    api_id: Any = None
    raw: dict[str, Any] = field(default_factory=dict)
    managed: bool = True
    duplicate: Duplicate | None = None


@dataclass(frozen=True)
class AccountAfter:
    """The account as a plan leaves it, for rules over many objects at once: the fields of
    every object of a type (live ones the plan keeps, plus the ones it creates), and of
    those it creates, by ``(service, type name)``."""

    objects: Mapping[tuple[str, str], list[Mapping[str, Any]]]
    created: Mapping[tuple[str, str], list[Mapping[str, Any]]]

    def of(self, service: str, type_name: str) -> list[Mapping[str, Any]]:
        """Every object of a type after the plan."""
        return list(self.objects.get((service, type_name), []))

    def created_of(self, service: str, type_name: str) -> list[Mapping[str, Any]]:
        """The objects of a type the plan creates."""
        return list(self.created.get((service, type_name), []))


class ObjectType(ABC, Generic[M]):
    """Describes one object type; subclasses set the class attributes and implement the API
    mapping. Instances hold no state, so one instance serves every thread.

    The model is the type argument (``class AliasType(RestType[Alias])``) and the title the
    model's name (``Alias``), unless a subclass sets them.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "model" not in cls.__dict__:
            for base in getattr(cls, "__orig_bases__", ()):
                args = [a for a in get_args(base) if isinstance(a, type)]
                if args and issubclass(args[0], Declared):
                    cls.model = args[0]
                    break
        if "title" not in cls.__dict__ and "model" in cls.__dict__:
            cls.title = cls.model.__name__

    service: ClassVar[str]
    #: The stack-file key (``aliases``).
    name: ClassVar[str]
    #: The singular name in the user's words (``Alias``); also the Pulumi resource name.
    title: ClassVar[str]
    model: ClassVar[type[Declared]]
    #: Model fields forming the natural key, in order.
    key_fields: ClassVar[tuple[str, ...]]
    #: Fields whose change means delete and create again.
    immutable: ClassVar[frozenset[str]] = frozenset()
    #: Fields never read back from the API (passwords).
    write_only: ClassVar[frozenset[str]] = frozenset()
    #: Fields the API needs to create the object, though an existing one may be declared
    #: without them (a user's initial password): a planned create without them is a problem.
    needed_to_create: ClassVar[frozenset[str]] = frozenset()
    #: Types of one service that share a namespace (LuxSci users and aliases: one address
    #: is a mailbox or an alias, never both) name it here; two objects of such types with
    #: the same key conflict, in a stack file and in the account.
    namespace: ClassVar[str | None] = None
    #: Fields whose value the API keeps unique among the objects of this type (of one
    #: owner, for user-scope types), besides the natural key: a template's code word, a
    #: bounce domain's from domain. A second object cannot take a value while another holds
    #: it, so a plan refuses that, and a Pulumi replacement that keeps the value deletes the
    #: old object first.
    unique_fields: ClassVar[tuple[str, ...]] = ()
    #: The API's rolling 24-hour limit on objects of this type added to the account (LuxSci
    #: domains, aliases, users), when it has one: the default budget a plan counts its
    #: creates against; a stack file sets the integration's own (``mailform.create_limits``).
    daily_create_limit: ClassVar[int | None] = None
    #: What the API supports for this type.
    operations: ClassVar[frozenset[Operation]] = ALL_OPERATIONS
    #: Field holding the owning user's login, for user-scope types.
    owner_field: ClassVar[str | None] = None
    #: What deleting or replacing an object of this type destroys, in the user's words
    #: ("the mailbox and all its mail"), for types that hold data users care about; such a
    #: change is marked destructive in every output and needs an opt-in naming the type.
    destroys: ClassVar[str | None] = None
    #: A sentence shown when the plan needs an operation the API lacks.
    missing_operation_hint: ClassVar[str] = ""
    #: Values the service generates and a user needs (the DKIM record to publish): never
    #: declared, read from the API's row; the Pulumi resources expose them as outputs.
    computed: ClassVar[tuple[str, ...]] = ()
    #: The ``computed`` values a create's answer does not carry (a LianaMailer consent
    #: type's first revision; its id is the answer): a surface that shows them reads the
    #: object back after a create (``read_back``). Fields the service fills with its own
    #: defaults when a create leaves them out are not read back: they are no ``computed``
    #: value, and the next read of the object has them.
    computed_on_create: ClassVar[tuple[str, ...]] = ()
    #: The ``computed`` values an update changes (a LianaMailer consent type's revision):
    #: a surface that shows them reads the object back after an update (``read_back``).
    computed_on_update: ClassVar[tuple[str, ...]] = ()
    #: Fields the API's create call cannot set, which ``create`` sets with further calls
    #: after it (a LianaMailer consent type's ``sites``: one ``updateSite`` per site). An
    #: apply stopped between those calls (``kill -9``, a lost machine) leaves the object as
    #: far as it got: these fields empty, or holding part of the declared collection. The
    #: next plan's update of such an object only finishes that create
    #: (``mailform.engine.diff.finishes_create``): it is labelled so, and it does not count
    #: against the share of existing objects a plan may change without ``--force``.
    completed_after_create: ClassVar[tuple[str, ...]] = ()
    #: The types whose objects this type's objects refer to (``references``): the service
    #: orders its types from these (parents first), and a reference to a type not listed
    #: here is an error the tests catch.
    refers_to: ClassVar[tuple[ObjectType[Any], ...]] = ()
    #: A model field naming the object's previous name (``renamed_from``), for types whose
    #: API can rename: a declared object whose key is not live, but whose previous key is,
    #: is planned as a rename of that object (an update of its last key field) instead of
    #: a new object. The field is an instruction, never compared or read back.
    rename_field: ClassVar[str | None] = None

    # -- identity and references ---------------------------------------------------------

    def key_of(self, fields: Mapping[str, Any]) -> Key:
        """The natural key of an object given its fields (declared or live)."""
        return tuple(str(fields[name]) for name in self.key_fields)

    def id_of(self, fields: Mapping[str, Any]) -> ObjectId:
        """The ``ObjectId`` of an object given its fields."""
        return ObjectId(self.service, self.name, self.key_of(fields))

    def object_id(self, *key: str) -> ObjectId:
        """The id of the object of this type whose natural key is ``key`` (normalised as
        the type normalises keys: a LianaMailer property's name without case)."""
        return self.id_of(dict(zip(self.key_fields, key, strict=True)))

    def reference(
        self, *key: str, field: str, required: bool = True, blocks_delete: bool = False
    ) -> Reference:
        """A reference, from ``field`` of another object, to the object of this type whose
        natural key is ``key`` (``DOMAINS.reference(domain, field="alias")``).

        A reference is a frozen value, so one whose key is text is made once and shared
        (``_text_reference``): 50,000 aliases refer to a few hundred domains, and making a
        reference anew for each was half of checking a 50,000-object file's references."""
        if all(type(part) is str for part in key):
            return _text_reference(self, key, field, required, blocks_delete)
        return Reference(self.object_id(*key), field, required, blocks_delete)

    def previous_id(self, fields: Mapping[str, Any]) -> ObjectId | None:
        """The id the object had before a declared rename (``rename_field``), or None."""
        previous = fields.get(self.rename_field) if self.rename_field else None
        if not previous:
            return None
        return self.id_of({**fields, self.key_fields[-1]: previous})

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        """The objects this one needs; none by default."""
        return []

    def owner_of(self, fields: Mapping[str, Any]) -> str | None:
        """The owning user's login, for user-scope types."""
        return fields.get(self.owner_field) if self.owner_field else None

    def supports(self, operation: Operation) -> bool:
        """Whether the API can do ``operation`` on this type."""
        return operation in self.operations

    # -- model ---------------------------------------------------------------------------

    def managed_fields(self, declared: M) -> set[str]:
        """The fields a declared object manages: those the stack file set, minus the key
        and mailform's own markers. Fields the file does not set are never reset."""
        return declared.model_fields_set - _unmanaged_names(self)

    def normalise_live(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Live fields in the model's normal form (case, order), so that an unchanged value
        never diffs. The model's field types carry the normalisation (``Annotated``
        validators); a live value the model would reject is kept as read."""
        normalisers = field_normalisers(self.model)
        normal = dict(fields)
        for name, value in fields.items():
            normalise = normalisers.get(name)
            if normalise is None or value is None:
                continue
            try:
                normal[name] = normalise(value)
            except ValidationError:
                continue
        return normal

    def change_problem(
        self, live_fields: Mapping[str, Any], declared: M, changed: set[str]
    ) -> str | None:
        """Why the API cannot change ``changed`` in place from ``live_fields`` to the
        declared values, when a rule finer than the missing operations forbids it (a value
        the API can set but never clear); None when it can. Plans report the reason as a
        problem, the Pulumi preview as a failure, instead of an apply that never converges."""
        return None

    def held_count(self, live: LiveObject) -> int | None:
        """How much ``destroys`` refers to in ``live`` (a list's member count), where the API
        reports it; None when it does not."""
        return None

    def created_at(self, live: LiveObject) -> float | None:
        """When the live object was added to the account (Unix seconds), where the API says
        so; a plan counts the ones of the past 24 hours against ``daily_create_limit``."""
        return None

    def outside_problems(self, declared: M, dns: Dns) -> list[str]:
        """Why the object cannot be created yet, by what the world outside the API says
        (a LuxSci bounce domain needs its CNAME published): asked for each planned create.
        None by default."""
        return []

    #: The parent whose capacity this type's objects count against (LuxSci: a domain holds
    #: 100 aliases plus 10 per user in it, so both aliases and users name ``DOMAINS``), or
    #: None. A rule about one new object looks at the other objects under that parent
    #: (``mailform.pulumi.neighbourhood``), and at no others.
    capacity_parent: ClassVar[ObjectType[Any] | None] = None

    def capacity_problems(self, after: AccountAfter) -> list[tuple[ObjectId, str]]:
        """Limits on how many objects of this type a parent holds (LuxSci: aliases per
        domain), broken by the account as the plan leaves it: each as the object the
        problem belongs to and why. None by default."""
        return []

    def computed_values(self, live: LiveObject) -> dict[str, Any]:
        """The ``computed`` values of a live object, as the API's row carries them."""
        return {name: live.raw.get(name) for name in self.computed}

    # -- the API mapping -----------------------------------------------------------------

    @abstractmethod
    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        """Every live object of this type (for user-scope types, of the given owners), with
        one list call per owner at most."""

    def create(self, session: Any, declared: M) -> LiveObject:
        """Create the object; answers it as live."""
        raise NotImplementedError(f"{self.title} cannot be created through the API")

    def read_back(self, session: Any, written: LiveObject, declared: M) -> LiveObject:
        """The object a create (or update) wrote, as the service has it now, for a surface
        that shows the ``computed_on_create`` (``computed_on_update``) values: Pulumi's
        outputs. ``create`` itself answers only what the create's answer carries, so that
        an apply, which shows nothing of it, costs one call per create. By default the
        answer carries everything."""
        return written

    def update(self, session: Any, live: LiveObject, declared: M, changed: set[str]) -> LiveObject:
        """Change the ``changed`` fields of ``live`` to their declared values."""
        raise NotImplementedError(f"{self.title} cannot be updated through the API")

    def delete(self, session: Any, live: LiveObject) -> None:
        """Delete the object."""
        raise NotImplementedError(f"{self.title} cannot be deleted through the API")


def first_of_each_key(objects: list[LiveObject]) -> list[LiveObject]:
    """Objects known to users by a name the service does not keep unique (LuxSci templates,
    lists and groups of one owner; LianaMailer mailing lists and consent types): the one
    with the lowest API id owns the key; each other one is a duplicate (``as_duplicate``):
    unmanaged, so that no plan ever touches it by mistake and ``export`` leaves it out (a
    file could not declare it), and named as a duplicate of the managed one, with both ids,
    in every plan, drift and export."""
    owners: dict[Key, LiveObject] = {}
    result = []
    for obj in sorted(objects, key=lambda obj: (str(type(obj.api_id)), obj.api_id)):
        owner = owners.setdefault(obj.id.key, obj)
        result.append(obj if owner is obj else as_duplicate(obj, owner.id, owner.api_id))
    return result


def as_duplicate(obj: LiveObject, name: ObjectId, managed_api_id: Any) -> LiveObject:
    """``obj`` as a duplicate of the object ``name`` (API id ``managed_api_id``): unmanaged,
    under an id of its own, ``name (duplicate #id)``, so that it never takes the managed
    one's place wherever objects are looked up by id."""
    key = (*name.key[:-1], f"{name.key[-1]} (duplicate #{obj.api_id})")
    return LiveObject(
        ObjectId(name.service, name.type_name, key),
        obj.fields,
        obj.api_id,
        obj.raw,
        managed=False,
        duplicate=Duplicate(name, managed_api_id),
    )


@cache
def _unmanaged_names(object_type: ObjectType[Any]) -> frozenset[str | None]:
    """The key and mailform's markers (``ObjectType.managed_fields``), once per type: a
    plan of 50,000 objects asks for each one's managed fields."""
    return frozenset({*object_type.key_fields, "protected", object_type.rename_field})


@lru_cache(maxsize=16384)
def _text_reference(
    object_type: ObjectType[Any], key: Key, field: str, required: bool, blocks_delete: bool
) -> Reference:
    """``ObjectType.reference`` of a key made of text only (of ``str`` itself: equal values
    of other types, ``1`` and ``True``, name other keys, and some are not hashable)."""
    return Reference(object_type.object_id(*key), field, required, blocks_delete)


@cache
def field_normalisers(model: type[BaseModel]) -> dict[str, Callable[[Any], Any]]:
    """Each field's validator (``field_adapter``) by name, looked up once per model: a
    read of 50,000 live objects normalises each of their fields.

    The adapter's own validator, called without the adapter's wrapper, which passes it the
    same defaults and was a quarter of the normalising (200,000 calls in a 50,000-alias
    read)."""
    return {
        name: field_adapter(model, name).validator.validate_python for name in model.model_fields
    }


@cache
def field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """A validator for one field of ``model``, with the field's ``Annotated`` normalisers."""
    info = model.model_fields[name]
    annotation: Any = info.annotation
    if info.metadata:
        annotation = Annotated[(annotation, *info.metadata)]
    return TypeAdapter(annotation)
