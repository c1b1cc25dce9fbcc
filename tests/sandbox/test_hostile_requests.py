"""No request can make the sandbox fail (issue 14): generated hostile requests
(``tests/sandbox/hostile_requests.py``) to every route of both services and of the control
endpoints get an answer below 500, in the envelope of the part of the sandbox they were
sent to, whether they are signed or not.

The suite runs a bounded number of cases in process, and a slice of them over real HTTP; a
long run takes more, with another seed::

    MAILFORM_FUZZ_CASES=20000 MAILFORM_FUZZ_SEED=7 .venv/bin/python -m pytest -q \\
        tests/sandbox/test_hostile_requests.py

Injected faults (and deviations, whose status is chosen) are the one allowed 5xx: a control
case has them put back right after, so that no other case sees a 503 or a dropped
connection.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from mailform.sandbox.clock import SandboxClock
from mailform.sandbox.inprocess import SandboxTransport
from mailform.sandbox.server import SandboxApp, SandboxServer
from tests.sandbox.caller import API, Caller, sign_request
from tests.sandbox.hostile_requests import HostileRequest, case

#: Cases the suite runs in process: about five seconds on two busy cores.
CASES = int(os.environ.get("MAILFORM_FUZZ_CASES", "2000"))
SEED = int(os.environ.get("MAILFORM_FUZZ_SEED", "14"))
#: Every this many cases, one also goes over real HTTP (uvicorn, h11).
OVER_HTTP_EVERY = 10
#: Every this many cases the account is emptied, so that a long run stays as fast.
RESET_EVERY = 500


class Sender:
    """Sends hostile requests to one sandbox, signed as each asks, and checks the answers."""

    def __init__(self, app: SandboxApp, http: httpx.Client) -> None:
        self.app = app
        self.http = http
        self.luxsci = Caller(http, now=app.clock.now)
        self.statuses: Counter[int] = Counter()

    def login(self) -> None:
        credentials = self.app.credentials
        self.luxsci.token, self.luxsci.secret = credentials.token, credentials.secret
        self.luxsci.account = credentials.account_id
        self.luxsci.login()

    def request(self, hostile: HostileRequest) -> httpx.Request:
        request = self.http.build_request(hostile.method, hostile.path, content=hostile.body)
        if hostile.auth == "control":
            request.headers.update(self.app.control_headers())
        elif hostile.auth == "luxsci" and self.luxsci.auth is not None:
            path, _, query = request.url.raw_path.decode("latin-1").partition("?")
            mac = sign_request(
                self.luxsci.secret, self.luxsci.auth, hostile.method, path, query, hostile.body
            )
            request.headers["Cookie"] = f"signature={self.luxsci.auth}:{mac}"
        elif hostile.auth == "liana":
            request.headers.update(self._liana_headers(request, hostile.body))
        request.headers.encoding = "latin-1"  # header values are bytes, not all ASCII
        for name, value in hostile.headers:
            request.headers[name] = value.decode("latin-1")
        return request

    def _liana_headers(self, request: httpx.Request, body: bytes) -> dict[str, str]:
        """LianaMailer's four headers, written from its documented scheme over raw bytes."""
        credentials = self.app.lianamailer_credentials
        zone = timezone(timedelta(hours=2))
        date = datetime.fromtimestamp(int(self.app.clock.now()), zone).isoformat()
        md5 = hashlib.md5(body).hexdigest()
        path = request.url.raw_path.decode("latin-1")
        head = "\n".join([request.method, md5, "application/json", date]).encode()
        message = head + b"\n" + body + b"\n" + path.encode("latin-1")
        mac = hmac.new(credentials.secret.encode(), message, hashlib.sha256).hexdigest()
        return {
            "Content-Type": "application/json",
            "Content-MD5": md5,
            "Date": date,
            "Authorization": f"{credentials.realm} {credentials.user_id}:{mac}",
        }

    def check(self, hostile: HostileRequest) -> None:
        """Send one case; fail with its description unless the answer is below 500 and in
        its area's envelope."""
        try:
            response = self.http.send(self.request(hostile))
        except httpx.HTTPError as error:
            pytest.fail(f"{hostile}: no answer: {error!r}")
        finally:
            self._restore(hostile)
        self.statuses[response.status_code] += 1
        assert response.status_code < 500, f"{hostile}: {response.status_code} {response.text}"
        if hostile.method == "HEAD":
            return
        try:
            body = response.json()
        except ValueError:
            pytest.fail(f"{hostile}: not JSON: {response.status_code} {response.text[:300]}")
        if response.status_code >= 400 or hostile.area == "lianamailer":
            assert_envelope(hostile, response.status_code, body)

    def _restore(self, hostile: HostileRequest) -> None:
        """Put back what a control request may have changed for the cases after it (faults
        and deviations are the 5xx and the odd answers the sandbox gives on purpose)."""
        if hostile.area != "control":
            if hostile.area == "luxsci" and self.luxsci.auth is None:
                self.login()
            return
        self.app.faults.reset(self.app.initial_faults)
        self.app.deviations.reset()
        self.login()


def assert_envelope(hostile: HostileRequest, status: int, body: object) -> None:
    where = f"{hostile}: {status} {body!r}"[:2000]
    assert isinstance(body, dict), where
    if hostile.area == "luxsci":
        assert set(body) == {"success", "error_message"} and body["success"] == 0, where
        assert isinstance(body["error_message"], str) and body["error_message"], where
    elif hostile.area == "lianamailer":
        assert body.get("succeed") in (True, False), where
        if body["succeed"] is False:
            assert set(body) == {"succeed", "message"} and body["message"], where
        else:
            assert status == 200 and set(body) == {"succeed", "result"}, where
    else:
        assert set(body) == {"error"} and isinstance(body["error"], str), where


@pytest.fixture
def in_process() -> Iterator[Sender]:
    app = SandboxApp(clock=SandboxClock())
    transport = SandboxTransport(app)
    with httpx.Client(transport=transport, base_url="http://127.0.0.1:8765", timeout=60) as http:
        sender = Sender(app, http)
        sender.login()
        yield sender


@pytest.fixture
def over_http() -> Iterator[Sender]:
    app = SandboxApp()
    with SandboxServer(app) as server, httpx.Client(base_url=server.base_url, timeout=60) as http:
        sender = Sender(app, http)
        sender.login()
        yield sender


def test_no_hostile_request_gets_a_server_error_in_process(in_process: Sender) -> None:
    for number in range(CASES):
        if number and number % RESET_EVERY == 0:
            in_process.app.reset()
            in_process.login()
        in_process.check(case(SEED, number))
    # The stream reaches deep: signed requests were answered, refused and accepted.
    assert in_process.statuses[200] and in_process.statuses[400] and in_process.statuses[404]
    assert in_process.statuses[401] and in_process.statuses[405] and in_process.statuses[403]


def test_no_hostile_request_gets_a_server_error_over_http(over_http: Sender) -> None:
    for number in range(0, CASES, OVER_HTTP_EVERY):
        hostile = case(SEED + 1, number)
        if any(
            name == "Content-Length" or value.strip() == b"" or not value.isascii()
            for name, value in hostile.headers
        ):
            continue  # httpx will not send these, or h11 refuses them itself (400, no body)
        over_http.check(hostile)
    assert sum(over_http.statuses.values()) > CASES // OVER_HTTP_EVERY // 2


def test_the_stream_covers_every_area_auth_and_kind() -> None:
    cases = [case(SEED, number) for number in range(300)]
    assert {hostile.area for hostile in cases} == {"luxsci", "lianamailer", "control"}
    assert {hostile.auth for hostile in cases} == {"luxsci", "liana", "control", "none"}
    kinds = {hostile.kind for hostile in cases}
    assert {"fields", "deep", "numbers", "bad-json", "seed", "arguments"} <= kinds
    assert any(hostile.path.startswith(API) and hostile.path.endswith("/") for hostile in cases)
