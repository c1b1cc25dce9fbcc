"""Where a client may send its credentials: over TLS, or in clear only to this machine.

Every request carries what lets anyone who reads it act as the account: LuxSci's token and
a signature cookie that replays, users' passwords, LianaMailer's ``Authorization`` header.
Over plain ``http://`` all of it crosses the network readable, and a typo in CI
(``LUXSCI_API_HOST=http://...``) would do that without a word. So a base URL is checked
once, before the client exists:

- ``https://`` goes anywhere;
- ``http://`` goes only to a loopback host (``127.0.0.0/8``, ``::1``, ``localhost``): the
  local sandbox, a tunnel, a proxy on this machine; to any other host it is refused with
  ``PlainHttpRefused``, unless the caller allows it on purpose (``insecure_http``), and then
  a warning says what travels in clear;
- any other scheme, no host, or no URL at all is a ``BaseUrlRefused`` too.

The rule is the shared client's (``ApiClient``), so both services and every surface (the
CLI, the Pulumi provider, a Python program) obey it. Each surface names its own opt-in
(``PlainHttpRefused.reworded``). No message shows a URL's user information or query.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from typing import TYPE_CHECKING

from mailform.errors import ConfigurationError

if TYPE_CHECKING:
    import httpx

#: The host names that always mean this machine.
LOOPBACK_NAMES = frozenset({"localhost"})

#: How a Python program allows plain http: the clients' option.
PYTHON_OPT_IN = "the client option insecure_http=True"

_USERINFO = re.compile(r"//[^/@]*@")


class BaseUrlRefused(ConfigurationError):
    """A base URL the user set cannot be used: the service is configured, wrongly (so a
    caller that leaves out unconfigured services must not leave this one out). ``setting``
    names what set it (``LUXSCI_API_HOST``)."""

    def __init__(self, message: str, *, setting: str) -> None:
        self.setting = setting
        super().__init__(message)


class PlainHttpRefused(BaseUrlRefused):
    """A base URL would send credentials in clear to another machine, and nobody allowed it.

    ``url`` is the URL as shown (no user information, no query), ``setting`` what set it
    (``LUXSCI_API_HOST``), ``exposes`` what would travel in clear, ``opt_in`` how the user
    allows it where the refusal is shown."""

    def __init__(self, url: str, *, setting: str, exposes: str, opt_in: str) -> None:
        self.url = url
        self.exposes = exposes
        self.opt_in = opt_in
        super().__init__(
            f"{setting} is {url}: plain http to a host other than this machine would carry "
            f"{exposes} in clear, for anyone on the network path to read and reuse; use "
            f"https://, or, to accept that, {opt_in}",
            setting=setting,
        )

    def reworded(self, *, opt_in: str, setting: str | None = None) -> PlainHttpRefused:
        """The same refusal in the words of another surface: its opt-in, and its name for
        the setting (default: the same)."""
        return PlainHttpRefused(
            self.url, setting=setting or self.setting, exposes=self.exposes, opt_in=opt_in
        )


def is_loopback(host: str) -> bool:
    """Whether ``host`` (as ``httpx.URL.host`` gives it: lower case, IPv6 without
    brackets) is this machine: ``localhost``, ``127.0.0.0/8`` or ``::1``."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def shown(url: httpx.URL) -> str:
    """``url`` fit for a message or a log: scheme, host, port and path only."""
    return str(url.copy_with(userinfo=b"", query=None, fragment=None))


def check_base_url(
    base_url: str,
    *,
    setting: str,
    exposes: str,
    insecure_http: bool,
    logger: logging.Logger,
) -> None:
    """Refuse ``base_url`` unless credentials may travel to it (the module's rule).

    ``setting`` names where the URL comes from and ``exposes`` what its requests carry,
    for the messages. Raises ``PlainHttpRefused`` for plain http to another machine when
    ``insecure_http`` is false (and warns on ``logger`` when it is true), and
    ``BaseUrlRefused`` for a URL that is not http(s) with a host.
    """
    # Parsed by the client's own URL type, so that the check sees the host the requests
    # go to; imported here, as the module is imported by verbs that send nothing.
    import httpx

    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL as error:
        raise BaseUrlRefused(
            f"{setting} is not a URL ({_USERINFO.sub('//', base_url)!r}: {error}); give a "
            "host name (https implied) or an https:// URL",
            setting=setting,
        ) from None
    if url.scheme not in ("http", "https") or not url.host:
        raise BaseUrlRefused(
            f"{setting} is {shown(url)}: not a host name or an https:// URL (mailform calls "
            "the APIs over https, or over http on this machine only)",
            setting=setting,
        )
    if url.scheme == "https" or is_loopback(url.host):
        return
    if not insecure_http:
        raise PlainHttpRefused(shown(url), setting=setting, exposes=exposes, opt_in=PYTHON_OPT_IN)
    logger.warning(
        "%s is %s: plain http allowed on purpose; %s travel in clear to %s",
        setting,
        shown(url),
        exposes,
        url.host,
    )


__all__ = ["BaseUrlRefused", "PlainHttpRefused", "check_base_url", "is_loopback", "shown"]
