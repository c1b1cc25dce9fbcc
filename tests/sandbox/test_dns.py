"""The sandbox's DNS answers CNAME queries for the records its seeds publish, over real UDP,
and mailform's resolver reads them (the plan's check of a bounce domain's CNAME)."""

from __future__ import annotations

import socket

import pytest

from mailform.engine.outside import Dns, OutsideUnknown
from mailform.sandbox.dns import DnsServer


def test_published_records_are_answered_and_others_are_not() -> None:
    records = {"bounce.example.com": "bounces.luxsci.net"}
    server = DnsServer(lambda: records).start()
    try:
        resolver = Dns.parse(server.address)
        assert resolver.cname("bounce.example.com") == "bounces.luxsci.net"
        assert resolver.cname("Bounce.Example.com.") == "bounces.luxsci.net"
        assert resolver.cname("other.example.com") is None
        records["other.example.com"] = "bounces.luxsci.net"  # published later: seen at once
        assert resolver.cname("other.example.com") == "bounces.luxsci.net"
    finally:
        server.stop()


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_a_server_on_ipv6_gives_an_address_the_resolver_reads() -> None:
    server = DnsServer(lambda: {"b.example.com": "bounces.luxsci.net"}, host="::1").start()
    try:
        assert server.address.startswith("[::1]:")
        assert Dns.parse(server.address).cname("b.example.com") == "bounces.luxsci.net"
    finally:
        server.stop()


def test_a_server_that_does_not_answer_is_said_so() -> None:
    server = DnsServer(dict).start()
    address = server.address
    server.stop()
    parsed = Dns.parse(address)
    with pytest.raises(OutsideUnknown, match=r"DNS did not answer for bounce\.example\.com"):
        Dns(parsed.nameservers, parsed.port, timeout=0.5).cname("bounce.example.com")


def test_a_nameserver_is_host_and_optional_port() -> None:
    assert Dns.parse("127.0.0.1:5353") == Dns(("127.0.0.1",), 5353)
    assert Dns.parse("10.0.0.53") == Dns(("10.0.0.53",))
    assert Dns.parse("::1") == Dns(("::1",))
    assert Dns.parse("[::1]:5353") == Dns(("::1",), 5353)
    assert Dns.parse("[fd00::53]") == Dns(("fd00::53",))
    assert Dns.parse(None) == Dns()
