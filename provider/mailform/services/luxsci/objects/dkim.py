"""DKIM (account scope): createDkim, getDkimReport, deleteDkim under
``/account/{accountId}/dkim``. There is no update, so every field is immutable. LuxSci
generates the key; the row carries the DNS record to publish."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from mailform.engine.fieldtypes import DomainName
from mailform.engine.objecttype import Declared, Operation, Reference
from mailform.services.luxsci.objects.domain import DOMAINS
from mailform.services.luxsci.objects.rest import Endpoint, RestType


class Dkim(Declared):
    """DKIM signing for a domain of the account. LuxSci generates the key; the answer
    carries the DNS record to publish (``dns_name``, ``dns_value``)."""

    domain: DomainName = Field(description="The domain to sign mail for; a declared domain.")


class DkimType(RestType[Dkim]):
    """DKIM configurations: create and delete only."""

    name = "dkim"
    key_fields = ("domain",)
    refers_to = (DOMAINS,)
    operations = frozenset({Operation.CREATE, Operation.DELETE})
    computed = ("selector", "dns_name", "dns_value")
    endpoint = Endpoint("account", "dkim", id_field="domain", detail=True)
    wire_fields = ("domain",)

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        return [DOMAINS.reference(fields["domain"], field="domain")]


DKIM = DkimType()
