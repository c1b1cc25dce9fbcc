"""Email aliases (account scope): ``/account/{accountId}/aliases``.

An alias is identified by its address; there is no rename. Only ``regular`` aliases can be
updated (catch-alls, user forwards and WebAide group lists cannot), and the update is
partial. Users and aliases share one address namespace.
"""

from __future__ import annotations

from typing import Any

from provider.luxsci.objects.base import ObjectApi, get_or_none

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
