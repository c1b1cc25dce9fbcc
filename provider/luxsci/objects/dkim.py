"""DKIM (account scope): ``/account/{accountId}/dkim``. Create, list, get and delete only:
there is no update, so every field is immutable."""

from __future__ import annotations

from typing import Any

from provider.luxsci.objects.base import ObjectApi, get_or_none


class DkimApi(ObjectApi):
    """createDkim, getDkimReport, getDkimDetails, deleteDkim."""

    def list(self) -> list[dict[str, Any]]:
        """Every DKIM configuration of the account, one call."""
        return self.client.get(self.client.account_path("dkim")) or []

    def get(self, domain: str) -> dict[str, Any] | None:
        """The DKIM configuration of ``domain`` (selector and DNS record to publish), or None."""
        return get_or_none(lambda: self.client.get(self.client.account_path("dkim", domain)))

    def create(self, domain: str) -> dict[str, Any]:
        """Configure DKIM for a domain of the account; answers the new configuration."""
        self.client.create(
            self.client.account_path("dkim"),
            {"domain": domain},
            find_existing=lambda: self.get(domain),
        )
        return self.get(domain) or {"domain": domain}

    def delete(self, domain: str) -> None:
        """Remove a domain's DKIM configuration."""
        self.client.delete(self.client.account_path("dkim", domain))
