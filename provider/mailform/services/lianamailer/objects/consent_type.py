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
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import Field

from mailform.engine.fieldtypes import DomainSet
from mailform.engine.objecttype import (
    Declared,
    LiveObject,
    ObjectType,
    Reference,
    first_of_each_key,
)
from mailform.services.lianamailer.objects.base import ObjectApi, find
from mailform.services.lianamailer.objects.site import SITES, SITES_CACHE, SiteApi, site_rows


class ConsentTypeApi(ObjectApi):
    """getConsentTypes, createConsentType, editConsentType, deleteConsentType."""

    def list(self) -> list[dict[str, Any]]:
        """Every consent type, one call."""
        return self.client.read("getConsentTypes") or []

    def find(self, name: str) -> dict[str, Any] | None:
        """The oldest consent type called ``name``, or None."""
        rows = sorted(self.list(), key=lambda row: row.get("consent_id") or 0)
        return find(rows, lambda row: row.get("name") == name)

    def create(self, name: str, revokable: bool) -> dict[str, Any]:
        """Create a consent type; answers its row. Only called when none has the name."""
        consent_id = self.client.create(
            "createConsentType", name, revokable, find_existing=lambda: self.find(name)
        )
        if isinstance(consent_id, dict):
            return consent_id
        row = find(self.list(), lambda row: row.get("consent_id") == consent_id)
        return row or {"consent_id": consent_id, "name": name, "is_revokable": revokable}

    def edit(self, consent_id: int, name: str, revokable: bool) -> None:
        """Set name and revokable flag (a new revision when either changes)."""
        self.client.write("editConsentType", consent_id, name, revokable)

    def delete(self, consent_id: int) -> None:
        """Delete a consent type (refused while a site offers it)."""
        self.client.delete("deleteConsentType", consent_id)


_SITE_LOCKS: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
_SITE_LOCKS_GUARD = threading.Lock()


def _site_lock(domain: str) -> threading.Lock:
    with _SITE_LOCKS_GUARD:
        return _SITE_LOCKS[domain]


def set_offered(client: Any, consent_id: int, domains: Iterable[str], offered: bool) -> None:
    """Add ``consent_id`` to (or remove it from) the ``consents`` of each site."""
    api = SiteApi(client)
    for domain in sorted(set(domains)):
        with _site_lock(domain):
            row = api.get(domain)
            if row is None:
                if offered:
                    raise LookupError(f"site {domain} does not exist")
                continue
            current = set(row.get("consents") or ())
            wanted = current | {consent_id} if offered else current - {consent_id}
            if wanted != current:
                api.update(domain, {"consents": sorted(wanted)})


class ConsentType(Declared):
    """A kind of consent recipients give (and, when revokable, withdraw)."""

    name: str = Field(min_length=1, description="The consent type's name.")
    renamed_from: str | None = Field(
        default=None,
        description="The consent type's previous name: rename that one (keeping its "
        "recipients' consents) rather than create a new one. Remove it once applied.",
    )
    is_revokable: bool | None = Field(
        default=None,
        description="Recipients may withdraw the consent (true when a new one is created "
        "without it).",
    )
    sites: DomainSet | None = Field(
        default=None, description="Domains of declared sites that offer this consent type."
    )


class ConsentTypeKind(ObjectType[ConsentType]):
    """Consent types: created, edited (a new revision), offered on sites, deleted."""

    service = "lianamailer"
    name = "consent_types"
    title = "ConsentType"
    model = ConsentType
    key_fields = ("name",)
    refers_to = (SITES,)
    computed = ("consent_id", "consent_revision")
    rename_field = "renamed_from"

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        return [SITES.reference(domain, field="sites") for domain in fields.get("sites") or ()]

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        rows = session.cached(CONSENT_TYPES_CACHE, ConsentTypeApi(session.client).list)
        offered_on: defaultdict[Any, list[str]] = defaultdict(list)
        for site in site_rows(session):
            for consent_id in site.get("consents") or ():
                offered_on[consent_id].append(site["domain"])
        objects = [self._live(row, offered_on[row.get("consent_id")]) for row in rows]
        return first_of_each_key(objects)

    def create(self, session: Any, declared: ConsentType) -> LiveObject:
        """Create the consent type (a declared rename of a live one is an ``update``, in the
        CLI plan and under Pulumi alike)."""
        api = ConsentTypeApi(session.client)
        revokable = True if declared.is_revokable is None else declared.is_revokable
        row = api.create(declared.name, revokable)
        session.forget(CONSENT_TYPES_CACHE)
        if declared.sites:
            set_offered(session.client, row["consent_id"], declared.sites, offered=True)
            session.forget(SITES_CACHE)
        return self._live(row, declared.sites or [])

    def update(
        self, session: Any, live: LiveObject, declared: ConsentType, changed: set[str]
    ) -> LiveObject:
        consent_id = live.api_id
        row = dict(live.raw)
        if changed & {"name", "is_revokable"}:
            revokable = declared.is_revokable
            if "is_revokable" not in declared.model_fields_set:
                revokable = live.fields.get("is_revokable")
            api = ConsentTypeApi(session.client)
            api.edit(consent_id, declared.name, bool(revokable))
            session.forget(CONSENT_TYPES_CACHE)
            # An edit starts a new revision, which recipients' consents record: read the row
            # back, so that the consent_revision output is the new one, not the old.
            fresh = next((r for r in api.list() if r.get("consent_id") == consent_id), None)
            row = fresh or {**row, "name": declared.name, "is_revokable": bool(revokable)}
        sites = live.fields.get("sites") or []
        if "sites" in changed:
            wanted, current = set(declared.sites or ()), set(sites)
            set_offered(session.client, consent_id, wanted - current, offered=True)
            set_offered(session.client, consent_id, current - wanted, offered=False)
            session.forget(SITES_CACHE)
            sites = sorted(wanted)
        return self._live(row, sites)

    def delete(self, session: Any, live: LiveObject) -> None:
        """Detach the consent type from every site offering it now (not only those the
        plan saw: a site may have started offering it since), then delete it."""
        offering = self.read_one(session, live.raw).fields.get("sites") or []
        if offering:
            set_offered(session.client, live.api_id, offering, offered=False)
            session.forget(SITES_CACHE)
        ConsentTypeApi(session.client).delete(live.api_id)
        session.forget(CONSENT_TYPES_CACHE)

    def read_one(self, session: Any, row: dict[str, Any]) -> LiveObject:
        """A consent type's row as live, with the sites that offer it now."""
        sites = [
            site["domain"]
            for site in SiteApi(session.client).list()
            if row.get("consent_id") in (site.get("consents") or ())
        ]
        return self._live(row, sites)

    def _live(self, row: dict[str, Any], sites: Iterable[str]) -> LiveObject:
        fields = {
            "name": row.get("name"),
            "is_revokable": row.get("is_revokable"),
            "sites": sorted(sites),
        }
        fields = self.normalise_live(fields)
        return LiveObject(self.id_of(fields), fields, row.get("consent_id"), row)


CONSENT_TYPES_CACHE = ("lianamailer", "consent_types")

CONSENT_TYPES = ConsentTypeKind()
