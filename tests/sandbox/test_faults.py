"""Fault injection, over real HTTP through the session's SandboxServer (and in-process where
the transport must imitate the network)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from mailform.sandbox.faults import FaultSettings, RateLimit
from mailform.sandbox.server import SandboxApp
from tests.sandbox.caller import Caller, failure


def set_faults(control: httpx.Client, **changes: Any) -> dict[str, Any]:
    response = control.put("/faults", json=changes)
    assert response.status_code == 200, response.text
    return response.json()


def domains(caller: Caller) -> list[str]:
    return [row["domain"] for row in caller.data(caller.get(f"{caller.acct}/domains"))]


def test_fault_settings_are_read_changed_and_reset(
    live: Caller, live_control: httpx.Client
) -> None:
    assert live_control.get("/health").json() == {
        "status": "ok",
        "services": ["luxsci", "lianamailer"],
    }
    assert live_control.get("/faults").json() == {
        "latency": 0.0, "jitter": 0.0, "rate_limit": None, "error_rate": 0.0,
        "drop_rate": 0.0, "drop_next": 0, "late_commit": 0.0, "late_answer": 0.0,
        "late_rate": 0.0, "late_next": 0, "seed": None,
    }  # fmt: skip
    changed = set_faults(live_control, rate_limit="10/1m", error_rate=0.25)
    assert changed["rate_limit"] == {"requests": 10, "window": 60.0}
    assert changed["error_rate"] == 0.25 and changed["latency"] == 0.0
    for bad in (
        *({"error_rate": 2}, {"rate_limit": "lots"}, {"latencyy": 1}, {"drop_next": -1}),
        *({"late_commit": -1}, {"late_rate": 1.5}, {"late_next": 0.5}),
    ):
        response = live_control.put("/faults", json=bad)
        assert response.status_code == 400 and response.json()["error"]
    live_control.post("/reset")
    assert live_control.get("/faults").json()["error_rate"] == 0.0


def test_latency_slows_every_request(live: Caller, live_control: httpx.Client) -> None:
    set_faults(live_control, latency=0.15, jitter=0.05)
    started = time.perf_counter()
    assert domains(live) == []
    assert time.perf_counter() - started >= 0.15


def test_over_the_rate_limit_answers_429_with_retry_after(
    live: Caller, live_control: httpx.Client
) -> None:
    set_faults(live_control, rate_limit="3/60s")
    for _ in range(3):
        assert domains(live) == []
    response = live.get(f"{live.acct}/domains")
    assert "Rate limit exceeded" in failure(response, 429)
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_a_share_of_requests_fail_with_503_and_commit_nothing(
    live: Caller, live_control: httpx.Client
) -> None:
    set_faults(live_control, error_rate=1.0)
    response = live.post(f"{live.acct}/domains", {"domain": "example.com"})
    assert "temporarily unavailable" in failure(response, 503)
    set_faults(live_control, error_rate=0.5, seed=11)
    first = [live.get(f"{live.acct}/domains").status_code for _ in range(30)]
    set_faults(live_control, seed=11)
    second = [live.get(f"{live.acct}/domains").status_code for _ in range(30)]
    assert first == second and set(first) == {200, 503}
    set_faults(live_control, error_rate=0.0)
    assert domains(live) == []


def test_a_dropped_connection_after_the_commit(live: Caller, live_control: httpx.Client) -> None:
    set_faults(live_control, drop_next=1)
    with pytest.raises(httpx.RemoteProtocolError):
        live.post(f"{live.acct}/domains", {"domain": "example.com"})
    assert live_control.get("/faults").json()["drop_next"] == 0
    assert domains(live) == ["example.com"]
    set_faults(live_control, drop_rate=1.0)
    assert domains(live) == ["example.com"]
    with pytest.raises(httpx.TransportError):
        live.delete(f"{live.acct}/domains/example.com")
    set_faults(live_control, drop_rate=0.0)
    assert domains(live) == []


def test_a_late_commit_lands_after_the_client_gave_up(
    live: Caller, live_control: httpx.Client
) -> None:
    """The change is read at once and committed later, whatever the client does: a client
    that stops waiting sees a timeout, and the domain appears afterwards."""
    set_faults(live_control, late_commit=0.6, late_next=1)
    with pytest.raises(httpx.ReadTimeout):
        live.send_with_timeout("POST", f"{live.acct}/domains", {"domain": "example.com"}, 0.2)
    assert domains(live) == []  # looked up too early
    time.sleep(0.8)
    assert domains(live) == ["example.com"]
    assert live_control.get("/faults").json()["late_next"] == 0


def test_a_late_answer_comes_after_the_commit(live: Caller, live_control: httpx.Client) -> None:
    set_faults(live_control, late_answer=0.6, late_rate=1.0)
    with pytest.raises(httpx.ReadTimeout):
        live.send_with_timeout("POST", f"{live.acct}/domains", {"domain": "example.com"}, 0.2)
    assert domains(live) == ["example.com"]  # reads are never late
    started = time.perf_counter()
    live.data(live.post(f"{live.acct}/domains", {"domain": "example.org"}))
    assert time.perf_counter() - started >= 0.6
    set_faults(live_control, late_answer=0.3, drop_next=1)
    with pytest.raises(httpx.RemoteProtocolError):
        live.post(f"{live.acct}/domains", {"domain": "example.net"})
    assert domains(live) == ["example.com", "example.net", "example.org"]


def test_auth_expiry_through_the_control_endpoint(live: Caller, live_control: httpx.Client) -> None:
    assert domains(live) == []
    set_faults(live_control, expire_auth=True)
    assert "expired" in failure(live.get(f"{live.acct}/domains"), 401)
    assert domains(live.login()) == []


def test_the_clock_can_be_moved(live: Caller, live_control: httpx.Client) -> None:
    before = live_control.get("/clock").json()
    moved = live_control.put("/clock", json={"advance": 3601}).json()
    assert moved["offset"] == before["offset"] + 3601
    assert "expired" in failure(live.get(f"{live.acct}/domains"), 401)
    assert live_control.put("/clock", json={"offset": 0}).json()["offset"] == 0
    assert live_control.put("/clock", json={"later": 1}).status_code == 400


def test_in_process_a_dropped_connection_raises_too(app: SandboxApp, luxsci: Caller) -> None:
    app.faults.configure({"drop_next": 1})
    with pytest.raises(httpx.RemoteProtocolError):
        luxsci.post(f"{luxsci.acct}/domains", {"domain": "example.com"})
    assert domains(luxsci) == ["example.com"]


def test_the_auth_request_is_not_a_change_to_drop(app: SandboxApp, luxsci: Caller) -> None:
    app.faults.configure({"drop_next": 1})
    luxsci.login()
    with pytest.raises(httpx.RemoteProtocolError):
        luxsci.post(f"{luxsci.acct}/domains", {"domain": "example.com"})


def test_rate_limits_are_read_from_text() -> None:
    assert RateLimit.parse("60/60s") == RateLimit(60, 60.0)
    assert RateLimit.parse("60/min") == RateLimit(60, 60.0)
    assert RateLimit.parse("6000 / 24h") == RateLimit(6000, 86400.0)
    assert RateLimit.parse("4/1") == RateLimit(4, 1.0)
    for bad in ("60", "x/60s", "0/60s", "60/0s"):
        with pytest.raises(ValueError):
            RateLimit.parse(bad)
    assert FaultSettings().updated({"rate_limit": None}).rate_limit is None
