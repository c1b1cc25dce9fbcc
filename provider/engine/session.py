"""A session: one run's connection to a service, with its list calls cached.

Planning reads each object type with one list call (per owning user, for user-scope types);
several object types read the same list (bounce domains come from the domains report,
templates need the template groups to turn ids into names). The session caches each list
for the run, so each is fetched once, and forgets it when a change makes it stale.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

C = TypeVar("C")


class Session(Generic[C]):
    """Holds a service's API client and a thread-safe, per-run cache of list results."""

    def __init__(self, client: C) -> None:
        self.client = client
        self._cache: dict[Hashable, Any] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def cached(self, key: Hashable, fetch: Callable[[], Any]) -> Any:
        """``fetch()``'s result, computed once per key until ``forget``; concurrent callers
        of the same key wait for the first instead of fetching again."""
        with self._guard:
            if key in self._cache:
                return self._cache[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._cache:
                    return self._cache[key]
            value = fetch()
            with self._guard:
                self._cache[key] = value
            return value

    def forget(self, key: Hashable) -> None:
        """Drop a cached list after a change made it stale."""
        with self._guard:
            self._cache.pop(key, None)

    def close(self) -> None:
        """Close the client (revoking its auth session, where the service has one)."""
        close = getattr(self.client, "close", None)
        if close is not None:
            close()
