"""What one request may ask of the sandbox (``mailform.sandbox.limits``): JSON too deep,
numbers no API holds, NaN and infinities, seeds that are not what they seem, a clock moved
to nowhere; each refused with a 400 in the envelope of the part of the sandbox it was sent
to, never a 500, and nothing changed."""

from __future__ import annotations

import json

import httpx
import pytest

from mailform.sandbox.limits import MAX_DEPTH, LimitError, read_json
from mailform.sandbox.server import SandboxApp
from tests.sandbox.caller import Caller
from tests.sandbox.liana_caller import LianaCaller

DEEP = b"[" * 100_000 + b"]" * 100_000
NOT_STORABLE = [
    DEEP,
    b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
    b'{"domain": 1e400}',
    b'{"domain": NaN}',
    b'{"domain": -Infinity}',
    b'{"domain": ' + b"9" * 5000 + b"}",
    b'{"domain": 9223372036854775808}',
    b'{"domain": "\\ud800"',
    b"\xff\xfe{}",
]


@pytest.mark.parametrize("body", NOT_STORABLE, ids=range(len(NOT_STORABLE)))
def test_bodies_beyond_the_limits_are_refused_by_every_service(
    body: bytes, luxsci: Caller, liana: LianaCaller, control: httpx.Client
) -> None:
    response = luxsci.post(f"{luxsci.acct}/domains", raw=body)
    assert response.status_code == 400 and response.json()["success"] == 0, response.text
    headers = liana.headers("/api/v1/createSite", body.decode("latin-1"))
    headers["Content-MD5"] = __import__("hashlib").md5(body).hexdigest()
    response = liana.http.post("/api/v1/createSite", content=body, headers=headers)
    assert response.status_code in {400, 401} and response.json()["succeed"] is False
    for path in ("/faults", "/clock"):
        response = control.put(path, content=body)
        assert response.status_code == 400 and response.json()["error"], (path, response.text)
    assert luxsci.data(luxsci.get(f"{luxsci.acct}/domains")) == []


def test_a_signed_liana_call_with_deep_json_is_a_bad_request(liana: LianaCaller) -> None:
    path = "/api/v1/createSite"
    text = DEEP.decode()
    response = liana.http.post(path, content=DEEP, headers=liana.headers(path, text))
    assert response.status_code == 400
    assert "nested more than" in response.json()["message"]


def test_json_within_the_limits_reads_as_json() -> None:
    nested: object = 1
    for _ in range(MAX_DEPTH - 1):
        nested = [nested]
    assert read_json(json.dumps(nested).encode()) == nested
    assert read_json(b'{"n": -9223372036854775807, "f": 1.5e300}') == {
        "n": -9223372036854775807,
        "f": 1.5e300,
    }
    with pytest.raises(LimitError, match="too large"):
        read_json(b"[1e999]")


@pytest.mark.parametrize(
    "seed, message",
    [
        ("luxsci:\n  domains: [{domain: " + "9" * 5000 + "}]\n", "too large"),
        ("sandbox: {luxsci: {servers: [{host: rs1, server_id: " + "9" * 30 + "}]}}\n", "large"),
        ("luxsci: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested more than"),
        ("luxsci: " + "[" * 200 + "]" * 200 + "\n", "nested more than"),
        ("sandbox: {luxsci: {servers: [{host: rs1, server_id: .inf}]}}\n", "finite"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"a{i}: &a{i} [{', '.join([f'*a{i - 1}' if i > 1 else '*a'] * 10)}]\n"
                for i in range(1, 7)
            )
            + "luxsci: {}\n",
            "more than",
        ),
    ],
    ids=["huge-int", "int-beyond-64-bits", "deep", "deeper-than-64", "infinity", "alias-bomb"],
)
def test_seeds_beyond_the_limits_are_refused(
    seed: str, message: str, app: SandboxApp, control: httpx.Client
) -> None:
    before = app.store.snapshot()
    response = control.post("/seed", content=seed.encode())
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]
    assert app.store.snapshot() == before


def test_a_date_in_a_seed_is_its_text(app: SandboxApp, control: httpx.Client) -> None:
    """``2024-02-30`` is no date; as text it is just a value the seed judges like any
    other."""
    seed = "sandbox: {luxsci: {account_id: 2024-02-30}}\n"
    assert control.post("/seed", content=seed.encode()).status_code == 200
    assert app.credentials.account_id == "2024-02-30"
    bad = control.post("/seed", content=b"luxsci:\n  domains: [{domain: 2024-02-30}]\n")
    assert bad.status_code == 400 and "2024-02-30" in bad.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"advance": NaN}',
        b'{"advance": 1e308}',
        b'{"offset": -1e308}',
        b'{"advance": 1e400}',
        b'{"offset": "5"}',
        b'{"advance": true}',
        b'{"advance": 3600, "offset": 1e12}',
        b"[1]",
    ],
)
def test_the_clock_moves_only_by_a_finite_number_of_seconds_within_50_years(
    body: bytes, app: SandboxApp, control: httpx.Client
) -> None:
    response = control.put("/clock", content=body)
    assert response.status_code == 400 and response.json()["error"], response.text
    assert app.clock.offset == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"latency": 1e308},
        {"jitter": 86401},
        {"rate_limit": "1/" + "9" * 400 + "h"},
        {"rate_limit": {"requests": 1, "window": 1e308}},
        {"expire_auth": "yes"},
    ],
)
def test_faults_beyond_a_day_are_refused(
    changes: dict[str, object], app: SandboxApp, control: httpx.Client
) -> None:
    before = app.faults.settings
    response = control.put("/faults", json=changes)
    assert response.status_code == 400 and response.json()["error"], response.text
    assert app.faults.settings == before
