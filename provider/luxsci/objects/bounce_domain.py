"""Custom bounce domains (account scope): ``POST /account/{accountId}/bounce_domain``.

Create is the API's only operation. A bounce domain is read back from its from-domain's row
in the domains report (the ``bounce_domain`` key), which is an assumption
(docs/api-assumptions.md). It cannot be changed or deleted through the API.
"""

from __future__ import annotations

from typing import Any

from provider.luxsci.objects.base import ObjectApi, find, same_address
from provider.luxsci.objects.domain import DomainApi


class BounceDomainApi(ObjectApi):
    """createCustomBounceDomain, and reading it back from the domains report."""

    def list(self) -> list[dict[str, Any]]:
        """Every configured bounce domain as ``{"bounce_domain", "from_domain"}`` rows."""
        return [
            {"bounce_domain": row["bounce_domain"], "from_domain": row.get("domain")}
            for row in DomainApi(self.client).list()
            if row.get("bounce_domain")
        ]

    def get(self, bounce_domain: str) -> dict[str, Any] | None:
        """The bounce domain's row, or None."""
        return find(self.list(), lambda row: same_address(row["bounce_domain"], bounce_domain))

    def create(self, bounce_domain: str, from_domain: str) -> dict[str, Any]:
        """Use ``bounce_domain`` (a subdomain of ``from_domain``, which must have DKIM) for
        bounces of mail sent from ``from_domain``."""
        self.client.create(
            self.client.account_path("bounce_domain"),
            {"bounce_domain": bounce_domain, "from_domain": from_domain},
            find_existing=lambda: self.get(bounce_domain),
        )
        return {"bounce_domain": bounce_domain, "from_domain": from_domain}
