"""The signing functions reproduce vectors computed independently from the documented
algorithm (LuxSci's request signature, computed by hand from the documented algorithm, not by
this code)."""

import pytest

from mailform.services.luxsci import signing

SECRET = "s3cr3tkey"
TOKEN = "abc123token"
AUTH = "66840164-1617889562-3d472a77806a340161982d8e034219034007ed9518f452f4b6f8c2ddd8b5b03a"


def test_account_scope_auth_signature() -> None:
    assert (
        signing.auth_signature(SECRET, TOKEN, 1700000000)
        == "758a5fdfc953e92fa2a81c9eac6262a8e3a8237e0dc9ced7a5457c1c497e5053"
    )


def test_user_scope_auth_signature_appends_user_and_password() -> None:
    assert (
        signing.auth_signature(
            SECRET, TOKEN, "1700000000", user="user@example.com", password="P@ss"
        )
        == "27a64b0ea06fc43574079e08ff6fcd46be4e84062b769b581f49503782635586"
    )


def test_get_without_query_signs_empty_query_and_body_hash() -> None:
    assert (
        signing.request_signature(SECRET, AUTH, "GET", "/perl/api/v2/account/12345/domains")
        == "c9aedc26c8bd334ef44abecd11b2572e8c127e6f924ec78f5412605d4a8c3912"
    )


def test_get_with_query_signs_the_raw_query_string() -> None:
    assert (
        signing.request_signature(
            SECRET,
            AUTH,
            "get",
            "/perl/api/v2/account/12345/users",
            "status=enabled&domain=example.com",
        )
        == "476ffdf7d5c65a4312e4c1b8aeb09141e1964a38525e8d3784b39e6d3f5a7f0f"
    )


def test_post_signs_the_sha256_of_the_exact_body() -> None:
    body = b'{"domain":"sub.example.com"}'
    assert (
        signing.body_hash(body)
        == "997ffeea785e76a86f52525c18935d85b0ed4504d3ca0f8227ec7e899b73ac3c"
    )
    assert (
        signing.request_signature(
            SECRET, AUTH, "POST", "/perl/api/v2/account/12345/domains", "", body
        )
        == "969797fa5ab420b57cd8706d0a8565ac80be9d8986e847eeb30010104e0e26db"
    )


def test_user_scope_auth_needs_a_password() -> None:
    with pytest.raises(ValueError, match="password"):
        signing.auth_signature(SECRET, TOKEN, 1, user="u@example.com")


def test_cookie_joins_auth_and_signature() -> None:
    assert signing.signature_cookie("a-1-f", "abc") == "a-1-f:abc"
