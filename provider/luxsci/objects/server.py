"""Dedicated servers (account scope): list, status and the sending rate.

Servers are provisioned by LuxSci; the API cannot create or delete them. ``serverId`` in a
path is the numeric ``server_id`` or the short host number (``999`` for ``rs999``).
"""

from __future__ import annotations

from typing import Any

from provider.luxsci.objects.base import ObjectApi


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
