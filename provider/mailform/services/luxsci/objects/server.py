"""Dedicated servers (account scope): getServers and setServerSendngRate (sic).

Servers are provisioned by LuxSci; the API cannot create or delete them. ``serverId`` in a
path is the numeric ``server_id`` or the short host number (``999`` for ``rs999``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from mailform.engine.objecttype import Declared, LiveObject, Operation
from mailform.errors import IncompleteDeclaration
from mailform.services.luxsci.objects.rest import Endpoint, RestType

if TYPE_CHECKING:
    from mailform.services.luxsci.client import LuxSciClient


class ServerSendingRate(Declared):
    """The sending rate of a dedicated server (IP warm-up and throttling)."""

    host: str = Field(description="The server's short host name, e.g. rs999.")
    rate: int | None = Field(
        default=None, description="Messages processed per hour; 0 means no throttling."
    )
    auto_warmup: bool | None = Field(default=None, description="Automatic IP warm-up.")

    @field_validator("host")
    @classmethod
    def _short_host(cls, host: str) -> str:
        return host.strip().lower().split(".")[0]

    @field_validator("rate")
    @classmethod
    def _unthrottled_is_zero(cls, rate: int | None) -> int | None:
        if rate is not None and rate < -1:
            raise ValueError("rate is messages per hour: 0 (or -1) for no throttling, or more")
        return 0 if rate == -1 else rate


class ServerSendingRateType(RestType[ServerSendingRate]):
    """Sending rates: servers are provisioned by LuxSci, so there is nothing to create or
    delete; a server the file does not declare keeps its rate."""

    name = "servers"
    key_fields = ("host",)
    operations = frozenset({Operation.UPDATE})
    missing_operation_hint = (
        "dedicated servers are provisioned by LuxSci; a declared host must be one of the "
        "account's servers"
    )
    endpoint = Endpoint("account", "servers", id_field="server_id", item="server", detail=True)
    wire_fields = ("host", "auto_warmup")
    read_fields = ("sending_rate",)

    def row_fields(self, session: Any, owner: str | None, row: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().row_fields(session, owner, row), "rate": row.get("sending_rate")}

    def change_problem(
        self, live_fields: Mapping[str, Any], declared: ServerSendingRate, changed: set[str]
    ) -> str | None:
        if "rate" not in changed and live_fields.get("rate") is None:
            return (
                "the API sets the rate and the warm-up together, and the server's current "
                "rate is not known: declare rate too (sending none would remove throttling)"
            )
        return None

    def update(
        self, session: Any, live: LiveObject, declared: ServerSendingRate, changed: set[str]
    ) -> LiveObject:
        rate = declared.rate if "rate" in changed else live.fields.get("rate")
        if rate is None:  # never 0 by default: that would remove throttling
            raise IncompleteDeclaration(
                f"server {live.fields['host']}: its current rate is not known; declare rate"
            )
        warmup = declared.auto_warmup if "auto_warmup" in changed else None
        set_sending_rate(session.client, live.api_id, rate, auto_warmup=warmup)
        self.forget(session, None)
        values = {"rate": rate} | ({"auto_warmup": warmup} if warmup is not None else {})
        return LiveObject(live.id, {**live.fields, **values}, live.api_id, live.raw)


def set_sending_rate(
    client: LuxSciClient, server_id: int | str, rate: int, *, auto_warmup: bool | None = None
) -> None:
    """setServerSendngRate (sic): the processing rate in messages per hour (0 = no
    throttling) and, optionally, automatic IP warm-up, always together."""
    body: dict[str, Any] = {"rate": rate}
    if auto_warmup is not None:
        body["auto_warmup"] = auto_warmup
    client.put(client.account_path("server", server_id, "sending_rate"), body)


SERVERS = ServerSendingRateType()
