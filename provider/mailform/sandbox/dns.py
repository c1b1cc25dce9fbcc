"""The sandbox's DNS: the records an account's owner publishes, served over UDP on loopback.

LuxSci creates a custom bounce domain only once the domain's CNAME to one of its targets is
published, and mailform's plan checks that through DNS. For the sandbox to stand in for the
world as well as for the API, it keeps the records its seeds publish (``sandbox: {dns:
{bounce.example.com: bounces.luxsci.net}}``, in the state's ``dns`` section) and answers
CNAME queries for them: the record's target, or NXDOMAIN for a name it does not hold.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Mapping

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

log = logging.getLogger(__name__)

#: Seconds the answers may be cached.
TTL = 60


def answer(query: bytes, records: Mapping[str, str]) -> bytes:
    """The wire-format answer to a wire-format ``query`` from CNAME ``records``
    (name → target, without final dots)."""
    request = dns.message.from_wire(query)
    response = dns.message.make_response(request)
    response.flags |= dns.flags.AA
    for question in request.question:
        name = question.name.to_text(omit_final_dot=True).lower()
        target = records.get(name)
        if target is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            continue
        if question.rdtype in (dns.rdatatype.CNAME, dns.rdatatype.A, dns.rdatatype.ANY):
            response.answer.append(
                dns.rrset.from_text(question.name, TTL, dns.rdataclass.IN, "CNAME", f"{target}.")
            )
    return response.to_wire()


class DnsServer:
    """Answers DNS queries over UDP on ``host`` (a free port unless ``port`` is given), in
    a background thread, from ``records()`` read afresh for each query."""

    def __init__(
        self, records: Callable[[], Mapping[str, str]], *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.records = records
        self.host = host
        self.port = port
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def address(self) -> str:
        """``host:port`` of the running server, as ``--dns`` takes it (an IPv6 host in
        brackets: ``[::1]:5353``)."""
        if self._socket is None:
            raise RuntimeError("the sandbox DNS server is not running")
        host, port = self._socket.getsockname()[:2]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def start(self) -> DnsServer:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_DGRAM)
        self._socket.bind((self.host, self.port))
        # Closing a socket does not wake a thread blocked in recvfrom: poll for the stop.
        self._socket.settimeout(0.1)
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._serve, name="mailform-sandbox-dns", daemon=True
        )
        self._thread.start()
        return self

    def _serve(self) -> None:
        assert self._socket is not None
        sock = self._socket
        while not self._stopping.is_set():
            try:
                query, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:  # closed: stop
                return
            try:
                sock.sendto(answer(query, self.records()), peer)
            except Exception:
                log.debug("serve: unreadable query from %s", peer, exc_info=True)

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._socket is not None:
            self._socket.close()
        self._socket = self._thread = None
