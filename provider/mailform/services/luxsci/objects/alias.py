"""Email aliases (account scope): createAlias, getAliasesReport, updateAlias (partial),
deleteAlias under ``/account/{accountId}/aliases``.

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
    Reference,
)
from mailform.services.luxsci.objects.base import DAILY_CREATE_LIMITS, created_at
from mailform.services.luxsci.objects.domain import DOMAINS
from mailform.services.luxsci.objects.rest import Endpoint, RestType


class Alias(Declared):
    """A regular email alias: mail to ``alias`` is forwarded to ``dest`` or bounced."""

    alias: EmailAddress = Field(description="The alias address; its domain must be declared.")
    dest: AddressSet = Field(default_factory=list, description="Addresses mail is forwarded to.")
    action: Literal["email", "bounce"] = Field(
        default="email", description="email: forward to dest; bounce: refuse with `bounce`."
    )
    bounce: str | None = Field(default=None, description="The bounce text, for action bounce.")
    status: Literal["enabled", "disabled"] = Field(default="enabled")


class AliasType(RestType[Alias]):
    """Aliases: regular ones are managed; catch-alls, user forwards and WebAide group lists
    are reported but cannot be managed through the API."""

    name = "aliases"
    key_fields = ("alias",)
    refers_to = (DOMAINS,)
    capacity_parent = DOMAINS
    namespace = "addresses"
    daily_create_limit = DAILY_CREATE_LIMITS["aliases"]
    endpoint = Endpoint("account", "aliases", id_field="alias", detail=True)
    wire_fields = ("dest", "action", "bounce", "status")
    read_fields = ("type", "created")

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

    def api_id(self, row: Mapping[str, Any]) -> Any:
        """The alias address (rows may carry it split as ``user`` and ``domain``)."""
        return row.get("alias") or f"{row.get('user')}@{row.get('domain')}"

    def row_fields(self, session: Any, owner: str | None, row: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "alias": self.api_id(row),
            "dest": row.get("dest") or [],
            "action": row.get("action"),
            "bounce": row.get("bounce") or None,
            "status": row.get("status"),
        }

    def body(
        self, session: Any, declared: Alias, live_row: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """A create names the address as ``user`` and ``domain``."""
        user, _, domain = declared.alias.partition("@")
        body: dict[str, Any] = {
            "user": user,
            "domain": domain,
            "dest": declared.dest or [],
            "action": declared.action,
        }
        body.update({n: getattr(declared, n) for n in ("bounce", "status") if getattr(declared, n)})
        return body

    def is_managed(self, row: Mapping[str, Any]) -> bool:
        """Catch-alls, user forwards and WebAide group lists cannot be managed."""
        return str(row.get("type", "regular")) == "regular"


#: LuxSci's documented default cap of aliases in a domain: 100, plus 10 per user in it.
ALIAS_CAP_BASE = 100
ALIAS_CAP_PER_USER = 10
ALIASES = AliasType()
