"""LianaMailer transport: the documented signing vectors, and what the sandbox refuses."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import pytest

from mailform.sandbox.clock import SandboxClock
from tests.sandbox.liana_caller import (
    SECRET,
    LianaCaller,
    iso_date,
    liana_signature,
)

VECTOR_DATE = "2020-01-15T12:00:00+03:00"


def test_the_test_signer_reproduces_the_documented_vectors() -> None:
    md5 = hashlib.md5(b'["hello"]').hexdigest()
    assert md5 == "1f0bf5038e61951a95c4a2a9db7c400a"
    v1 = liana_signature(SECRET, "POST", md5, VECTOR_DATE, '["hello"]', "/api/v1/echoMessage")
    assert v1 == "89b60df150aad61e42fef7d6a43883c83e642aef2f7f2338b971c681f9992c26"
    path = "/api/v3/events?type=mailopen&at_start=2020-01-10T12:00:00&at_end=2020-01-10T15:00:00"
    empty = hashlib.md5(b"").hexdigest()
    v3 = liana_signature(SECRET, "GET", empty, VECTOR_DATE, "", path)
    assert v3 == "22404d156bd828b157c3e6e11f5b83943b00bc7b0029eceab304dae227ef7f03"
    unit = liana_signature(
        "sesame",
        "POST",
        hashlib.md5(b'[1, "unit"]').hexdigest(),
        "2018-10-20T10:11:12",
        '[1, "unit"]',
        "/api/v1/getStuff",
    )
    assert unit == "37aa7ce64e02cca021917606b7932eee3bec7135d1b14432d44018a4e4cc85ad"


def test_the_sandbox_accepts_the_documented_request_verbatim(
    liana: LianaCaller, clock: SandboxClock
) -> None:
    clock.set_offset(datetime.fromisoformat(VECTOR_DATE).timestamp() + 60 - clock.now())
    headers = {
        "Content-Type": "application/json",
        "Content-MD5": "1f0bf5038e61951a95c4a2a9db7c400a",
        "Date": VECTOR_DATE,
        "Authorization": "EUR 123:89b60df150aad61e42fef7d6a43883c83e642aef2f7f2338b971c681f9992c26",
    }
    response = liana.http.post("/api/v1/echoMessage", content=b'["hello"]', headers=headers)
    assert response.status_code == 200
    assert response.json() == {"succeed": True, "result": "hello"}


def test_the_raw_body_is_verified_whatever_its_json_spacing(liana: LianaCaller) -> None:
    for body in ('[ "hello" ]', '["hello"]', '"hello"'):
        path = "/api/v1/echoMessage"
        response = liana.http.post(path, content=body.encode(), headers=liana.headers(path, body))
        assert response.json()["succeed"] is True, body
    assert liana.call("echoMessage", "hi") == "hi"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"Authorization": "EUR 123:" + "0" * 64}, "Signature"),
        ({"Authorization": "EUR 999:" + "0" * 64}, "realm or user"),
        ({"Authorization": "PV 123:" + "0" * 64}, "realm or user"),
        ({"Authorization": "Bearer abc"}, "Malformed"),
        ({"Content-MD5": hashlib.md5(b"[]").hexdigest()}, "Content-MD5"),
        ({"Date": "2020-01-15T12:00:00+03:00"}, "seconds from server time"),
        ({"Date": "yesterday"}, "Invalid Date"),
    ],
)
def test_auth_failures_answer_401_with_the_envelope(
    liana: LianaCaller, override: dict[str, str], message: str
) -> None:
    response = liana.post("echoMessage", "hello", **override)
    assert response.status_code == 401
    body = response.json()
    assert body["succeed"] is False and message in body["message"]


def test_missing_headers_and_a_tampered_body_are_refused(liana: LianaCaller) -> None:
    path = "/api/v1/echoMessage"
    assert liana.http.post(path, content=b'["hello"]').status_code == 401
    headers = liana.headers(path, '["hello"]')
    response = liana.http.post(path, content=b'["HELLO"]', headers=headers)
    assert response.status_code == 401 and "Content-MD5" in response.json()["message"]


def test_the_content_type_and_a_lower_case_content_md5_are_required(liana: LianaCaller) -> None:
    wrong_type = liana.post("echoMessage", "hello", Content_Type="text/plain")
    assert wrong_type.status_code == 401 and "Content-Type" in wrong_type.json()["message"]
    charset = liana.post("echoMessage", "hello", Content_Type="application/json; charset=utf-8")
    assert charset.status_code == 200
    body = '["hello"]'
    headers = liana.headers("/api/v1/echoMessage", body)
    headers["Content-MD5"] = headers["Content-MD5"].upper()
    upper = liana.http.post("/api/v1/echoMessage", content=body.encode(), headers=headers)
    assert upper.status_code == 401 and "lower-case" in upper.json()["message"]


def test_the_date_may_be_anywhere_within_fifteen_minutes(
    liana: LianaCaller, clock: SandboxClock
) -> None:
    path = "/api/v1/echoMessage"
    stale = iso_date(clock.now() - 16 * 60)
    fresh = iso_date(clock.now() - 14 * 60, offset_hours=0)
    for date, status in ((stale, 401), (fresh, 200)):
        headers = liana.headers(path, "[1]", date=date)
        assert liana.http.post(path, content=b"[1]", headers=headers).status_code == status


def test_a_compact_offset_date_and_header_case_are_accepted(liana: LianaCaller) -> None:
    path = "/api/v1/echoMessage"
    date = datetime.fromtimestamp(int(liana.now())).astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")
    headers = {key.lower(): value for key, value in liana.headers(path, "[]", date=date).items()}
    response = liana.http.post(path, content=b"[]", headers=headers)
    assert response.json() == {"succeed": True, "result": None}


def test_unknown_calls_methods_and_bodies(liana: LianaCaller) -> None:
    assert liana.post("noSuchCall").status_code == 404
    assert liana.http.post("/api/v2/deliveries/batch-send", content=b"{}").status_code == 404
    assert liana.http.get("/api/v1/sites").status_code == 405
    path = "/api/v1/sites"
    response = liana.http.post(path, content=b"{", headers=liana.headers(path, "{"))
    assert response.status_code == 400 and response.json()["succeed"] is False
    body = json.dumps({"properties": True})
    response = liana.http.post(path, content=body.encode(), headers=liana.headers(path, body))
    assert response.status_code == 200 and "positional" in response.json()["message"]
    assert "at most 1 parameters" in liana.fails("getSite", "a.example", "b")
