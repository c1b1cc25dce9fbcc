"""A session: one run's connection to a service, with its list calls cached.

Planning reads each object type with one list call (per owning user, for user-scope types);
several object types read the same list (bounce domains come from the domains report,
templates need the template groups to turn ids into names). The session caches each list,
so each is fetched once, and forgets it when a change makes it stale.

A CLI run caches for the whole run; a long-lived process (the Pulumi plugin) gives lists a
``lifetime`` so that changes made outside it are seen again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar, cast

C = TypeVar("C")
T = TypeVar("T")


class Session(Generic[C]):
    """Holds a service's API client and a thread-safe cache of list results.

    ``lifetime`` (seconds; None: forever) bounds how long a list is reused. A list whose
    fetch overlapped a change to it (``amend``, ``forget``) is returned to its caller but not
    kept, so a read racing a create never pins a list that lacks the new object; a fetch of
    another list is kept (a deployment creates all the time, and its checks read lists
    meanwhile).
    """

    def __init__(
        self,
        client: C,
        *,
        lifetime: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.lifetime = lifetime
        self._clock = clock
        self._cache: dict[Hashable, Any] = {}
        self._read_at: dict[Hashable, float] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()
        #: The keys being fetched, each with whether a change spoiled the fetch.
        self._fetching: dict[Hashable, bool] = {}

    def cached(self, key: Hashable, fetch: Callable[[], T]) -> T:
        """``fetch()``'s result, computed once per key while fresh; concurrent callers of the
        same key wait for the first instead of fetching again.

        The cache holds lists of many kinds, so it cannot say what a key's value is; every
        caller of a key fetches the same kind of value (the key names the list), which is what
        makes the cached value the caller's ``T``."""
        with self._guard:
            if self._fresh(key):
                return cast(T, self._cache[key])
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if self._fresh(key):
                    return cast(T, self._cache[key])
                self._fetching[key] = False
            try:
                value = fetch()
            finally:
                with self._guard:
                    spoiled = self._fetching.pop(key)
            with self._guard:
                if not spoiled and self.lifetime != 0:
                    self._cache[key] = value
                    self._read_at[key] = self._clock()
            return value

    def amend(self, key: Hashable, change: Callable[[Any], Any]) -> None:
        """Apply a write this process made to a cached list (``change`` answers the list
        with a created row added, an updated one replaced, a deleted one removed) instead of
        dropping it: the next reader of the run keeps using the one read it made, so a run
        of N creates costs N calls, not N creates and N re-reads. Like ``forget``, it makes a
        fetch in flight during the write not kept, since that fetch may miss the write."""
        with self._guard:
            self._spoil(lambda fetching: self._is_stale_after(fetching, key))
            for stale in [k for k in self._cache if k != key and self._is_stale_after(k, key)]:
                self._cache.pop(stale, None)
                self._read_at.pop(stale, None)
            if key in self._cache:
                changed = change(self._cache[key])
                if changed is None:
                    self._cache.pop(key, None)
                    self._read_at.pop(key, None)
                else:
                    self._cache[key] = changed

    def forget(self, key: Hashable) -> None:
        """Drop a cached list after a change made it stale."""
        with self._guard:
            self._spoil(lambda fetching: self._is_stale_after(fetching, key))
            for stale in [k for k in self._cache if self._is_stale_after(k, key)]:
                self._cache.pop(stale, None)
                self._read_at.pop(stale, None)

    def forget_matching(self, stale: Callable[[Hashable], bool]) -> None:
        """Drop every cached list whose key ``stale`` accepts (a renamed user's lists, whose
        paths name the login)."""
        with self._guard:
            dropped = [k for k in (*self._cache, *self._fetching) if stale(k)]
            self._spoil(lambda f: any(self._is_stale_after(f, d) for d in dropped))
            for key in [k for k in self._cache if any(self._is_stale_after(k, d) for d in dropped)]:
                self._cache.pop(key, None)
                self._read_at.pop(key, None)

    def close(self) -> None:
        """Close the client (revoking its auth session, where the service has one)."""
        close = getattr(self.client, "close", None)
        if close is not None:
            close()

    def _spoil(self, stale: Callable[[Hashable], bool]) -> None:
        """Mark the fetches in flight that a change makes stale (guard held)."""
        for fetching in self._fetching:
            if stale(fetching):
                self._fetching[fetching] = True

    def _is_stale_after(self, cached_key: Hashable, changed_key: Hashable) -> bool:
        """Whether forgetting ``changed_key`` makes ``cached_key`` stale; subclasses with
        derived entries (built from several lists) widen this."""
        return cached_key == changed_key

    def _fresh(self, key: Hashable) -> bool:
        if key not in self._cache:
            return False
        if self.lifetime is None:
            return True
        return self._clock() - self._read_at[key] < self.lifetime
