"""Dedicated servers: provisioned by LuxSci (seeded here), addressed by id or host number."""

from __future__ import annotations

from mailform.sandbox.server import SandboxApp
from tests.sandbox.caller import Caller, failure

SERVERS = """
luxsci:
  servers:
    - {host: rs999, rate: 1000}
    - {host: rs1001}
sandbox:
  luxsci:
    servers:
      - {host: rs999, server_id: 197890, mail_queue_trying: 3, mail_queue_unprocessed: 7}
"""


def test_servers_are_listed_with_ids_assigned_by_the_server(
    app: SandboxApp, luxsci: Caller
) -> None:
    app.seed(SERVERS)
    rows = luxsci.data(luxsci.get(f"{luxsci.acct}/servers"))
    assert rows[0] == {
        "server_id": 197890,
        "host": "rs999",
        "hostname": "rs999.luxsci.com",
        "sending_rate": 1000,
        "auto_warmup": False,
    }
    assert rows[1]["host"] == "rs1001" and rows[1]["server_id"] == 197891
    assert rows[1]["sending_rate"] == 0


def test_server_status_by_numeric_id_or_short_host_number(app: SandboxApp, luxsci: Caller) -> None:
    app.seed(SERVERS)
    by_id = luxsci.data(luxsci.get(f"{luxsci.acct}/server/197890"))
    by_host = luxsci.data(luxsci.get(f"{luxsci.acct}/server/999"))
    assert by_id == by_host
    assert (by_id["host"], by_id["mail_queue_trying"], by_id["mail_queue_unprocessed"]) == (
        "rs999", 3, 7,
    )  # fmt: skip
    assert failure(luxsci.get(f"{luxsci.acct}/server/12"), 404)
    assert failure(luxsci.get(f"{luxsci.acct}/server/rs999"), 404)


def test_set_the_sending_rate(app: SandboxApp, luxsci: Caller) -> None:
    app.seed(SERVERS)
    path = f"{luxsci.acct}/server/999/sending_rate"
    row = luxsci.data(luxsci.put(path, {"rate": 500, "auto_warmup": True}))
    assert (row["sending_rate"], row["auto_warmup"]) == (500, True)
    row = luxsci.data(luxsci.put(path, {"rate": "-1"}))
    assert (row["sending_rate"], row["auto_warmup"]) == (-1, True)
    assert failure(luxsci.put(path, {"rate": -5}), 400)
    assert failure(luxsci.put(path, {"rate": "fast"}), 400)
    assert failure(luxsci.put(path, {}), 400)


def test_empty_the_queues(app: SandboxApp, luxsci: Caller) -> None:
    app.seed(SERVERS)
    base = f"{luxsci.acct}/server/197890"
    luxsci.data(luxsci.delete(f"{base}/sending_queues"))
    status = luxsci.data(luxsci.get(base))
    assert (status["mail_queue_trying"], status["mail_queue_unprocessed"]) == (0, 7)
    luxsci.data(luxsci.delete(f"{base}/sending_queues/all"))
    status = luxsci.data(luxsci.get(base))
    assert (status["mail_queue_trying"], status["mail_queue_unprocessed"]) == (0, 0)


def test_servers_cannot_be_created_or_deleted(app: SandboxApp, luxsci: Caller) -> None:
    app.seed(SERVERS)
    assert failure(luxsci.post(f"{luxsci.acct}/servers", {"host": "rs5"}), 405)
    assert failure(luxsci.delete(f"{luxsci.acct}/server/999"), 405)
