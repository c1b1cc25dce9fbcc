"""The signing functions reproduce the documented vectors verbatim (the API
reference's own V1 and V3 examples, and the unit tests of Liana's official PHP and
Python clients), none of them computed by this code."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailform.services.lianamailer import signing

DOC_SECRET = "0123456789abcdef0123456789abcdef"
DOC_DATE = "2020-01-15T12:00:00+03:00"
EVENTS_PATH = "/api/v3/events?type=mailopen&at_start=2020-01-10T12:00:00&at_end=2020-01-10T15:00:00"


def test_v1_echo_message_vector() -> None:
    body = b'["hello"]'
    md5 = signing.content_md5(body)
    assert md5 == "1f0bf5038e61951a95c4a2a9db7c400a"
    message = signing.string_to_sign("POST", md5, DOC_DATE, body, "/api/v1/echoMessage")
    assert message == (
        b"POST\n1f0bf5038e61951a95c4a2a9db7c400a\napplication/json\n"
        b'2020-01-15T12:00:00+03:00\n["hello"]\n/api/v1/echoMessage'
    )
    mac = signing.signature(DOC_SECRET, message)
    assert mac == "89b60df150aad61e42fef7d6a43883c83e642aef2f7f2338b971c681f9992c26"
    assert (
        signing.authorization("EUR", "123", mac)
        == "EUR 123:89b60df150aad61e42fef7d6a43883c83e642aef2f7f2338b971c681f9992c26"
    )


def test_v3_events_get_vector_signs_md5_of_nothing_and_an_empty_body_line() -> None:
    md5 = signing.content_md5(b"")
    assert md5 == "d41d8cd98f00b204e9800998ecf8427e"
    message = signing.string_to_sign("GET", md5, DOC_DATE, b"", EVENTS_PATH)
    assert message == (
        b"GET\nd41d8cd98f00b204e9800998ecf8427e\napplication/json\n"
        b"2020-01-15T12:00:00+03:00\n\n" + EVENTS_PATH.encode()
    )
    assert (
        signing.signature(DOC_SECRET, message)
        == "22404d156bd828b157c3e6e11f5b83943b00bc7b0029eceab304dae227ef7f03"
    )


def test_rest_client_python_unit_test_vector() -> None:
    # Liana's Python client sends json.dumps' default ", " separator and a Date without an
    # offset; signing is a pure function of the bytes, so both are signed as given.
    body = b'[1, "unit"]'
    md5 = signing.content_md5(body)
    assert md5 == "728d7c26b9d3fc42da3d518a4097da81"
    headers = signing.signed_headers(
        "UNIT", "42", "sesame", "POST", body, "/api/v1/getStuff", "2018-10-20T10:11:12"
    )
    assert headers == {
        "Content-Type": "application/json",
        "Content-MD5": "728d7c26b9d3fc42da3d518a4097da81",
        "Date": "2018-10-20T10:11:12",
        "Authorization": (
            "UNIT 42:37aa7ce64e02cca021917606b7932eee3bec7135d1b14432d44018a4e4cc85ad"
        ),
    }


def test_rest_client_php_unit_test_vector() -> None:
    assert (
        signing.signature("a" * 32, b"foo\nbar")
        == "c82dbf3d9574513a27f6b70cd007d16fa21686b377a9c3818f005b3af32cd04f"
    )


def test_signed_headers_reproduce_the_documented_v1_request() -> None:
    headers = signing.signed_headers(
        "EUR", "123", DOC_SECRET, "POST", b'["hello"]', "/api/v1/echoMessage", DOC_DATE
    )
    assert headers["Authorization"] == (
        "EUR 123:89b60df150aad61e42fef7d6a43883c83e642aef2f7f2338b971c681f9992c26"
    )
    assert headers["Content-MD5"] == "1f0bf5038e61951a95c4a2a9db7c400a"
    assert headers["Date"] == DOC_DATE


def test_the_method_is_signed_in_upper_case() -> None:
    body = b"[]"
    md5 = signing.content_md5(body)
    assert signing.string_to_sign("post", md5, DOC_DATE, body, "/api/v1/sites") == (
        signing.string_to_sign("POST", md5, DOC_DATE, body, "/api/v1/sites")
    )


def test_non_ascii_bodies_are_signed_as_their_utf8_bytes_verbatim() -> None:
    body = '["Yhdistys ry: jäsenet €"]'.encode()
    message = signing.string_to_sign("POST", signing.content_md5(body), DOC_DATE, body, "/p")
    assert message.split(b"\n")[4] == body
    assert message.endswith(b"\n/p")


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (1579078800, "2020-01-15T09:00:00+00:00"),
        (1579078800.999, "2020-01-15T09:00:00+00:00"),
        (0, "1970-01-01T00:00:00+00:00"),
    ],
)
def test_dates_are_iso_8601_in_utc_with_an_explicit_offset(seconds: float, expected: str) -> None:
    text = signing.format_date(seconds)
    assert text == expected
    assert datetime.fromisoformat(text).tzinfo == UTC


def test_the_documented_date_and_its_utc_form_are_the_same_moment() -> None:
    assert signing.format_date(datetime.fromisoformat(DOC_DATE).timestamp()) == (
        "2020-01-15T09:00:00+00:00"
    )
