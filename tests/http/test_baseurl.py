"""Where credentials may go: https anywhere, plain http only to this machine unless allowed
on purpose, nothing else; checked by both clients before they send anything."""

from __future__ import annotations

import logging

import httpx
import pytest

from mailform.http.baseurl import BaseUrlRefused, PlainHttpRefused, check_base_url, is_loopback
from mailform.services.lianamailer.client import LianaMailerClient, LianaMailerCredentials
from mailform.services.luxsci.client import LuxSciClient, LuxSciCredentials

LOGGER = logging.getLogger("tests.baseurl")


def check(url: str, *, insecure_http: bool = False) -> None:
    check_base_url(
        url,
        setting="LUXSCI_API_HOST",
        exposes="the token and the secret",
        insecure_http=insecure_http,
        logger=LOGGER,
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://rest.luxsci.com",
        "https://10.0.0.5:8443/base",
        "http://127.0.0.1:8765",
        "http://127.10.20.30",
        "http://[::1]:8765",
        "http://localhost:8765",
        "HTTP://LOCALHOST",
    ],
)
def test_https_anywhere_and_plain_http_to_this_machine_pass(url: str) -> None:
    check(url)


@pytest.mark.parametrize(
    "host", ["example.com", "10.0.0.5", "128.0.0.1", "::2", "localhost.example.com", "0.0.0.0"]
)
def test_other_hosts_are_not_this_machine(host: str) -> None:
    assert not is_loopback(host)


def test_plain_http_to_another_machine_is_refused_naming_the_setting_and_what_leaks() -> None:
    with pytest.raises(PlainHttpRefused) as refused:
        check("http://ci:hunter2@example.invalid:8080/api?token=t0k#frag")
    message = str(refused.value)
    assert message.startswith("LUXSCI_API_HOST is http://example.invalid:8080/api: plain http ")
    assert "would carry the token and the secret in clear" in message
    assert "use https://, or, to accept that, the client option insecure_http=True" in message
    assert "hunter2" not in message and "t0k" not in message and "frag" not in message


def test_a_surface_words_the_refusal_with_its_own_setting_and_opt_in() -> None:
    with pytest.raises(PlainHttpRefused) as refused:
        check("http://example.invalid")
    reworded = refused.value.reworded(opt_in="pass --insecure-http", setting="luxsci:apiHost")
    assert str(reworded).startswith("luxsci:apiHost is http://example.invalid: plain http")
    assert str(reworded).endswith("to accept that, pass --insecure-http")
    assert reworded.exposes == "the token and the secret"
    assert reworded.url == "http://example.invalid"


def test_plain_http_allowed_on_purpose_warns_what_travels_in_clear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        check("http://example.invalid", insecure_http=True)
    assert caplog.messages == [
        "LUXSCI_API_HOST is http://example.invalid: plain http allowed on purpose; "
        "the token and the secret travel in clear to example.invalid"
    ]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        check("http://127.0.0.1:8765", insecure_http=True)  # this machine: nothing to say
    assert caplog.messages == []


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.com", "LUXSCI_API_HOST is ftp://example.com: not a host name or an https"),
        ("https://", "LUXSCI_API_HOST is https:: not a host name"),
        ("https://example.com:port", "LUXSCI_API_HOST is not a URL ('https://example.com:port'"),
        ("https://u:pw@exa\nmple.com", "LUXSCI_API_HOST is not a URL ('https://exa\\nmple.com'"),
    ],
)
def test_anything_but_http_or_https_with_a_host_is_refused(url: str, says: str) -> None:
    with pytest.raises(BaseUrlRefused) as refused:
        check(url, insecure_http=True)
    assert str(refused.value).startswith(says)
    assert not isinstance(refused.value, PlainHttpRefused)


def test_both_clients_refuse_before_sending_anything() -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(200))
    luxsci = LuxSciCredentials("tok", "s3cr3t", "42", host="http://luxsci.example.invalid")
    liana = LianaMailerCredentials("EUR", "1", "s3cr3t", url="http://liana.example.invalid")
    with pytest.raises(PlainHttpRefused, match=r"^LUXSCI_API_HOST is http://luxsci\."):
        LuxSciClient(luxsci, transport=transport)
    with pytest.raises(PlainHttpRefused, match=r"^LIANAMAILER_API_URL is http://liana\.") as no:
        LianaMailerClient(liana, transport=transport)
    assert "Authorization header" in str(no.value)
    assert sent == []
    with LuxSciClient(luxsci, transport=transport, insecure_http=True) as allowed:
        assert allowed.requests_sent == 0
    bare_host = LuxSciCredentials("tok", "s3cr3t", "42", host="rest.example.com")
    LuxSciClient(bare_host, transport=transport).close()  # a bare host name means https
