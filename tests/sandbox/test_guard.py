"""The sandbox's front door (``mailform.sandbox.guard``) and its routing
(``mailform.sandbox.routing``): the control token, the Host and Origin checks, the body
limit, and answers in each service's envelope for paths, methods and slashes no route has;
each checked on every control endpoint and every route of both services."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from mailform.cli.main import cli
from mailform.sandbox.guard import ANY_HOST, Area, Guard, control_envelope
from mailform.sandbox.inprocess import SandboxTransport
from mailform.sandbox.lianamailer.app import CALLS
from mailform.sandbox.limits import MAX_BODY_BYTES
from mailform.sandbox.luxsci.app import OPERATIONS
from mailform.sandbox.server import SandboxApp
from mailform.sandbox.store import StateStore
from tests.sandbox.caller import ACCOUNT, API
from tests.sandbox.serving import served_sandbox

#: Every control endpoint but health, with its methods.
CONTROL = {
    "/_sandbox/faults": {"GET", "PUT"},
    "/_sandbox/reset": {"POST"},
    "/_sandbox/state": {"GET"},
    "/_sandbox/seed": {"POST"},
    "/_sandbox/clock": {"GET", "PUT"},
    "/_sandbox/deviations": {"GET", "PUT"},
}


def luxsci_paths() -> dict[str, set[str]]:
    """Every LuxSci path the sandbox serves (parameters filled in) with its methods."""
    paths: dict[str, set[str]] = {f"{API}/auth": {"POST", "DELETE"}}
    for operation in OPERATIONS:
        path = operation.path.replace("{account_id}", ACCOUNT)
        path = re.sub(r"\{[^}]+\}", "x", path)
        paths.setdefault(API + path, set()).add(operation.method)
    return paths


LIANA_PATHS = {f"/api/v1/{name}": {"POST"} for name in CALLS}


@pytest.fixture
def door(app: SandboxApp) -> Iterator[httpx.Client]:
    """An unauthorised client of the in-process sandbox, addressed to 127.0.0.1."""
    with httpx.Client(transport=SandboxTransport(app), base_url="http://127.0.0.1:8765") as client:
        yield client


def envelope_of(path: str, response: httpx.Response) -> str:
    """The message of a failure in the envelope ``path`` belongs to (asserting the shape)."""
    assert response.headers["content-type"] == "application/json", response.text
    body: dict[str, Any] = response.json()
    if path.startswith(API):
        assert body["success"] == 0 and set(body) == {"success", "error_message"}, body
        return str(body["error_message"])
    if path.startswith("/api"):
        assert body["succeed"] is False and set(body) == {"succeed", "message"}, body
        return str(body["message"])
    assert set(body) == {"error"}, body
    return str(body["error"])


def test_every_control_endpoint_but_health_needs_the_control_token(
    app: SandboxApp, door: httpx.Client
) -> None:
    app.seed("luxsci:\n  domains: [{domain: kept.example.com}]\n")
    assert door.get("/_sandbox/health").json()["status"] == "ok"
    wrong = [{}, {"Authorization": "Bearer nope"}, {"Authorization": app.control_token}]
    wrong += [{"Authorization": f"Basic {app.control_token}"}, {"X-Sandbox-Token": "x"}]
    for path, methods in CONTROL.items():
        for method in methods:
            for headers in wrong:
                response = door.request(method, path, headers=headers)
                assert response.status_code == 401, (method, path, headers)
                assert "control token" in envelope_of(path, response)
                assert response.headers["www-authenticate"].startswith("Bearer")
    assert "kept.example.com" in app.store.snapshot()["luxsci"]["domains"]
    authorised = {"Authorization": f"bearer {app.control_token}"}
    assert door.get("/_sandbox/state", headers=authorised).status_code == 200
    with app.control_client() as control:
        assert control.post("/reset").json() == {"ok": True}
    assert app.store.snapshot()["luxsci"]["domains"] == {}


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8765", "localhost", "LOCALHOST.:1", "[::1]:8765", "127.0.0.2"]
)
def test_control_requests_addressed_to_a_loopback_host_are_answered(
    app: SandboxApp, door: httpx.Client, host: str
) -> None:
    headers = {**app.control_headers(), "Host": host}
    assert door.get("/_sandbox/faults", headers=headers).status_code == 200


FOREIGN_HOSTS = ["attacker.example", "attacker.example:8765", "127.0.0.1.nip.io"]
FOREIGN_HOSTS += ["localhost.attacker.example", "", "localhost:http", "user@localhost", "[::1"]
FOREIGN_HOSTS += ["10.0.0.5:8765"]


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_control_requests_addressed_to_another_host_are_refused(
    app: SandboxApp, door: httpx.Client, host: str
) -> None:
    """DNS rebinding: a page's own host name made to resolve to 127.0.0.1 reaches the
    sandbox with that name as its Host."""
    for path in ["/_sandbox/health", *CONTROL, "/", "/unknown"]:
        response = door.get(path, headers={**app.control_headers(), "Host": host})
        assert response.status_code == 403, (path, host)
        assert "does not name this sandbox" in envelope_of(path, response)


def test_the_api_paths_answer_any_host(door: httpx.Client) -> None:
    """The real services' host names reach them (the in-process transport, an integration
    bound to a host); nothing there answers without the service's own credentials."""
    for path in (f"{API}{next(iter(luxsci_paths()))}", f"{API}/account/{ACCOUNT}/domains"):
        response = door.get(path, headers={"Host": "rest.luxsci.com"})
        assert response.status_code in {401, 404, 405}
    response = door.post("/api/v1/sites", headers={"Host": "rest.lianamailer.com"})
    assert response.status_code == 401


def test_a_sandbox_served_on_purpose_answers_the_hosts_it_is_given(clock: Any) -> None:
    for allowed, host, status in [
        (("sandbox.internal",), "sandbox.internal:8765", 200),
        (("sandbox.internal",), "other.internal", 403),
        ((ANY_HOST,), "anything.example", 200),
    ]:
        app = SandboxApp(clock=clock, allowed_hosts=allowed)
        with app.control_client(headers={"Host": host}) as control:
            assert control.get("/faults").status_code == status, (allowed, host)


def test_cross_origin_requests_are_refused_on_every_path(
    app: SandboxApp, door: httpx.Client
) -> None:
    foreign = [
        {"Origin": "http://attacker.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:3000"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ]
    paths = ["/_sandbox/health", *CONTROL, *luxsci_paths(), *LIANA_PATHS, "/elsewhere"]
    for path in paths:
        for headers in foreign:
            response = door.post(path, headers={**app.control_headers(), **headers})
            assert response.status_code == 403, (path, headers)
            assert "cross-origin" in envelope_of(path, response)
    same = {"Origin": "http://127.0.0.1:8765", "Sec-Fetch-Site": "same-origin"}
    assert door.get("/_sandbox/health", headers=same).status_code == 200


def test_a_path_with_a_trailing_slash_is_not_found_not_redirected(
    app: SandboxApp, door: httpx.Client
) -> None:
    paths = {**CONTROL, "/_sandbox/health": {"GET"}, **luxsci_paths(), **LIANA_PATHS}
    for path, methods in paths.items():
        for method in methods:
            response = door.request(method, path + "/", headers=app.control_headers())
            assert response.status_code == 404, (method, path)
            assert "location" not in response.headers
            envelope_of(path, response)
    for path in ("/", "/perl", API, API + "/", "/api", "/api/", "/api/v2/sites", "/_sandbox"):
        response = door.get(path, headers=app.control_headers())
        assert response.status_code == 404, path
        envelope_of(path, response)


def test_a_method_a_path_lacks_answers_405_listing_every_method_it_has(
    app: SandboxApp, door: httpx.Client
) -> None:
    paths = {**CONTROL, "/_sandbox/health": {"GET"}, **luxsci_paths(), **LIANA_PATHS}
    for path, methods in paths.items():
        for method in {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"} - methods:
            response = door.request(method, path, headers=app.control_headers())
            assert response.status_code == 405, (method, path)
            allowed = {name.strip() for name in response.headers["allow"].split(",")}
            assert allowed == methods, (method, path)
            if method != "HEAD":
                envelope_of(path, response)


def test_a_body_over_the_limit_answers_413_in_the_envelope(
    app: SandboxApp, door: httpx.Client
) -> None:
    too_big = b"x" * (MAX_BODY_BYTES + 1)
    for path in ("/_sandbox/clock", f"{API}/auth", "/api/v1/echoMessage"):
        method = "PUT" if path.startswith("/_sandbox") else "POST"
        response = door.request(method, path, content=too_big, headers=app.control_headers())
        assert response.status_code == 413, path
        assert "larger than" in envelope_of(path, response)
    # A seed may be larger (this one is refused by the YAML reader, at once, instead).
    seed = door.post("/_sandbox/seed", content=b"\0" * len(too_big), headers=app.control_headers())
    assert seed.status_code == 400 and "invalid YAML" in seed.json()["error"]


async def _echo_size(scope: Any, receive: Any, send: Any) -> None:
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


def test_a_streamed_body_is_cut_off_at_its_path_s_limit() -> None:
    guard = Guard(
        _echo_size,
        areas=[Area("/api", control_envelope)],
        control_token="t",
        body_limits={"/api/big": 100},
    )
    with httpx.Client(transport=SandboxTransport(guard), base_url="http://127.0.0.1") as client:

        def chunks(size: int) -> Iterator[bytes]:
            for _ in range(size):
                yield b"x"

        assert client.post("/api/big", content=chunks(100)).text == "100"
        assert client.post("/api/big", content=chunks(101)).status_code == 413
        assert client.post("/api/small", content=b"x" * MAX_BODY_BYTES).status_code == 200
        assert client.post("/api/small", content=chunks(MAX_BODY_BYTES + 1)).status_code == 413


def test_a_state_that_adopted_the_environment_s_credentials_gets_its_own_once(
    tmp_path: Path,
) -> None:
    """Before the control token, the sandbox copied LUXSCI_* and LIANAMAILER_* from the shell
    into its state."""
    path = tmp_path / "sandbox.sqlite3"
    with StateStore(path) as store:
        SandboxApp(store=store)
        with store.change() as state:
            del state["control"]
            state["luxsci"]["integrations"][0].update(token="adopted", secret="adopted-secret")
            state["lianamailer"]["credentials"].update(user_id="98765", secret="adopted-secret")
    with StateStore(path) as store:
        app = SandboxApp(store=store)
        renewed = (app.credentials, app.lianamailer_credentials, app.control_token)
        assert renewed[0].token.startswith("sbx") and renewed[0].secret != "adopted-secret"
        assert renewed[1].secret != "adopted-secret" and renewed[1].user_id != "98765"
    with StateStore(path) as store:
        app = SandboxApp(store=store)
        assert (app.credentials, app.lianamailer_credentials, app.control_token) == renewed
    assert b"adopted-secret" not in path.read_bytes()


def test_serve_on_another_address_needs_allow_remote(tmp_path: Path) -> None:
    state = str(tmp_path / "s.sqlite3")
    result = CliRunner().invoke(cli, ["sandbox", "serve", "--state", state, "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert "not a loopback address" in result.output and "--allow-remote" in result.output
    assert not (tmp_path / "s.sqlite3").exists()


def test_serve_with_allow_remote_warns_and_answers_any_host(tmp_path: Path) -> None:
    state = tmp_path / "s.sqlite3"
    with StateStore(state) as store:
        token = SandboxApp(store=store).control_token
    remote = ("--host", "0.0.0.0", "--allow-remote")
    with served_sandbox(state, *remote, output=subprocess.PIPE) as (process, http):
        headers = {"Authorization": f"Bearer {token}", "Host": "sandbox.internal:1"}
        assert http.get("/_sandbox/faults", headers=headers).status_code == 200
        assert http.get("/_sandbox/faults").status_code == 401
        answer = http.get("/perl/api/v2/account/1/domains", headers={"Host": "x:1"})
        assert len(answer.headers.get_list("date")) == 1  # the sandbox clock's, once
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=20)
    assert b"warning: serving on 0.0.0.0" in stderr and b"control token" in stderr
    assert f"export MAILFORM_SANDBOX_TOKEN={token}".encode() in stdout
