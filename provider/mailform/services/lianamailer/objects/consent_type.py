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
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
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

_SITE_LOCKS: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
_SITE_LOCKS_GUARD = threading.Lock()


def _site_lock(domain: str) -> threading.Lock:
    with _SITE_LOCKS_GUARD:
        return _SITE_LOCKS[domain]


def set_offered(client: Any, consent_id: int, domains: Iterable[str], offered: bool) -> None:
    """Add ``consent_id`` to (or remove it from) the ``consents`` of each site."""
    for domain in sorted(set(domains)):
        with _site_lock(domain):
            row = get_site(client, domain)
            if row is None:
                if offered:
                    raise LookupError(f"site {domain} does not exist")
                continue
            current = set(row.get("consents") or ())
            wanted = current | {consent_id} if offered else current - {consent_id}
            if wanted != current:
                update_site(client, domain, {"consents": sorted(wanted)})


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
    rename_field = "renamed_from"
    calls = Calls("getConsentTypes", "consent_id", "createConsentType", "deleteConsentType")
    wire_fields = ("is_revokable", "sites")
    unique_keys = False

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

    def read_back(self, session: Any, answer: Any, declared: ConsentType) -> dict[str, Any] | None:
        return next((r for r in self.fresh_rows(session) if r.get("consent_id") == answer), None)

    def create(self, session: Any, declared: ConsentType) -> LiveObject:
        """Create the consent type, then offer it on its sites (a declared rename of a live
        one is an ``update``, in the CLI plan and under Pulumi alike)."""
        created = super().create(session, declared)
        if declared.sites:
            set_offered(session.client, created.api_id, declared.sites, offered=True)
            SITES.forget(session)
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
            self.forget(session)
            # An edit starts a new revision, which recipients' consents record: read the row
            # back, so that the consent_revision output is the new one, not the old.
            fresh = self.read_back(session, consent_id, declared)
            row = fresh or {**row, "name": declared.name, "is_revokable": bool(revokable)}
        sites = live.fields.get("sites") or []
        if "sites" in changed:
            wanted, current = set(declared.sites or ()), set(sites)
            set_offered(session.client, consent_id, wanted - current, offered=True)
            set_offered(session.client, consent_id, current - wanted, offered=False)
            SITES.forget(session)
            sites = sorted(wanted)
        return self.live({**row, "sites": sites})

    def delete(self, session: Any, live: LiveObject) -> None:
        """Detach the consent type from every site offering it now (not only those the
        plan saw: a site may have started offering it since), then delete it."""
        offering = [
            site["domain"]
            for site in SITES.fresh_rows(session)
            if live.api_id in (site.get("consents") or ())
        ]
        if offering:
            set_offered(session.client, live.api_id, offering, offered=False)
            SITES.forget(session)
        super().delete(session, live)


CONSENT_TYPES = ConsentTypeKind()
