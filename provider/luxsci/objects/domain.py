"""Domains (account scope): ``/account/{accountId}/domains``.

A domain's name is immutable (there is no rename). Settings are not documented; mailform
passes the ``settings`` mapping through and updates only the keys given, which the API
documents as partial ("settings that are omitted will not be altered").
"""

from __future__ import annotations

from typing import Any

from provider.luxsci.objects.base import ObjectApi, get_or_none


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


def domain_of(address: str) -> str:
    """The domain part of an email address, lowercased."""
    return address.rpartition("@")[2].lower()
