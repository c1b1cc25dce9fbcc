"""Domains (account scope): createDomain, getDomainsReport, updateDomain, deleteDomain under
``/account/{accountId}/domains``.

A domain's name is immutable (there is no rename). Settings are not documented; mailform
passes the ``settings`` mapping through and updates only the keys given, which the API
documents as partial ("settings that are omitted will not be altered"). The service refuses
to delete a domain while users or aliases are in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from mailform.engine.fieldtypes import DomainName
from mailform.engine.objecttype import Declared
from mailform.services.luxsci.objects.base import DAILY_CREATE_LIMITS
from mailform.services.luxsci.objects.rest import Endpoint, RestType

SettingValue = str | int | float | bool


class Domain(Declared):
    """A domain of the account: mail for its addresses is handled by LuxSci."""

    domain: DomainName = Field(description="The domain name, e.g. example.com.")
    settings: dict[str, SettingValue] = Field(
        default_factory=dict,
        description="Domain settings by their API names; only the keys given are managed.",
    )


class DomainType(RestType[Domain]):
    """Domains: the root every address-bearing object depends on."""

    name = "domains"
    key_fields = ("domain",)
    daily_create_limit = DAILY_CREATE_LIMITS["domains"]
    endpoint = Endpoint("account", "domains", id_field="domain", detail=True)
    wire_fields = ("domain", "settings")

    def row_fields(self, session: Any, owner: str | None, row: Mapping[str, Any]) -> dict[str, Any]:
        return {"domain": row["domain"], "settings": row.get("settings") or {}}

    def body(
        self, session: Any, declared: Domain, live_row: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"domain": declared.domain}
        if declared.settings:
            body["settings"] = declared.settings
        return body

    def updated_row(self, row: Mapping[str, Any], sent: Mapping[str, Any]) -> dict[str, Any]:
        """Settings are updated key by key: the others stay as they were."""
        return {**row, "settings": {**(row.get("settings") or {}), **sent.get("settings", {})}}


DOMAINS = DomainType()
