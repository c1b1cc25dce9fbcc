"""Dedicated servers (account scope): list, status and the sending rate.

Servers are provisioned by LuxSci; the API cannot create or delete them. ``serverId`` in a
path is the numeric ``server_id`` or the short host number (``999`` for ``rs999``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from mailform.engine.objecttype import Declared, LiveObject, ObjectType, Operation
from mailform.errors import IncompleteDeclaration
from mailform.luxsci.objects.base import ObjectApi


class ServerApi(ObjectApi):
    """getServers, getServerStatus, setServerSendngRate (sic)."""

    def list(self) -> list[dict[str, Any]]:
        """Every dedicated server of the account, one call (empty without any)."""
        return self.client.get(self.client.account_path("servers")) or []

    def status(self, server_id: int | str) -> dict[str, Any]:
        """A server's row plus its queue counters, read from the server itself (this call
        fails when the server is overloaded or down)."""
        return self.client.get(self.client.account_path("server", server_id))

    def set_sending_rate(
        self, server_id: int | str, rate: int, *, auto_warmup: bool | None = None
    ) -> None:
        """Set the processing rate in messages per hour (0 = no throttling) and,
        optionally, automatic IP warm-up."""
        body: dict[str, Any] = {"rate": rate}
        if auto_warmup is not None:
            body["auto_warmup"] = auto_warmup
        self.client.put(self.client.account_path("server", server_id, "sending_rate"), body)


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


class ServerSendingRateType(ObjectType[ServerSendingRate]):
    """Sending rates: servers are provisioned by LuxSci, so there is nothing to create or
    delete; a server the file does not declare keeps its rate."""

    service = "luxsci"
    name = "servers"
    title = "ServerSendingRate"
    model = ServerSendingRate
    key_fields = ("host",)
    operations = frozenset({Operation.UPDATE})
    missing_operation_hint = (
        "dedicated servers are provisioned by LuxSci; a declared host must be one of the "
        "account's servers"
    )

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        rows = session.cached(("luxsci", "servers"), ServerApi(session.client).list)
        return [self._live(row) for row in rows]

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
        ServerApi(session.client).set_sending_rate(live.api_id, rate, auto_warmup=warmup)
        session.forget(("luxsci", "servers"))
        values = {"rate": rate} | ({"auto_warmup": warmup} if warmup is not None else {})
        return LiveObject(live.id, {**live.fields, **values}, live.api_id, live.raw)

    def _live(self, row: dict[str, Any]) -> LiveObject:
        fields = {
            "host": row.get("host"),
            "rate": row.get("sending_rate"),
            "auto_warmup": row.get("auto_warmup"),
        }
        fields = self.normalise_live(fields)
        return LiveObject(self.id_of(fields), fields, row.get("server_id"), row)


SERVERS = ServerSendingRateType()
