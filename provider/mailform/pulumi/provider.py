"""The dynamic provider: one generic ``ResourceProvider`` over the object-type descriptions.

Pulumi pickles the provider instance (with dill) into every resource's state and unpickles
it in the plugin process (``python -m pulumi.dynamic``). So the instance holds two plain
strings, the service and the object type's stack-file name, and pickles *by reference* to
this installed module: code fixes reach old resources at once, nothing changes in state
when the code does, and no credential or client is ever pickled (``__getstate__`` keeps it
that way even after ``configure``). Never rename or move ``ObjectProvider``: state written
by earlier versions names it.

Each method's contract, in the engine's terms (``docs/pulumi.md`` has the whole story):

- ``check``: validate with the model, normalise, leave preview unknowns alone;
- ``diff``: declared fields against the **old outputs** (``changes``), ignoring
  ``__provider``;
- ``create``: create, or adopt an existing object with the same natural key (Pulumi cannot
  import dynamic resources), finishing one that an interrupted ``up`` left half-made;
  id = the natural key joined with ``/``;
- ``update``: change what differs from the live object; answer the full output bag;
- ``read``: live outputs plus the declared subset as ``inputs`` (so refresh shows drift),
  ``ReadResult("", {})`` when the object is gone (refresh drops it);
- ``delete``: tolerate an object already gone; release, with a warning, objects the API
  cannot delete; refuse data-destroying deletes unless ``allowDeleteUsers`` is set.

Methods are synchronous and keep per-call state local: the plugin serves four calls at once
with one instance per object type. Errors name the object and the field, never a value of a
secret field: the engine shows an exception's whole traceback to the user.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from mailform.engine.diff import DeclaredObject, build_plan, field_changes, finishes_create
from mailform.engine.limits import Counted
from mailform.engine.objecttype import Declared, Key, LiveObject, ObjectType, Operation
from mailform.engine.plan import PlanProblem
from mailform.engine.service import Service
from mailform.engine.session import Session
from mailform.errors import ConfigurationError, MailformError
from mailform.http.baseurl import BaseUrlRefused
from mailform.pulumi import changes
from mailform.pulumi.connections import CONNECTIONS, INDEX, ExpiringSession
from mailform.pulumi.declarations import Declaration, Declarations, slot_of
from mailform.pulumi.neighbourhood import LiveIndex
from mailform.pulumi.properties import (
    DECLARED_AT,
    RESOURCE_NAME,
    Adopt,
    InputError,
    Properties,
    is_unknown,
)
from mailform.pulumi.settings import (
    ALLOW_DESTRUCTIVE,
    CREATE_LIMITS,
    ProviderSettings,
    config_environ,
    raw_config,
)

logger = logging.getLogger(__name__)


class ProviderError(MailformError):
    """A provider call cannot do what the program declares; the message says why and what
    to do about it."""


class ObjectProvider(ResourceProvider):
    """The Pulumi provider of one object type, named by ``service`` and ``type_name`` (the
    stack-file key, e.g. ``("luxsci", "aliases")``)."""

    serialize_as_secret_always = True

    def __init__(self, service: str, type_name: str) -> None:
        super().__init__()
        self.service = service
        self.type_name = type_name
        self._configured: dict[str, str] = {}

    # -- pickling: only the two names ----------------------------------------------------

    def __getstate__(self) -> dict[str, str]:
        return {"service": self.service, "type_name": self.type_name}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.service = state["service"]
        self.type_name = state["type_name"]
        self._configured = {}

    def __repr__(self) -> str:
        return f"ObjectProvider({self.service!r}, {self.type_name!r})"

    # -- what this provider serves -------------------------------------------------------

    @property
    def service_description(self) -> Service:
        """The service the object type belongs to."""
        from mailform.services import SERVICES

        return SERVICES[self.service]

    @property
    def object_type(self) -> ObjectType[Any]:
        """The description of the object type."""
        return self.service_description.type_named(self.type_name)

    @property
    def properties(self) -> Properties:
        """The property-bag rules of the object type."""
        return Properties(self.object_type)

    # -- the engine's calls --------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        """Keep the ``<service>:`` keys of the stack config (credentials, settings); the
        engine calls this once per process, after unpickling."""
        self._configured = config_environ(self.service, raw_config(req.config))

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate and normalise the program's inputs, and refuse, in the preview, what
        the API would refuse at ``up``: a change from the old inputs (the last
        declaration, or the account as the last refresh found it) that the API cannot make
        or that destroys data nobody allowed; an object another resource manages too; and,
        for a new resource, what the live account and the deployment's other new objects
        make impossible (``mailform.pulumi.declarations``). Before any of that, settings
        that must not reach the account: a base URL that would send the credentials in
        clear (``_connection_refusal``)."""
        checked = self.properties.check(news)
        failures = [CheckFailure(name, reason) for name, reason in checked.failures]
        if failures:
            return CheckResult(checked.inputs, failures)
        refused = self._connection_refusal()
        if refused:
            return CheckResult(
                checked.inputs, [CheckFailure(self.object_type.key_fields[-1], refused)]
            )
        new = not self.properties.declared_names(olds)
        reasons: list[str] = []
        if not new:
            reason = changes.refusal(self.properties, olds, checked.inputs)
            reason = reason or self._unallowed_destruction(olds, checked.inputs)
            reasons += [reason] if reason else []
        declaration = self._declaration(checked.inputs, new)
        if declaration is not None and not reasons:
            declarations = self._session().declarations
            reasons += self._deployment_problems(declarations, declaration)
            if new and not reasons:
                reasons += self._missing_references(declarations, declaration)
            if new and not reasons:
                reasons += self._account_problems(declarations, declaration)
                reasons += self.object_type.outside_problems(
                    declaration.obj.value, self._settings().dns
                )
            if reasons:
                declarations.withdraw(declaration)
        failures += [CheckFailure(self.object_type.key_fields[-1], r) for r in reasons]
        return CheckResult(checked.inputs, failures)

    def _connection_refusal(self) -> str | None:
        """Why the settings cannot reach the account at all, when that is so: a base URL
        that is no https URL, or plain http to another machine that ``insecureHttp`` does
        not allow. The preview fails there, before any request, with the message as the
        resource's check failure (an exception in ``check`` reaches the user as a crash of
        the plugin call). Incomplete credentials are left to the calls that need the
        account: a preview of unknown values needs none."""
        try:
            self._session()
        except BaseUrlRefused as refused:
            return str(refused)
        except ConfigurationError:
            return None
        return None

    def _declaration(self, inputs: dict[str, Any], new: bool) -> Declaration | None:
        """The resource's declared object, when every input is known and the resource's
        name was sent (resources of this version always send it)."""
        name = inputs.get(RESOURCE_NAME)
        if not isinstance(name, str) or any(is_unknown(value) for value in inputs.values()):
            return None
        try:
            declared = self.properties.declared(inputs)
        except InputError:
            return None
        return Declaration.named(name, DeclaredObject(self.object_type, declared), new)

    def _deployment_problems(
        self, declarations: Declarations, declaration: Declaration
    ) -> list[str]:
        """What the deployment's other resources make impossible: managing an object
        another resource manages, or claiming an address or unique value another
        declaration claims (``mailform.engine.clashes``)."""
        declared = declarations.declare(declaration)
        holder = declared.holder
        if holder is not None:
            return [
                f"{self.object_type.title} {'/'.join(declaration.obj.id.key)} is declared by "
                f"the resource {holder.resource!r} too; one object is managed by one "
                "resource: remove one of them"
            ]
        return [
            f"{clash.message} (the resource {other.resource!r})"
            for clash, other in declared.clashes
        ]

    def _missing_references(
        self, declarations: Declarations, declaration: Declaration
    ) -> list[str]:
        """The objects a new one needs (its domain, its group, its site) that neither exist
        in the account nor were declared by a resource of the stack before it: the create
        would fail at ``up``, or race the create of what it needs."""
        session = self._session()
        missing = []
        for reference in self.object_type.references(declaration.obj.fields):
            target = reference.target
            if not reference.required or declarations.holder(declaration.stack, target):
                continue
            target_type = self.service_description.type_named(target.type_name)
            owner = target_type.owner_of(dict(zip(target_type.key_fields, target.key, strict=True)))
            owners = frozenset({owner}) if owner else frozenset()
            try:
                live = self._read_shared(session, target_type, owners)
            except MailformError as error:
                return [f"cannot check it against the account: {error}"]
            if not any(obj.id == target for obj in live):
                missing.append(
                    f"{target_type.title} {'/'.join(target.key)} is not in "
                    "the account, and no resource of the stack declares it before this one: "
                    "declare it first, and pass its output (or depends_on) to this resource"
                )
        return missing

    def _account_problems(self, declarations: Declarations, declaration: Declaration) -> list[str]:
        """What the plan would refuse about creating (or adopting) this object, given the
        live account and the new objects the deployment declared before it: an address
        another type holds, a user that would be created without a password, a value
        another object keeps unique, a create budget or a domain's alias capacity that the
        new objects together exceed. Asked with the CLI plan's own rules (``build_plan``),
        so that a preview that passes does not fail at ``up``."""
        object_type = self.object_type
        owner = declaration.owner
        owners = frozenset({owner}) if owner else frozenset()
        # The rules about new objects read their own type and the types sharing its
        # namespace (a LuxSci address: users and aliases), not the whole account; and of
        # those, only the objects near this one (``mailform.pulumi.neighbourhood``).
        related = [
            other
            for other in self.service_description.object_types
            if other is object_type
            or (object_type.namespace and other.namespace == object_type.namespace)
        ]
        session = self._session()
        try:
            index = self._live_index(session, related, owners)
            limits = self._settings().create_limits
        except MailformError as error:
            return [f"cannot check it against the account: {error}"]
        budgeted = {
            f"{self.service}.{t.name}": t.name
            for t in self.service_description.object_types
            if t.daily_create_limit is not None
        }
        unknown = sorted(name for name in limits if name not in budgeted)
        if unknown:
            return [
                f"{self.service}:{CREATE_LIMITS} names {', '.join(unknown)}; the types with "
                f"a create limit are {', '.join(budgeted.values())}"
            ]
        earlier = [d for d in declarations.neighbours(declaration) if d.obj.object_type in related]
        near = {obj.id: obj for d in [*earlier, declaration] for obj in index.near(d.obj)}
        nearby = list(near.values())
        counted = self._counted_elsewhere(declarations, declaration, earlier, index, nearby)
        objects = [*(d.obj for d in earlier), declaration.obj]
        plan = build_plan(
            objects,
            nearby,
            self.service_description.object_types,
            create_limits=limits,
            counted=counted,
        )
        # Every problem is this object's doing: the others passed their own checks. One
        # about another object (a domain over its alias capacity) names that object.
        return [
            problem.message if problem.id == declaration.obj.id else self._about(problem)
            for problem in plan.problems
        ]

    def _counted_elsewhere(
        self,
        declarations: Declarations,
        declaration: Declaration,
        earlier: list[Declaration],
        index: LiveIndex,
        near: list[LiveObject],
    ) -> dict[str, Counted]:
        """What counts against the create budget of ``declaration``'s type besides
        ``earlier`` and ``near``: the creates of the deployment's other new resources of
        the type, and the account's recent creates of it that ``near`` leaves out."""
        object_type = self.object_type
        if declaration.obj.id in index.by_id:
            return {}  # adopted, not created
        creating = declarations.count_create(declaration)
        given = sum(1 for d in earlier if slot_of(d) in creating)
        recent = index.recent.get(object_type.name, 0) - index.recent_among(near, object_type)
        name = f"{self.service}.{object_type.name}"
        return {name: Counted(creates=len(creating) - given, recent=recent)}

    def _live_index(
        self, session: Session[Any], types: list[ObjectType[Any]], owners: frozenset[str]
    ) -> LiveIndex:
        """The live objects of ``types`` (of ``owners``), indexed once per read."""
        names = tuple(t.name for t in types)
        key = (INDEX, self.service, names, "near", tuple(sorted(owners)))

        def build() -> LiveIndex:
            live = [obj for t in types for obj in self._read_shared(session, t, owners)]
            return LiveIndex.of(live, types)

        return session.cached(key, build)

    def _about(self, problem: PlanProblem) -> str:
        title = self.service_description.type_named(problem.id.type_name).title
        return f"{title} {'/'.join(problem.id.key)}: {problem.message}"

    @staticmethod
    def _read_shared(
        session: Session[Any], object_type: ObjectType[Any], owners: frozenset[str]
    ) -> list[LiveObject]:
        """A type's live objects, read once while the list is fresh (``readCacheSeconds``)."""
        key = (INDEX, object_type.service, object_type.name, "all", tuple(sorted(owners)))
        return session.cached(key, lambda: object_type.read(session, owners))

    def _unallowed_destruction(self, olds: dict[str, Any], news: dict[str, Any]) -> str | None:
        """Why a replacement from ``olds`` to ``news`` may not happen: it destroys data
        (``ObjectType.destroys``) of a kind the stack config does not allow."""
        destroys = self.object_type.destroys
        if not destroys or self.type_name in self._settings().allowed_destructive:
            return None
        renaming = bool(self.object_type.rename_field and news.get(self.object_type.rename_field))
        change = changes.diff(self.properties, olds, news)
        if not change.replaces or renaming:
            return None
        key = "/".join(str(news.get(name)) for name in self.object_type.key_fields)
        return (
            f"{self.object_type.title} {key}: replacing it ({', '.join(change.replaces)}) "
            f"destroys {destroys}; add {self.type_name} to the stack config "
            f"{self.service}:{ALLOW_DESTRUCTIVE} to allow it, or declare a rename "
            "(renamed_from) where the key changed"
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the new inputs with the old outputs (``changes.diff``). Never fails: the
        engine's refresh asks the same question the other way round, and a refresh must
        always succeed and show the drift (``check`` refuses what cannot be done)."""
        change = changes.diff(self.properties, olds, news)
        return DiffResult(
            changes=change.changes,
            replaces=list(change.replaces),
            delete_before_replace=change.delete_before_replace,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the object, or adopt an existing one with the same natural key."""
        properties = self.properties
        object_type = properties.object_type
        declared, key, where, session, live = self._locate(props)
        if live is None:
            renamed = self._renamed(session, declared)
            if renamed is not None:
                return self._create_by_renaming(session, renamed, declared, props, where)
            if not object_type.supports(Operation.CREATE):
                raise ProviderError(
                    f"{where} does not exist, and {object_type.missing_operation_hint}"
                )
            with _reported(where):
                live = object_type.create(session, declared)
                if object_type.computed_on_create:
                    live = object_type.read_back(session, live, declared)
            logger.info("create: %s created", where)
        else:
            with _reported(where):
                live = self._adopt(session, live, declared, properties.adopt(props), where)
        managed = properties.managed_names(props)
        outs = properties.outputs(live, managed, props)
        return CreateResult(properties.id_of(key), outs)

    def _renamed(self, session: Session[Any], declared: Declared) -> LiveObject | None:
        """The live object a ``renamed_from`` names, when the type can rename and it is
        there: a Pulumi replacement of a renamed object renames it in place (keeping its
        contents) instead of creating a new one; the delete of the old name then finds
        nothing left to delete."""
        previous = self.object_type.previous_id(declared.model_dump())
        return None if previous is None else self._find(session, previous.key)

    def _create_by_renaming(
        self,
        session: Session[Any],
        old: LiveObject,
        declared: Declared,
        props: dict[str, Any],
        where: str,
    ) -> CreateResult:
        properties = self.properties
        changed = {change.name for change in field_changes(self.object_type, declared, old.fields)}
        with _reported(where):
            live = self._update(session, old, declared, changed, where)
        logger.info("create: %s renamed from %s", where, "/".join(old.id.key))
        key = self.object_type.key_of(declared.model_dump())
        outs = properties.outputs(live, properties.managed_names(props), props)
        return CreateResult(properties.id_of(key), outs)

    def _locate(
        self, props: dict[str, Any]
    ) -> tuple[Declared, Key, str, Session[Any], LiveObject | None]:
        """The declared object from ``props``, its natural key, its name for messages, the
        session, and the live object with that key (None when there is none)."""
        declared = self._declared(props)
        key = self.properties.object_type.key_of(declared.model_dump())
        session = self._session()
        return declared, key, self._where(key, props), session, self._find(session, key)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The live object: outputs, and the declared subset as inputs; gone → empty id."""
        properties = self.properties
        try:
            key = properties.key_of(props)
        except InputError as error:
            raise ProviderError(
                f"{self.object_type.title} {id_}: cannot read it: {error}"
            ) from None
        live = self._find(self._session(), key)
        if live is None:
            logger.info("read: %s is gone", self._where(key))
            return ReadResult("", {})
        managed = properties.old_managed(props)
        outs = properties.outputs(live, managed, props)
        inputs = properties.read_inputs(outs, managed)
        return ReadResult(properties.id_of(live.id.key), outs, inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Change what differs from the live object; answer every output."""
        properties = self.properties
        object_type = properties.object_type
        declared, _key, where, session, live = self._locate(news)
        if live is None:
            raise ProviderError(
                f"{where} no longer exists; run `pulumi refresh`, then `pulumi up` creates it"
            )
        changed = {change.name for change in field_changes(object_type, declared, live.fields)}
        stale_immutable = sorted(changed & object_type.immutable)
        if stale_immutable:
            raise ProviderError(
                f"{where}: {', '.join(stale_immutable)} changed outside Pulumi and cannot be "
                "changed in place; run `pulumi refresh`, then `pulumi up` replaces it"
            )
        changed |= set(changes.rotation(properties, olds, news))
        if changed:
            with _reported(where):
                live = self._update(session, live, declared, changed, where)
        outs = properties.outputs(live, properties.managed_names(news), news)
        return UpdateResult(outs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Delete the object; an object already gone is fine."""
        object_type = self.object_type
        key = self.properties.key_of(props)
        where = self._where(key)
        session = self._session()
        live = self._find(session, key)
        if live is None:
            logger.info("delete: %s is already gone", where)
            return
        successor = self._successor(session, live, props)
        if successor is not None:
            logger.warning(
                "delete: %s stays in the account: the resource %r of this deployment "
                "manages it now (give the renamed resource an `aliases` option to move it "
                "without this)",
                where,
                successor.resource,
            )
            return
        if not object_type.supports(Operation.DELETE):
            logger.warning(
                "delete: %s stays in the account, no longer managed by Pulumi: %s",
                where,
                object_type.missing_operation_hint or "the API cannot delete it",
            )
            return
        if object_type.destroys and self.type_name not in self._settings().allowed_destructive:
            raise ProviderError(
                f"{where} was not deleted: deleting it destroys {object_type.destroys}; add "
                f"{self.type_name} to the stack config {self.service}:{ALLOW_DESTRUCTIVE} "
                "(a comma-separated list) to allow it"
            )
        with _reported(where):
            object_type.delete(session, live)
        session.forget((INDEX,))
        logger.info("delete: %s deleted", where)

    @staticmethod
    def _successor(
        session: ExpiringSession, live: LiveObject, props: dict[str, Any]
    ) -> Declaration | None:
        """Another resource of the deployment that declared (and adopted) the object being
        deleted, if one did."""
        identity = props.get(RESOURCE_NAME)
        if not isinstance(identity, str):
            return None
        stack, _, resource = identity.partition("/")
        holder = session.declarations.holder(stack, live.id)
        return holder if holder is not None and holder.resource != resource else None

    # -- helpers -------------------------------------------------------------------------

    def _settings(self) -> ProviderSettings:
        return ProviderSettings.now(self.service, self._configured)

    def _session(self) -> ExpiringSession:
        return CONNECTIONS.session(self.service_description, self._settings())

    def _where(self, key: tuple[str, ...], props: Mapping[str, Any] | None = None) -> str:
        """The object in the user's words, after where it is declared when that is known
        (``stacks/dev.yaml:21:7: Alias sales@example.com``)."""
        name = f"{self.object_type.title} {'/'.join(key)}"
        declared_at = (props or {}).get(DECLARED_AT)
        return f"{declared_at}: {name}" if isinstance(declared_at, str) else name

    def _declared(self, props: dict[str, Any]) -> Declared:
        try:
            return self.properties.declared(props)
        except InputError as error:
            raise ProviderError(f"{self.object_type.title}: invalid inputs: {error}") from None

    def _find(self, session: Session[Any], key: tuple[str, ...]) -> LiveObject | None:
        """The live object with this natural key, from an index of the type's list that
        every call in the process shares while the list is fresh."""
        object_type = self.object_type
        owner = object_type.owner_of(dict(zip(object_type.key_fields, key, strict=True)))
        owners = frozenset({owner}) if owner else frozenset()

        def index() -> dict[tuple[str, ...], LiveObject]:
            return {obj.id.key: obj for obj in object_type.read(session, owners)}

        live_index = session.cached((INDEX, self.service, self.type_name, owner), index)
        return live_index.get(key)

    def _adopt(
        self,
        session: Session[Any],
        live: LiveObject,
        declared: Declared,
        adopt: Adopt,
        where: str,
    ) -> LiveObject:
        object_type = self.object_type
        if not live.managed:
            raise ProviderError(f"{where} exists, but is of a kind the API cannot manage")
        if adopt is Adopt.NEVER:
            raise ProviderError(
                f"{where} exists already (adopt: never); remove it, or set adopt to "
                "identical or update to manage it"
            )
        differences = field_changes(object_type, declared, live.fields)
        if not differences:
            logger.info("create: %s exists and matches; adopted", where)
            return live
        names = ", ".join(change.name for change in differences)
        # An `up` killed between a create's calls (a consent type created, not yet offered
        # on its sites) leaves no resource in state: this create finds the object as far as
        # the killed one got, and finishes it, as the CLI's re-run does (``finishes_create``:
        # it only adds what the object lacks), whatever ``adopt`` says short of "never".
        if finishes_create(object_type, differences):
            logger.info("create: %s exists as a stopped create left it; finishing %s", where, names)
            return self._update(session, live, declared, {c.name for c in differences}, where)
        if adopt is not Adopt.UPDATE:
            shown = "; ".join(
                f"{c.name}: live {_short(c.before)}, declared {_short(c.after)}"
                for c in differences
            )
            raise ProviderError(
                f"{where} exists already and differs ({shown}); declare it as it is, or set "
                "adopt: update to adopt it and update it"
            )
        immutable = sorted({c.name for c in differences} & object_type.immutable)
        if immutable:
            raise ProviderError(
                f"{where} exists already and differs in {', '.join(immutable)}, which cannot "
                "be changed in place; delete it first, or declare it as it is"
            )
        logger.info("create: %s exists; adopting it and updating %s", where, names)
        return self._update(session, live, declared, {c.name for c in differences}, where)

    def _update(
        self,
        session: Session[Any],
        live: LiveObject,
        declared: Declared,
        changed: set[str],
        where: str,
    ) -> LiveObject:
        object_type = self.object_type
        if not object_type.supports(Operation.UPDATE):
            raise ProviderError(
                f"{where} differs in {', '.join(sorted(changed))}, and "
                f"{object_type.missing_operation_hint or 'the API cannot change it in place'}"
            )
        updated = object_type.update(session, live, declared, changed)
        if object_type.computed_on_update:
            updated = object_type.read_back(session, updated, declared)
        session.forget((INDEX,))
        logger.info("update: %s updated (%s)", where, ", ".join(sorted(changed)))
        return updated


@contextmanager
def _reported(where: str) -> Iterator[None]:
    """An API failure as the user needs to read it: the object, where it is declared, and
    the API's own message (which never holds a secret)."""
    try:
        yield
    except ProviderError:
        raise
    except MailformError as error:
        raise ProviderError(f"{where}: {error}") from None


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
