"""Doctor's guard refuses every request that is not a read before it is sent, whatever the
code asks for; its recorder keeps each answer as the server sent it."""

from __future__ import annotations

import httpx
import pytest

from mailform.assumptions import lianamailer, luxsci
from mailform.assumptions.base import Observed
from mailform.doctor.watch import ReadOnlyViolation, Watch


@pytest.mark.parametrize(
    ("method", "path", "read"),
    [
        ("GET", "/perl/api/v2/account/1/aliases", True),
        ("GET", "/perl/api/v2/user/ann@example.com/templates", True),
        ("GET", "/perl/api/v2/user/ann%40example.com/templates", True),
        ("POST", "/perl/api/v2/auth", True),
        ("DELETE", "/perl/api/v2/auth", True),
        ("POST", "/perl/api/v2/account/1/aliases", False),
        ("PUT", "/perl/api/v2/account/1/aliases/sales@example.com", False),
        ("DELETE", "/perl/api/v2/account/1/domains/example.com", False),
        ("GET", "/elsewhere", False),
        ("GET", "/perl/api/v2/../../elsewhere", True),  # a GET, whatever it names
    ],
)
def test_luxsci_reads_are_gets_and_the_session_calls(method: str, path: str, read: bool) -> None:
    assert luxsci.is_read(method, path) is read


@pytest.mark.parametrize(
    ("method", "path", "read"),
    [
        ("POST", "/api/v1/sites", True),
        ("POST", "/api/v1/getMailingLists", True),
        ("POST", "/api/v1/getConsentTypesBySite", True),
        ("POST", "/api/v1/createSite", False),
        ("POST", "/api/v1/editMailingList", False),
        ("POST", "/api/v1/deleteConsentType", False),
        ("POST", "/api/v1/getSomethingNew", False),  # only the calls mailform knows to read
        ("GET", "/api/v1/sites", False),
        ("POST", "/api/v2/sites", False),
    ],
)
def test_lianamailer_reads_are_known_read_calls(method: str, path: str, read: bool) -> None:
    assert lianamailer.is_read(method, path) is read


def test_a_write_is_refused_before_anything_is_sent() -> None:
    sent: list[httpx.Request] = []

    def transport(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"success": 1})

    observed = Observed("luxsci")
    watch = Watch(luxsci.is_read, observed, clock=lambda: 1_700_000_000.0)
    with httpx.Client(
        transport=httpx.MockTransport(transport),
        base_url="https://rest.luxsci.com",
        event_hooks={"request": [watch.guard], "response": [watch.record]},
    ) as client:
        with pytest.raises(ReadOnlyViolation, match="refused to send POST"):
            client.post("/perl/api/v2/account/1/aliases", json={"user": "x"})
        assert sent == []
        client.get("/perl/api/v2/account/1/aliases?x=1", headers={"Date": "now"})
    assert watch.methods == ["GET"]
    [exchange] = observed.exchanges
    assert (exchange.method, exchange.path, exchange.query) == (
        "GET",
        "/perl/api/v2/account/1/aliases",
        "x=1",
    )
    assert exchange.envelope == {"success": 1} and exchange.is_json
    assert exchange.received_at == 1_700_000_000.0
