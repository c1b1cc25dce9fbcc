"""Domains (account scope): ``/account/{accountId}/domains``.

A domain's name is immutable (there is no rename). Settings are not documented; mailform
passes the ``settings`` mapping through and updates only the keys given, which the API
documents as partial ("settings that are omitted will not be altered").
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mailform.engine.fieldtypes import DomainName
from mailform.engine.objecttype import Declared, LiveObject, ObjectType
from mailform.luxsci.objects.base import DAILY_CREATE_LIMITS, ObjectApi, get_or_none


class DomainApi(ObjectApi):
    """createDomain, getDomainsReport, getDomainDetails, updateDomain, deleteDomain."""

    def list(self) -> list[dict[str, Any]]:
        """Every domain of the account, one call."""
        return self.client.get(self.client.account_path("domains")) or []

    def get(self, domain: str) -> dict[str, Any] | None:
        """One domain's details, or None."""
        return get_or_none(lambda: self.client.get(self.client.account_path("domains", domain)))

    def create(self, domain: str, settings: dict[str, Any] | None = None) -> dict[str, Any]:
        """Add a domain; answers the domain's row as the service reports it."""
        body: dict[str, Any] = {"domain": domain}
        if settings:
            body["settings"] = settings
        self.client.create(
            self.client.account_path("domains"), body, find_existing=lambda: self.get(domain)
        )
        return self.get(domain) or {"domain": domain, "settings": settings or {}}

    def update(self, domain: str, settings: dict[str, Any]) -> None:
        """Change the given settings; others are left as they are."""
        self.client.put(self.client.account_path("domains", domain), {"settings": settings})

    def delete(self, domain: str) -> None:
        """Remove a domain; the service refuses while users or aliases are in it."""
        self.client.delete(self.client.account_path("domains", domain))


SettingValue = str | int | float | bool


class Domain(Declared):
    """A domain of the account: mail for its addresses is handled by LuxSci."""

    domain: DomainName = Field(description="The domain name, e.g. example.com.")
    settings: dict[str, SettingValue] = Field(
        default_factory=dict,
        description="Domain settings by their API names; only the keys given are managed.",
    )


class DomainType(ObjectType[Domain]):
    """Domains: the root every address-bearing object depends on."""

    service = "luxsci"
    name = "domains"
    title = "Domain"
    model = Domain
    key_fields = ("domain",)
    daily_create_limit = DAILY_CREATE_LIMITS["domains"]

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        return [self._live(row) for row in domain_rows(session)]

    def create(self, session: Any, declared: Domain) -> LiveObject:
        row = DomainApi(session.client).create(declared.domain, declared.settings or None)
        session.forget(DOMAINS_CACHE)
        return self._live(row)

    def update(
        self, session: Any, live: LiveObject, declared: Domain, changed: set[str]
    ) -> LiveObject:
        DomainApi(session.client).update(live.api_id, declared.settings)
        session.forget(DOMAINS_CACHE)
        settings = {**live.fields.get("settings", {}), **declared.settings}
        return LiveObject(live.id, {**live.fields, "settings": settings}, live.api_id, live.raw)

    def delete(self, session: Any, live: LiveObject) -> None:
        DomainApi(session.client).delete(live.api_id)
        session.forget(DOMAINS_CACHE)

    def _live(self, row: dict[str, Any]) -> LiveObject:
        fields = {"domain": row["domain"], "settings": row.get("settings") or {}}
        fields = self.normalise_live(fields)
        return LiveObject(self.id_of(fields), fields, row["domain"], row)


DOMAINS_CACHE = ("luxsci", "domains")


def domain_rows(session: Any) -> list[dict[str, Any]]:
    """The domains report, read once per session (bounce domains read it too)."""
    return session.cached(DOMAINS_CACHE, DomainApi(session.client).list)


DOMAINS = DomainType()
