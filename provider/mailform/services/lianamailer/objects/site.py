"""Subscription sites, keyed by domain: ``sites``, ``getSite``, ``createSite``, ``updateSite``
(partial), ``deleteSite``.

A site cannot be renamed (a new domain is a new site) and cannot be deleted while mailing
lists use it; the lists reference their site, so plans order those changes for it. Which
consent types a site offers is declared on each consent type (``consent_type.py``), not here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, Field

from mailform.engine.fieldtypes import DomainName
from mailform.engine.objecttype import Declared, LiveObject
from mailform.errors import NotFound
from mailform.services.lianamailer.objects.calls import Calls, CallType

if TYPE_CHECKING:
    from mailform.services.lianamailer.client import LianaMailerClient

#: The site settings mailform manages (the keys of the create/update ``settings`` object).
SETTINGS = ("language", "welcome", "ssl")


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


class SiteType(CallType[Site]):
    """Sites: created, updated partially (``updateSite`` keeps the settings it is not
    given), deleted by domain."""

    name = "sites"
    key_fields = ("domain",)
    calls = Calls(
        "sites",
        "domain",
        "createSite",
        "deleteSite",
        listing_args=({"properties": False, "lists": False},),
        detail="getSite",
    )
    wire_fields = SETTINGS
    read_fields = ("consents",)

    def create_args(self, declared: Site) -> Sequence[Any]:
        return (declared.domain, _settings(declared, declared.model_fields_set))

    def update(
        self, session: Any, live: LiveObject, declared: Site, changed: set[str]
    ) -> LiveObject:
        settings = _settings(declared, changed)
        update_site(session.client, live.api_id, settings)
        return self.updated(session, live, {**live.raw, **settings})


def _settings(declared: Site, names: set[str]) -> dict[str, Any]:
    return {name: getattr(declared, name) for name in SETTINGS if name in names}


def get_site(client: LianaMailerClient, domain: str) -> dict[str, Any] | None:
    """getSite: one site (with the consent types it offers), or None."""
    try:
        site: dict[str, Any] | None = client.read(SiteType.calls.detail, domain)
    except NotFound:
        return None
    return site


def update_site(client: LianaMailerClient, domain: str, settings: Mapping[str, Any]) -> None:
    """updateSite: change the given settings; the service keeps the others."""
    client.write("updateSite", domain, dict(settings))


SITES = SiteType()


def site_rows(session: Any) -> list[dict[str, Any]]:
    """Every site, read once per session (consent types read their sites from it too)."""
    return SITES.rows(session)
