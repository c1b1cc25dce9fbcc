"""LianaMailer service plumbing: credentials (explicit, or generated and kept in the state;
never the environment's), reset, and the shared fault layer with LianaMailer's envelope."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mailform.sandbox.clock import SandboxClock
from mailform.sandbox.lianamailer.service import LianaMailerService
from mailform.sandbox.lianamailer.signing import Credentials
from mailform.sandbox.server import SandboxApp, SandboxServer
from mailform.sandbox.store import StateStore
from tests.sandbox.liana_caller import LianaCaller


def test_credentials_never_come_from_the_environment(
    clock: SandboxClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIANAMAILER_REALM", "PV")
    monkeypatch.setenv("LIANAMAILER_USER_ID", "42")
    monkeypatch.setenv("LIANAMAILER_API_SECRET", "real-account-secret")
    credentials = LianaMailerService(StateStore(), clock).credentials
    assert (credentials.realm, credentials.user_id) != ("PV", "42")
    assert credentials.secret != "real-account-secret"
    given = Credentials("PV", "42", "sesame")
    assert LianaMailerService(StateStore(), clock, credentials=given).credentials == given
    assert "sesame" not in repr(given)


def test_generated_credentials_are_kept_in_the_state_file(
    tmp_path: Path, clock: SandboxClock
) -> None:
    path = tmp_path / "state.sqlite3"
    first = LianaMailerService(StateStore(path), clock).credentials
    again = LianaMailerService(StateStore(path), clock).credentials
    assert first == again and first.realm and first.user_id.isdigit() and len(first.secret) >= 32


def test_reset_empties_the_account_but_keeps_the_credentials(
    app: SandboxApp, liana: LianaCaller, control: httpx.Client
) -> None:
    liana.call("createSite", "a.example.com")
    assert app.store.snapshot()["lianamailer"]["sites"]
    assert control.post("/reset").json() == {"ok": True}
    assert liana.call("sites") == []
    assert app.lianamailer_credentials.user_id == "123"


def test_the_rate_limit_answers_429_with_retry_after_in_the_liana_envelope(
    liana: LianaCaller, control: httpx.Client
) -> None:
    assert control.put("/faults", json={"rate_limit": "2/60s"}).status_code == 200
    liana.call("echoMessage", 1)
    liana.call("echoMessage", 2)
    response = liana.post("echoMessage", 3)
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert body["succeed"] is False and "Rate limit" in body["message"]


def test_a_dropped_answer_still_commits_the_change(
    liana: LianaCaller, control: httpx.Client
) -> None:
    control.put("/faults", json={"drop_next": 1})
    liana.call("getMailingLists")  # reads are not dropped
    with pytest.raises(httpx.RemoteProtocolError):
        liana.post("createMailingList", "Lost answer")
    assert [item["name"] for item in liana.call("getMailingLists")] == ["Lost answer"]


def test_signed_calls_work_over_real_http(
    server: SandboxServer, live_control: httpx.Client
) -> None:
    credentials = server.app.lianamailer_credentials
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        assert live_control.post("/reset").json() == {"ok": True}
        liana = LianaCaller(
            client,
            realm=credentials.realm,
            user_id=credentials.user_id,
            secret=credentials.secret,
        )
        assert liana.call("createSite", "live.example.com") == "live.example.com"
        assert [site["domain"] for site in liana.call("sites")] == ["live.example.com"]
        response = client.post(
            "/api/v1/sites?x=1", content=b"[]", headers=liana.headers("/api/v1/sites", "[]")
        )
        assert response.status_code == 401  # the query string is signed too
