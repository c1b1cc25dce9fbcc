"""Custom bounce domains (account scope): createCustomBounceDomain,
``POST /account/{accountId}/bounce_domain``.

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
    Operation,
    Reference,
)
from mailform.engine.outside import Dns, OutsideUnknown
from mailform.services.luxsci.objects.dkim import DKIM
from mailform.services.luxsci.objects.domain import DOMAINS
from mailform.services.luxsci.objects.rest import Endpoint, RestType


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


class BounceDomainType(RestType[BounceDomain]):
    """Custom bounce domains: create-only."""

    name = "bounce_domains"
    key_fields = ("bounce_domain",)
    refers_to = (DOMAINS, DKIM)
    unique_fields = ("from_domain",)
    immutable = frozenset({"from_domain"})
    operations = frozenset({Operation.CREATE})
    missing_operation_hint = (
        "the LuxSci API can only create custom bounce domains; change or remove it in the "
        "LuxSci web interface"
    )
    endpoint = Endpoint("account", "bounce_domain", id_field="bounce_domain")
    wire_fields = ("bounce_domain", "from_domain")

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

    def listing(self) -> Endpoint:
        """The domains report: its rows carry each domain's bounce domain."""
        return DOMAINS.endpoint

    def answer_fields(self) -> tuple[str, ...]:
        """A domain row's name and its ``bounce_domain`` (empty when it has none)."""
        return ("domain", "bounce_domain")

    def rows(self, session: Any, owner: str | None) -> list[dict[str, Any]]:
        """Read from the domains report, which carries each domain's bounce domain."""
        return bounce_rows(DOMAINS.rows(session, None))

    def fresh_rows(self, session: Any, owner: str | None) -> list[dict[str, Any]]:
        return bounce_rows(DOMAINS.fresh_rows(session, None))

    def forget(self, session: Any, owner: str | None) -> None:
        DOMAINS.forget(session, None)

    def amend(self, session: Any, owner: str | None, change: Any) -> None:
        self.forget(session, owner)


BOUNCE_DOMAINS = BounceDomainType()
