"""Email aliases (account scope): ``/account/{accountId}/aliases``.

An alias is identified by its address; there is no rename. Only ``regular`` aliases can be
updated (catch-alls, user forwards and WebAide group lists cannot), and the update is
partial. Users and aliases share one address namespace.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from mailform.engine.fieldtypes import AddressSet, EmailAddress, domain_of
from mailform.engine.objecttype import (
    AccountAfter,
    Declared,
    LiveObject,
    ObjectId,
    ObjectType,
    Reference,
)
from mailform.luxsci.objects.base import DAILY_CREATE_LIMITS, ObjectApi, created_at, get_or_none
from mailform.luxsci.objects.domain import DOMAINS

#: Fields the update call accepts.
UPDATABLE_FIELDS = ("dest", "action", "bounce", "status")


class AliasApi(ObjectApi):
    """createAlias, getAliasesReport, getAliasDetails, updateAlias, deleteAlias."""

    def list(self) -> list[dict[str, Any]]:
        """Every alias of the account (all kinds), one call."""
        return self.client.get(self.client.account_path("aliases")) or []

    def get(self, address: str) -> dict[str, Any] | None:
        """One alias, or None."""
        return get_or_none(lambda: self.client.get(self.client.account_path("aliases", address)))

    def create(
        self,
        address: str,
        *,
        dest: list[str] | None = None,
        action: str = "email",
        bounce: str | None = None,
        status: str | None = None,
    ) -> dict[str, Any]:
        """Create a regular alias; answers its row."""
        user, _, domain = address.partition("@")
        body: dict[str, Any] = {
            "user": user,
            "domain": domain,
            "dest": dest or [],
            "action": action,
        }
        if bounce is not None:
            body["bounce"] = bounce
        if status is not None:
            body["status"] = status
        self.client.create(
            self.client.account_path("aliases"), body, find_existing=lambda: self.get(address)
        )
        return self.get(address) or {"alias": address, **body}

    def update(self, address: str, **fields: Any) -> None:
        """Change some of ``dest``, ``action``, ``bounce``, ``status`` (others untouched)."""
        unknown = set(fields) - set(UPDATABLE_FIELDS)
        if unknown:
            raise ValueError(f"aliases cannot update {sorted(unknown)}; only {UPDATABLE_FIELDS}")
        self.client.put(self.client.account_path("aliases", address), fields)

    def delete(self, address: str) -> None:
        """Remove an alias."""
        self.client.delete(self.client.account_path("aliases", address))


class Alias(Declared):
    """A regular email alias: mail to ``alias`` is forwarded to ``dest`` or bounced."""

    alias: EmailAddress = Field(description="The alias address; its domain must be declared.")
    dest: AddressSet = Field(default_factory=list, description="Addresses mail is forwarded to.")
    action: Literal["email", "bounce"] = Field(
        default="email", description="email: forward to dest; bounce: refuse with `bounce`."
    )
    bounce: str | None = Field(default=None, description="The bounce text, for action bounce.")
    status: Literal["enabled", "disabled"] = Field(default="enabled")


class AliasType(ObjectType[Alias]):
    """Aliases: regular ones are managed; catch-alls, user forwards and WebAide group lists
    are reported but cannot be managed through the API."""

    service = "luxsci"
    name = "aliases"
    title = "Alias"
    model = Alias
    key_fields = ("alias",)
    refers_to = (DOMAINS,)
    namespace = "addresses"
    daily_create_limit = DAILY_CREATE_LIMITS["aliases"]

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        domain = domain_of(fields["alias"])
        return [DOMAINS.reference(domain, field="alias", blocks_delete=True)]

    def created_at(self, live: LiveObject) -> float | None:
        return created_at(live)

    def capacity_problems(self, after: AccountAfter) -> list[tuple[ObjectId, str]]:
        """A domain holds at most 100 aliases plus 10 per user in it (LuxSci's documented
        default); checked for the domains the plan adds aliases to."""
        grown = {domain_of(fields["alias"]) for fields in after.created_of("luxsci", "aliases")}
        if not grown:
            return []
        users = Counter(domain_of(fields["user"]) for fields in after.of("luxsci", "users"))
        aliases = Counter(domain_of(fields["alias"]) for fields in after.of("luxsci", "aliases"))
        problems = []
        for domain in sorted(grown):
            cap = ALIAS_CAP_BASE + ALIAS_CAP_PER_USER * users[domain]
            if aliases[domain] > cap:
                problems.append(
                    (
                        DOMAINS.object_id(domain),
                        f"would hold {aliases[domain]} aliases after the plan, and a domain "
                        f"holds at most {cap} ({ALIAS_CAP_BASE} plus {ALIAS_CAP_PER_USER} per "
                        f"user, {users[domain]} users): declare fewer aliases, or more users",
                    )
                )
        return problems

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        rows = session.cached(ALIASES_CACHE, AliasApi(session.client).list)
        return [self._live(row) for row in rows]

    def create(self, session: Any, declared: Alias) -> LiveObject:
        row = AliasApi(session.client).create(
            declared.alias,
            dest=declared.dest,
            action=declared.action,
            bounce=declared.bounce,
            status=declared.status,
        )
        session.forget(ALIASES_CACHE)
        return self._live(row)

    def update(
        self, session: Any, live: LiveObject, declared: Alias, changed: set[str]
    ) -> LiveObject:
        values = {name: getattr(declared, name) for name in sorted(changed)}
        AliasApi(session.client).update(live.api_id, **values)
        session.forget(ALIASES_CACHE)
        return LiveObject(live.id, {**live.fields, **values}, live.api_id, live.raw)

    def delete(self, session: Any, live: LiveObject) -> None:
        AliasApi(session.client).delete(live.api_id)
        session.forget(ALIASES_CACHE)

    def _live(self, row: dict[str, Any]) -> LiveObject:
        address = row.get("alias") or f"{row.get('user')}@{row.get('domain')}"
        fields = {
            "alias": address,
            "dest": row.get("dest") or [],
            "action": row.get("action"),
            "bounce": row.get("bounce") or None,
            "status": row.get("status"),
        }
        fields = self.normalise_live(fields)
        regular = row.get("type", "regular") == "regular"
        return LiveObject(self.id_of(fields), fields, address, row, managed=regular)


ALIASES_CACHE = ("luxsci", "aliases")
#: LuxSci's documented default cap of aliases in a domain: 100, plus 10 per user in it.
ALIAS_CAP_BASE = 100
ALIAS_CAP_PER_USER = 10
ALIASES = AliasType()
