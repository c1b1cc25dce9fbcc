"""The tests' own signing helper reproduces the worked vectors of luxsci.md A.3, so the
sandbox is checked against the documented algorithm rather than against itself."""

from __future__ import annotations

import hashlib

from mailform.sandbox.luxsci.auth import auth_signature, request_signature
from tests.sandbox.caller import sign_auth, sign_request

AUTH = "66840164-1617889562-3d472a77806a340161982d8e034219034007ed9518f452f4b6f8c2ddd8b5b03a"
SECRET = "s3cr3tkey"


def test_auth_vectors() -> None:
    assert sign_auth(SECRET, "abc123token", "1700000000") == (
        "758a5fdfc953e92fa2a81c9eac6262a8e3a8237e0dc9ced7a5457c1c497e5053"
    )
    assert sign_auth(SECRET, "abc123token", "1700000000", "user@example.com", "P@ss") == (
        "27a64b0ea06fc43574079e08ff6fcd46be4e84062b769b581f49503782635586"
    )


def test_request_vectors() -> None:
    path = "/perl/api/v2/account/12345"
    assert sign_request(SECRET, AUTH, "GET", f"{path}/domains", "", None) == (
        "c9aedc26c8bd334ef44abecd11b2572e8c127e6f924ec78f5412605d4a8c3912"
    )
    assert (
        sign_request(
            SECRET, AUTH, "GET", f"{path}/users", "status=enabled&domain=example.com", None
        )
        == "476ffdf7d5c65a4312e4c1b8aeb09141e1964a38525e8d3784b39e6d3f5a7f0f"
    )
    body = b'{"domain":"sub.example.com"}'
    assert hashlib.sha256(body).hexdigest() == (
        "997ffeea785e76a86f52525c18935d85b0ed4504d3ca0f8227ec7e899b73ac3c"
    )
    assert sign_request(SECRET, AUTH, "POST", f"{path}/domains", "", body) == (
        "969797fa5ab420b57cd8706d0a8565ac80be9d8986e847eeb30010104e0e26db"
    )


def test_the_sandbox_computes_the_same_vectors() -> None:
    assert auth_signature(SECRET, "abc123token", "1700000000") == sign_auth(
        SECRET, "abc123token", "1700000000"
    )
    body_hash = hashlib.sha256(b'{"domain":"sub.example.com"}').hexdigest()
    assert (
        request_signature(SECRET, AUTH, "post", "/perl/api/v2/account/12345/domains", "", body_hash)
        == "969797fa5ab420b57cd8706d0a8565ac80be9d8986e847eeb30010104e0e26db"
    )
