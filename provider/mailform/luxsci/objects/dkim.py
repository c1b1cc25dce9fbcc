"""DKIM (account scope): ``/account/{accountId}/dkim``. Create, list, get and delete only:
there is no update, so every field is immutable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from mailform.engine.fieldtypes import DomainName
from mailform.engine.objecttype import (
    Declared,
    LiveObject,
    ObjectType,
    Operation,
    Reference,
)
from mailform.luxsci.objects.base import ObjectApi, get_or_none
from mailform.luxsci.objects.domain import DOMAINS


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


class Dkim(Declared):
    """DKIM signing for a domain of the account. LuxSci generates the key; the answer
    carries the DNS record to publish (``dns_name``, ``dns_value``)."""

    domain: DomainName = Field(description="The domain to sign mail for; a declared domain.")


class DkimType(ObjectType[Dkim]):
    """DKIM configurations: create and delete only; everything is immutable."""

    service = "luxsci"
    name = "dkim"
    title = "Dkim"
    model = Dkim
    key_fields = ("domain",)
    refers_to = (DOMAINS,)
    operations = frozenset({Operation.CREATE, Operation.DELETE})
    computed = ("selector", "dns_name", "dns_value")

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        return [DOMAINS.reference(fields["domain"], field="domain")]

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        rows = session.cached(DKIM_CACHE, DkimApi(session.client).list)
        return [self._live(row) for row in rows]

    def create(self, session: Any, declared: Dkim) -> LiveObject:
        row = DkimApi(session.client).create(declared.domain)
        session.forget(DKIM_CACHE)
        return self._live(row)

    def delete(self, session: Any, live: LiveObject) -> None:
        DkimApi(session.client).delete(live.api_id)
        session.forget(DKIM_CACHE)

    def _live(self, row: dict[str, Any]) -> LiveObject:
        fields = self.normalise_live({"domain": row["domain"]})
        return LiveObject(self.id_of(fields), fields, row["domain"], row)


DKIM_CACHE = ("luxsci", "dkim")
DKIM = DkimType()
