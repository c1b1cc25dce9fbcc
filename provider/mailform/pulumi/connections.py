"""One client, one rate limiter and one short-lived list cache per plugin process.

The Pulumi plugin serves every resource of a deployment from one process, four calls at a
time, and keeps one provider instance per object type. A refresh of 1,000 aliases is 1,000
``read`` calls; each needs the alias list, which the API returns whole. So the connection
is process-wide, not per provider instance: every call with the same settings shares one
``Session`` (one client: one auth session, one rate limiter, one connection pool), and the
session's list reads are shared for ``readCacheSeconds``: by default for the life of the
process, which the engine starts for one command, so that a refresh or an ``up`` reads each
list once, as a CLI run does. Every write through the session amends the lists it changed
(and drops the indexes built from them), so the deployment's view stays its own writes
over what it read. A change made by someone else during the command is not seen by it
(as with a CLI plan and its apply): the API refuses what it makes impossible, and the
next command reads it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from mailform.engine.service import Service
from mailform.engine.session import Session
from mailform.errors import ConfigurationError
from mailform.http.baseurl import BaseUrlRefused, PlainHttpRefused
from mailform.pulumi.declarations import Declarations
from mailform.pulumi.settings import INSECURE_HTTP, ProviderSettings, config_key

logger = logging.getLogger(__name__)

#: First element of the cache keys of the provider's own derived indexes (``live``).
INDEX = "pulumi-index"


class ExpiringSession(Session[Any]):
    """A ``Session`` whose lists expire ``lifetime`` seconds after they were read (None:
    never), and whose
    derived indexes (keys starting with ``INDEX``, built from several lists) are dropped
    whenever any list is forgotten. ``declarations`` holds what the deployment declares of
    the account (``mailform.pulumi.declarations``)."""

    def __init__(
        self, client: Any, lifetime: float | None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(client, lifetime=lifetime, clock=clock)
        self.declarations = Declarations()

    def _is_stale_after(self, cached_key: Hashable, changed_key: Hashable) -> bool:
        return cached_key == changed_key or _is_index(cached_key)


def _is_index(key: Hashable) -> bool:
    return isinstance(key, tuple) and bool(key) and key[0] == INDEX


class Connections:
    """The process-wide sessions, one per service and settings; safe for every thread."""

    def __init__(self) -> None:
        self._sessions: dict[str, ExpiringSession] = {}
        self._lock = threading.Lock()

    def session(self, service: Service, settings: ProviderSettings) -> ExpiringSession:
        """The shared session for ``service`` with these settings, connected on first use.

        Raises ``ConfigurationError`` naming the missing config keys and variables (never a
        value) when the credentials are incomplete, and ``BaseUrlRefused`` naming the
        config key when the base URL cannot be used (``PlainHttpRefused``: it would send the
        credentials in clear, and ``insecureHttp`` does not allow it).
        """
        environ = settings.connection_environ()
        identity = _identity(service.name, environ, settings)
        with self._lock:
            session = self._sessions.get(identity)
            if session is None:
                session = ExpiringSession(
                    self._connect(service, environ, settings).client,
                    settings.read_cache_seconds,
                )
                self._sessions[identity] = session
                logger.debug("session: new %s connection", service.name)
            return session

    @staticmethod
    def _connect(
        service: Service, environ: dict[str, str], settings: ProviderSettings
    ) -> Session[Any]:
        try:
            return service.connect(
                environ=environ,
                rate_limit=settings.rate_limit,
                insecure_http=settings.insecure_http,
            )
        except PlainHttpRefused as refused:
            key = config_key(service.name, refused.setting)
            raise refused.reworded(
                setting=f"{key} ({refused.setting})",
                opt_in=f"set the stack config {service.name}:{INSECURE_HTTP} to true",
            ) from None
        except BaseUrlRefused as refused:
            key = config_key(service.name, refused.setting)
            raise BaseUrlRefused(
                f"{refused} (set by the stack config {key}, else {refused.setting})",
                setting=key,
            ) from None
        except ConfigurationError as error:
            hint = ", ".join(
                config_key(service.name, word)
                for word in str(error).replace(",", " ").split()
                if word.startswith(f"{service.name.upper()}_")
            )
            raise ConfigurationError(
                f"{error} (environment variables of the plugin process), or the stack config "
                f"{hint or 'keys'} (pulumi config set --secret …)"
            ) from None


def _identity(service: str, environ: dict[str, str], settings: ProviderSettings) -> str:
    """A digest naming a connection, so that credentials are not kept as dictionary keys."""
    material = repr(
        (service, sorted(environ.items()), settings.read_cache_seconds, settings.insecure_http)
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


#: The connections of this process.
CONNECTIONS = Connections()
