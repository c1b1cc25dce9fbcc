"""Custom bounce domains (account scope): ``POST /account/{accountId}/bounce_domain``.

Create is the API's only operation. A bounce domain is read back from its from-domain's row
in the domains report (the ``bounce_domain`` key), which is an assumption
(docs/api-assumptions.md). It cannot be changed or deleted through the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, model_validator

from mailform.engine.fieldtypes import DomainName
from mailform.engine.objecttype import (
    Declared,
    LiveObject,
    ObjectType,
    Operation,
    Reference,
)
from mailform.engine.outside import Dns, OutsideUnknown
from mailform.luxsci.objects.base import ObjectApi, find, same_address
from mailform.luxsci.objects.dkim import DKIM
from mailform.luxsci.objects.domain import DOMAINS, DOMAINS_CACHE, DomainApi, domain_rows


class BounceDomainApi(ObjectApi):
    """createCustomBounceDomain, and reading it back from the domains report."""

    def list(self) -> list[dict[str, Any]]:
        """Every configured bounce domain as ``{"bounce_domain", "from_domain"}`` rows."""
        return bounce_rows(DomainApi(self.client).list())

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


def bounce_rows(domain_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bounce domains carried by rows of the domains report."""
    return [
        {"bounce_domain": row["bounce_domain"], "from_domain": row.get("domain")}
        for row in domain_rows
        if row.get("bounce_domain")
    ]


class BounceDomain(Declared):
    """A custom bounce domain: bounces of mail from ``from_domain`` go to this subdomain.

    The API requires DKIM on the from domain and a CNAME from the bounce domain to a LuxSci
    target in DNS before the create; it cannot change or delete a bounce domain.
    """

    bounce_domain: DomainName = Field(description="The bounce subdomain, e.g. bounce.example.com.")
    from_domain: DomainName = Field(description="The declared domain mail is sent from.")

    @model_validator(mode="after")
    def _is_a_subdomain(self) -> BounceDomain:
        if not self.bounce_domain.endswith("." + self.from_domain):
            raise ValueError(
                f"bounce_domain {self.bounce_domain} must be a subdomain of "
                f"from_domain {self.from_domain}"
            )
        return self


class BounceDomainType(ObjectType[BounceDomain]):
    """Custom bounce domains: create-only."""

    service = "luxsci"
    name = "bounce_domains"
    title = "BounceDomain"
    model = BounceDomain
    key_fields = ("bounce_domain",)
    refers_to = (DOMAINS, DKIM)
    unique_fields = ("from_domain",)
    immutable = frozenset({"from_domain"})
    operations = frozenset({Operation.CREATE})
    missing_operation_hint = (
        "the LuxSci API can only create custom bounce domains; change or remove it in the "
        "LuxSci web interface"
    )

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        domain = fields["from_domain"]
        return [
            DOMAINS.reference(domain, field="from_domain"),
            DKIM.reference(domain, field="from_domain"),
        ]

    def outside_problems(self, declared: BounceDomain, dns: Dns) -> list[str]:
        """LuxSci creates a custom bounce domain only once its CNAME to one of LuxSci's
        targets is published (the targets are listed in the web interface, not the API)."""
        name = declared.bounce_domain
        try:
            target = dns.cname(name)
        except OutsideUnknown as error:
            return [f"cannot tell whether its CNAME is published: {error}"]
        if target is None:
            return [
                f"has no CNAME record, and LuxSci creates a bounce domain only once it has: "
                f"publish `{name}. CNAME <one of the targets in LuxSci's Custom Bounce "
                "Domains area>`, then plan again"
            ]
        return []

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        return [self._live(row) for row in bounce_rows(domain_rows(session))]

    def create(self, session: Any, declared: BounceDomain) -> LiveObject:
        row = BounceDomainApi(session.client).create(declared.bounce_domain, declared.from_domain)
        session.forget(DOMAINS_CACHE)
        return self._live(row)

    def _live(self, row: dict[str, Any]) -> LiveObject:
        fields = self.normalise_live(dict(row))
        return LiveObject(self.id_of(fields), fields, fields["bounce_domain"], row)


BOUNCE_DOMAINS = BounceDomainType()
