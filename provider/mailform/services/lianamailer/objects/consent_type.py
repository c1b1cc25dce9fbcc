"""Consent types, known by name: ``getConsentTypes``, ``createConsentType``,
``editConsentType``, ``deleteConsentType``; offered on sites through each site's
``consents`` setting (``updateSite``), read back from ``sites``.

The service identifies a consent type by an integer id and keeps names unique for nothing;
as for mailing lists, the oldest of a name is the managed one and any other is reported as
an unmanaged duplicate. Recipients record consents by (id, revision, language): an edit of
the name or of ``is_revokable`` starts a new revision of the consent type, which the plan shows
as an ordinary update.

Which sites offer a consent type is declared on the consent type (``sites``), because the
API has no call on the consent type for it: attaching or detaching is a read-modify-write
of each site's ``consents`` setting, serialised per site within the process so that two
consent types changing the same site at once cannot lose each other's change. Deleting a
consent type detaches it from its sites first (the service refuses otherwise).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from pydantic import Field

from mailform.engine.fieldtypes import DomainSet, renamed_from
from mailform.engine.objecttype import (
    Declared,
    LiveObject,
    Reference,
    first_of_each_key,
)
from mailform.services.lianamailer.objects.calls import Calls, CallType
from mailform.services.lianamailer.objects.site import SITES, get_site, update_site


class Offerings:
    """Which consent types each site offers, for this process's writes.

    Attaching a consent type to a site is a read-modify-write of the site's whole
    ``consents`` setting. The sites are read once (one ``sites`` call, at the session's first
    consent change, so that it is fresh) and then kept up to date with the process's own
    ``updateSite`` calls, so that each change costs one call, not a ``getSite`` and an
    ``updateSite``. The changes of one site are serialised, so two consent types changing it
    at once cannot lose each other's change. A site this read did not see (created since)
    is read on its own, and so is one read longer ago than the session's ``lifetime`` (a
    long-lived process, where others may have changed it)."""

    def __init__(self, session: Any) -> None:
        self._lifetime: float | None = session.lifetime
        self._consents: dict[str, tuple[set[int], float]] = {}
        self._locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()
        self._remember(SITES.fresh_rows(session))

    def offering(self, session: Any, consent_id: int) -> list[str]:
        """The sites that offer ``consent_id`` (read again when the process is long-lived:
        another may have started offering it)."""
        if self._lifetime is not None:
            self._remember(SITES.fresh_rows(session))
        with self._guard:
            return sorted(d for d, (ids, _) in self._consents.items() if consent_id in ids)

    def offer(
        self, session: Any, consent_id: int, domains: Iterable[str], *, offered: bool
    ) -> None:
        """Add ``consent_id`` to (or remove it from) the ``consents`` of each site."""
        for domain in sorted(set(domains)):
            with self._lock(domain):
                current = self._current(session, domain, required=offered)
                if current is None:
                    continue
                wanted = current | {consent_id} if offered else current - {consent_id}
                if wanted == current:
                    continue
                update_site(session.client, domain, {"consents": sorted(wanted)})
                with self._guard:
                    self._consents[domain] = (wanted, time.monotonic())
                SITES.amend(session, partial(_with, domain=domain, consents=sorted(wanted)))

    def _remember(self, sites: Iterable[Mapping[str, Any]]) -> None:
        now = time.monotonic()
        with self._guard:
            for site in sites:
                domain = site["domain"]
                if not self._locks[domain].locked():  # a change in flight knows better
                    self._consents[domain] = (set(site.get("consents") or ()), now)

    def _lock(self, domain: str) -> threading.Lock:
        with self._guard:
            return self._locks[domain]

    def _current(self, session: Any, domain: str, *, required: bool) -> set[int] | None:
        with self._guard:
            known = self._consents.get(domain)
        if known is not None:
            ids, read_at = known
            if self._lifetime is None or time.monotonic() - read_at < self._lifetime:
                return set(ids)
        row = get_site(session.client, domain)
        if row is None:
            if required:
                raise LookupError(f"site {domain} does not exist")
            return None
        current = set(row.get("consents") or ())
        with self._guard:
            self._consents[domain] = (current, time.monotonic())
        return set(current)


_OFFERINGS: weakref.WeakKeyDictionary[Any, Offerings] = weakref.WeakKeyDictionary()
_OFFERINGS_GUARD = threading.Lock()


def offerings(session: Any) -> Offerings:
    """The session's one ``Offerings``, read at its first use. One object per session, not a
    cached list that a concurrent write may drop: two trackers of one site would each
    write its ``consents`` without the other's change."""
    with _OFFERINGS_GUARD:
        found = _OFFERINGS.get(session)
        if found is None:
            found = _OFFERINGS[session] = Offerings(session)
        return found


def _with(rows: list[dict[str, Any]], *, domain: str, consents: list[int]) -> list[dict[str, Any]]:
    return [{**row, "consents": consents} if row.get("domain") == domain else row for row in rows]


class ConsentType(Declared):
    """A kind of consent recipients give (and, when revokable, withdraw)."""

    name: str = Field(min_length=1, description="The consent type's name.")
    renamed_from: str | None = renamed_from("its recipients' consents")
    is_revokable: bool | None = Field(
        default=None,
        description="Recipients may withdraw the consent (true when a new one is created "
        "without it).",
    )
    sites: DomainSet | None = Field(
        default=None, description="Domains of declared sites that offer this consent type."
    )


class ConsentTypeKind(CallType[ConsentType]):
    """Consent types: created, edited (a new revision), offered on sites, deleted."""

    name = "consent_types"
    key_fields = ("name",)
    refers_to = (SITES,)
    computed = ("consent_id", "consent_revision")
    computed_on_create = ("consent_revision",)
    computed_on_update = ("consent_revision",)
    rename_field = "renamed_from"
    # createConsentType takes a name and is_revokable; the sites come after, one updateSite
    # each: a create stopped in between leaves a consent type no site offers yet.
    completed_after_create = ("sites",)
    calls = Calls("getConsentTypes", "consent_id", "createConsentType", "deleteConsentType")
    wire_fields = ("is_revokable", "sites")
    read_fields = ("consent_revision",)
    unique_keys = False

    def answer_fields(self) -> tuple[str, ...]:
        """``sites`` comes from the sites' ``consents``, not from this type's rows."""
        return tuple(name for name in super().answer_fields() if name != "sites")

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        return [SITES.reference(domain, field="sites") for domain in fields.get("sites") or ()]

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        """The consent types, each with the sites that offer it (read from the sites)."""
        offered_on: defaultdict[Any, list[str]] = defaultdict(list)
        for site in SITES.rows(session):
            for consent_id in site.get("consents") or ():
                offered_on[consent_id].append(site["domain"])
        rows = self.rows(session)
        return first_of_each_key(
            [self.live({**row, "sites": offered_on[row.get("consent_id")]}) for row in rows]
        )

    def row_fields(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().row_fields(row), "sites": sorted(row.get("sites") or ())}

    def create_args(self, declared: ConsentType) -> Sequence[Any]:
        return (declared.name, True if declared.is_revokable is None else declared.is_revokable)

    def read_back(self, session: Any, written: LiveObject, declared: ConsentType) -> LiveObject:
        """The row as the service has it, from a fresh list (the API has no call reading one
        consent type): a new type's first revision, or the revision an edit started, which
        recipients' consents record, so the ``consent_revision`` output must be it; with
        the sites the write left it offered on."""
        rows = self.fresh_rows(session)
        row = next((r for r in rows if r.get("consent_id") == written.api_id), None)
        sites = written.fields.get("sites") or []
        return written if row is None else self.live({**row, "sites": sites})

    def create(self, session: Any, declared: ConsentType) -> LiveObject:
        """Create the consent type, then offer it on its sites (a declared rename of a live
        one is an ``update``, in the CLI plan and under Pulumi alike)."""
        created = super().create(session, declared)
        if declared.sites:
            offerings(session).offer(session, created.api_id, declared.sites, offered=True)
        return self.live({**created.raw, "sites": declared.sites or []})

    def update(
        self, session: Any, live: LiveObject, declared: ConsentType, changed: set[str]
    ) -> LiveObject:
        consent_id = live.api_id
        row = dict(live.raw)
        if changed & {"name", "is_revokable"}:
            revokable = declared.is_revokable
            if "is_revokable" not in declared.model_fields_set:
                revokable = live.fields.get("is_revokable")
            session.client.write("editConsentType", consent_id, declared.name, bool(revokable))
            row = {**row, "name": declared.name, "is_revokable": bool(revokable)}
        sites = live.fields.get("sites") or []
        if "sites" in changed:
            wanted, current = set(declared.sites or ()), set(sites)
            tracked = offerings(session)
            tracked.offer(session, consent_id, wanted - current, offered=True)
            tracked.offer(session, consent_id, current - wanted, offered=False)
            sites = sorted(wanted)
        return self.updated(session, live, {**row, "sites": sites})

    def delete(self, session: Any, live: LiveObject) -> None:
        """Detach the consent type from every site offering it (as the session's fresh
        read and its own writes have them, not only the sites the plan saw: a site may
        have started offering it since), then delete it."""
        tracked = offerings(session)
        tracked.offer(session, live.api_id, tracked.offering(session, live.api_id), offered=False)
        super().delete(session, live)


CONSENT_TYPES = ConsentTypeKind()
