"""Subscription sites, keyed by domain: ``sites``, ``getSite``, ``createSite``, ``updateSite``
(partial), ``deleteSite``.

A site cannot be renamed (a new domain is a new site) and cannot be deleted while mailing
lists use it; the lists reference their site, so plans order those changes for it. Which
consent types a site offers is declared on each consent type (``consent_type.py``), not here.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field

from mailform.engine.fieldtypes import DomainName
from mailform.engine.objecttype import Declared, LiveObject, ObjectType
from mailform.errors import NotFound
from mailform.services.lianamailer.objects.base import ObjectApi

#: The site settings mailform manages (the keys of the create/update ``settings`` object).
SETTINGS = ("language", "welcome", "ssl")


class SiteApi(ObjectApi):
    """sites, getSite, createSite, updateSite, deleteSite."""

    def list(self) -> list[dict[str, Any]]:
        """Every site, one call, without the embedded property and list summaries."""
        return self.client.read("sites", {"properties": False, "lists": False}) or []

    def get(self, domain: str) -> dict[str, Any] | None:
        """One site, or None."""
        try:
            site: dict[str, Any] | None = self.client.read("getSite", domain)
        except NotFound:
            return None
        return site

    def create(self, domain: str, settings: dict[str, Any]) -> dict[str, Any]:
        """Create a site; answers it as the service reports it."""
        self.client.create("createSite", domain, settings, find_existing=lambda: self.get(domain))
        return self.get(domain) or {"domain": domain, **settings}

    def update(self, domain: str, settings: dict[str, Any]) -> None:
        """Change the given settings; the service keeps the others."""
        self.client.write("updateSite", domain, settings)

    def delete(self, domain: str) -> None:
        """Delete a site; the service refuses while mailing lists use it."""
        self.client.delete("deleteSite", domain)


def _language_code(value: str) -> str:
    code = value.strip().upper()
    if not code:
        raise ValueError("a language code is required (like FI or EN)")
    return code


#: A language code as the service writes it (``FI``, ``EN``).
LanguageCode = Annotated[str, AfterValidator(_language_code)]


class Site(Declared):
    """A subscription site: the public pages where recipients join mailing lists."""

    domain: DomainName = Field(description="The site's domain, e.g. news.example.com.")
    language: LanguageCode | None = Field(
        default=None, description="The site's language code, e.g. FI or EN (service default FI)."
    )
    welcome: int | None = Field(
        default=None,
        description="The id of the delivery sent as a welcome mail to new subscribers; null: none.",
    )
    ssl: bool | None = Field(default=None, description="Serve the site over HTTPS.")


class SiteType(ObjectType[Site]):
    """Sites: created, updated partially, deleted by domain."""

    service = "lianamailer"
    name = "sites"
    title = "Site"
    model = Site
    key_fields = ("domain",)

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        return [self._live(row) for row in site_rows(session)]

    def create(self, session: Any, declared: Site) -> LiveObject:
        settings = _settings(declared, declared.model_fields_set)
        row = SiteApi(session.client).create(declared.domain, settings)
        session.forget(SITES_CACHE)
        return self._live(row)

    def update(
        self, session: Any, live: LiveObject, declared: Site, changed: set[str]
    ) -> LiveObject:
        settings = _settings(declared, changed)
        SiteApi(session.client).update(live.api_id, settings)
        session.forget(SITES_CACHE)
        return self._live({**live.raw, **settings})

    def delete(self, session: Any, live: LiveObject) -> None:
        SiteApi(session.client).delete(live.api_id)
        session.forget(SITES_CACHE)

    def _live(self, row: dict[str, Any]) -> LiveObject:
        fields = self.normalise_live({"domain": row["domain"], **{k: row.get(k) for k in SETTINGS}})
        return LiveObject(self.id_of(fields), fields, row["domain"], row)


def _settings(declared: Site, names: set[str]) -> dict[str, Any]:
    return {name: getattr(declared, name) for name in SETTINGS if name in names}


SITES_CACHE = ("lianamailer", "sites")


def site_rows(session: Any) -> list[dict[str, Any]]:
    """Every site, read once per session (consent types read their sites from it too)."""
    rows: list[dict[str, Any]] = session.cached(SITES_CACHE, SiteApi(session.client).list)
    return rows


SITES = SiteType()
