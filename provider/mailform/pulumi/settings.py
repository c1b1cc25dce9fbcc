"""Where the provider's settings come from: the stack's config, then environment variables.

Every setting has one name per source, mirroring each other: the config key
``luxsci:apiToken`` is the variable ``LUXSCI_API_TOKEN`` (service, then the key in
SCREAMING_SNAKE_CASE). The provider turns the stack config it receives in ``configure``
into variables by that rule and lays them over the process environment *at call time*, so:

- ``pulumi config set --secret luxsci:apiSecret …`` works (the engine unwraps config secrets
  for ``configure``), and wins over the environment, since it belongs to the stack;
- credentials rotated in the environment are used by the next call, without a ``pulumi up``;
- nothing about credentials is ever a resource input, or on the pickled provider.

Besides the credentials the clients read (``docs/pulumi.md`` lists them), these settings
belong to the provider itself:

- ``rateLimit``: requests per minute; 0 turns the client's limiter off (the local sandbox);
- ``readCacheSeconds``: how long a list read is shared between calls; by default for the
  whole command, and 0 shares nothing;
- ``allowDestructive``: the CLI's ``--allow-destructive``, the object types (by stack-file
  name, ``users,lists``) whose deletion or replacement may destroy data;
  ``allowDeleteUsers: true`` is the same as ``users``;
- ``createLimits``: the integration's 24-hour create limits, as the stack file's
  ``mailform.create_limits`` (``aliases=50,users=5``);
- ``dns``: the resolver asked about records a create depends on;
- ``insecureHttp``: the CLI's ``--insecure-http``, which allows an ``apiHost``/``apiUrl``
  of plain http to a host other than this machine, sending the credentials in clear
  (``mailform.http.baseurl``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mailform.engine.outside import Dns
from mailform.errors import ConfigurationError

#: Seconds a list read is shared between provider calls, unless configured: None, for as
#: long as the plugin process lives, which is one ``pulumi`` command. A deployment then
#: reads each list once, as a CLI plan does, and its own writes keep the lists current
#: (``Session.amend``); a lifetime in seconds would make a deployment longer than it read
#: every list again, and one paced by the rate limit (a thousand creates at LuxSci's 60 a
#: minute take 17 minutes) would spend a share of its budget on reads.
DEFAULT_READ_CACHE_SECONDS: float | None = None

RATE_LIMIT = "rateLimit"
READ_CACHE_SECONDS = "readCacheSeconds"
ALLOW_DELETE_USERS = "allowDeleteUsers"
ALLOW_DESTRUCTIVE = "allowDestructive"
DNS = "dns"
CREATE_LIMITS = "createLimits"
INSECURE_HTTP = "insecureHttp"

_TRUE = frozenset({"1", "true", "yes", "on"})


def env_name(service: str, key: str) -> str:
    """The environment variable mirroring config key ``key`` of ``service``:
    ``("luxsci", "apiToken")`` → ``LUXSCI_API_TOKEN``."""
    return f"{service}_{re.sub(r'(?<!^)(?=[A-Z])', '_', key)}".upper()


def config_key(service: str, variable: str) -> str:
    """The config key mirroring an environment variable: ``LUXSCI_API_TOKEN`` →
    ``luxsci:apiToken`` (for messages that tell the user what to set)."""
    words = variable.lower().removeprefix(f"{service}_").split("_")
    return f"{service}:{words[0]}{''.join(word.title() for word in words[1:])}"


def raw_config(config: Any) -> Mapping[str, Any]:
    """Every key of a ``pulumi.dynamic.Config``. The SDK's ``Config`` offers only ``get``
    by name and keeps the namespaced keys in ``_props``; reading them is the one way to
    pass every ``<service>:`` key through without listing them here."""
    props = vars(config).get("_props") if config is not None else None
    return props if isinstance(props, Mapping) else {}


def config_environ(service: str, config: Mapping[str, Any]) -> dict[str, str]:
    """The ``<service>:`` keys of a stack config as environment variables."""
    prefix = f"{service}:"
    return {
        env_name(service, key.removeprefix(prefix)): _text(value)
        for key, value in config.items()
        if key.startswith(prefix) and value is not None
    }


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class ProviderSettings:
    """What one provider call uses: the variables the service's ``connect`` reads (config
    laid over the environment) and the provider's own settings."""

    service: str
    environ: Mapping[str, str]

    @classmethod
    def now(cls, service: str, configured: Mapping[str, str]) -> ProviderSettings:
        """The settings at this moment: ``configured`` (from stack config) over the
        process environment."""
        return cls(service, {**os.environ, **configured})

    def _get(self, key: str) -> str | None:
        value = self.environ.get(env_name(self.service, key))
        return value if value not in (None, "") else None

    @property
    def rate_limit(self) -> float | None:
        """Requests per minute for the client's limiter (None: the client's default)."""
        value = self._get(RATE_LIMIT)
        return None if value is None else self._number(RATE_LIMIT, value)

    @property
    def read_cache_seconds(self) -> float | None:
        """How long a list read is shared between calls (None: for the plugin's life)."""
        value = self._get(READ_CACHE_SECONDS)
        if value is None:
            return DEFAULT_READ_CACHE_SECONDS
        return max(0.0, self._number(READ_CACHE_SECONDS, value))

    @property
    def allow_delete_users(self) -> bool:
        """Whether users (and their mail) may be deleted."""
        return "users" in self.allowed_destructive

    @property
    def allowed_destructive(self) -> frozenset[str]:
        """The object types (stack-file names of this service) whose deletion or replacement
        may destroy data: ``allowDestructive: users,lists``, plus ``users`` when
        ``allowDeleteUsers`` is true."""
        listed = (self._get(ALLOW_DESTRUCTIVE) or "").replace(" ", "").split(",")
        allowed = {name for name in listed if name}
        if (self._get(ALLOW_DELETE_USERS) or "").strip().lower() in _TRUE:
            allowed.add("users")
        return frozenset(allowed)

    @property
    def dns(self) -> Dns:
        """The DNS server a create asks about records it depends on (a bounce domain's
        CNAME): ``<service>:dns``, else ``MAILFORM_DNS`` (as for the CLI), else the
        system's."""
        return Dns.parse(self._get(DNS) or self.environ.get("MAILFORM_DNS"))

    @property
    def insecure_http(self) -> bool:
        """Whether the base URL may be plain http to a host other than this machine:
        ``<service>:insecureHttp``, else ``MAILFORM_INSECURE_HTTP`` (as for the CLI), true
        when ``true``/``1``/``yes``/``on``."""
        value = self._get(INSECURE_HTTP) or self.environ.get("MAILFORM_INSECURE_HTTP") or ""
        return value.strip().lower() in _TRUE

    @property
    def create_limits(self) -> dict[str, int]:
        """The integration's 24-hour create limits by ``service.type``, from
        ``createLimits: aliases=50,users=5`` (the types of this service)."""
        limits: dict[str, int] = {}
        for item in (self._get(CREATE_LIMITS) or "").replace(" ", "").split(","):
            if not item:
                continue
            name, _, number = item.partition("=")
            if not name or not number.isdigit():
                key = config_key(self.service, env_name(self.service, CREATE_LIMITS))
                raise ConfigurationError(
                    f"{key} must be type=number pairs separated by commas "
                    f"(aliases=50,users=5); {item!r} is not one"
                )
            limits[f"{self.service}.{name}"] = int(number)
        return limits

    def connection_environ(self) -> dict[str, str]:
        """The variables of this service, for ``Service.connect`` and as the identity of a
        connection (two calls with the same ones share a client)."""
        prefix = f"{self.service.upper()}_"
        return {key: value for key, value in self.environ.items() if key.startswith(prefix)}

    def _number(self, key: str, value: str) -> float:
        try:
            return float(value)
        except ValueError:
            raise ValueError(
                f"{config_key(self.service, env_name(self.service, key))} must be a number"
            ) from None
