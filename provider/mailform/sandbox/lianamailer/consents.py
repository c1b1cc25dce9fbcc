"""Consent types: ``createConsentType``, ``getConsentTypes``, ``getConsentTypesBySite``,
``editConsentType``, ``deleteConsentType``.

Consent types are keyed by a server-assigned integer ``consent_id``; names are not documented
as unique and are not checked. Recipients record consents as (id, revision, language), so an
edit that changes the name or the revokable flag starts a new ``consent_revision``. The
reference types ``editConsentType``'s third parameter as an integer "revision" although it is
named ``is_revokable``; the sandbox reads it as the revokable flag (boolean or 0/1).

A consent type is attached to a site by the site's ``consents`` setting (see
:mod:`mailform.sandbox.lianamailer.sites`); one that a site still offers cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from mailform.sandbox.lianamailer.args import Args
from mailform.sandbox.lianamailer.errors import CallFailed
from mailform.sandbox.lianamailer.model import (
    Data,
    add,
    consent_type,
    next_id,
    offered_consents,
    ordered,
    site,
)

FIELDS = ("consent_id", "consent_revision", "name", "is_revokable")


def _view(item: Data) -> Data:
    return {key: item[key] for key in FIELDS}


def create_consent(data: Data, args: Args) -> int:
    """``createConsentType [name, is_revokable]``: answers the new consent id."""
    name = args.string(0, required=True, nonempty=True)
    revokable = bool(args.boolean(1, required=True))
    consent_id = next_id(data, "consent")
    item = {
        "consent_id": consent_id,
        "consent_revision": 1,
        "name": name,
        "is_revokable": revokable,
    }
    add(data, "consent_types", item)
    return consent_id


def get_consents(data: Data, args: Args) -> list[Data]:
    """``getConsentTypes []``: every consent type by id."""
    return [_view(item) for item in ordered(data, "consent_types")]


def get_consents_by_site(data: Data, args: Args) -> list[Data]:
    """``getConsentTypesBySite [site]``: the consent types the site offers, by id."""
    offered = set(offered_consents(site(data, str(args.string(0, required=True, nonempty=True)))))
    return [_view(item) for item in ordered(data, "consent_types") if item["consent_id"] in offered]


def edit_consent(data: Data, args: Args) -> int:
    """``editConsentType [consent_id, name, is_revokable]``: answers ``1``."""
    item = consent_type(data, int(args.integer(0, required=True) or 0))
    name = args.string(1, required=True, nonempty=True)
    revokable = bool(args.boolean(2, required=True))
    if (name, revokable) != (item["name"], item["is_revokable"]):
        item.update(name=name, is_revokable=revokable)
        item["consent_revision"] += 1
    return 1


def delete_consent(data: Data, args: Args) -> int:
    """``deleteConsentType [consent_id]``: answers ``1``; refused while sites offer it."""
    item = consent_type(data, int(args.integer(0, required=True) or 0))
    users = [
        domain
        for domain in sorted(data["sites"])
        if item["consent_id"] in offered_consents(data["sites"][domain])
    ]
    if users:
        in_use = f"Consent type {item['consent_id']} is in use by sites [{', '.join(users)}]"
        raise CallFailed(in_use)
    del data["consent_types"][str(item["consent_id"])]
    return 1


CALLS: dict[str, tuple[tuple[str, ...], Any]] = {
    "createConsentType": (("name", "is_revokable"), create_consent),
    "getConsentTypes": ((), get_consents),
    "getConsentTypesBySite": (("site",), get_consents_by_site),
    "editConsentType": (("consent_id", "name", "is_revokable"), edit_consent),
    "deleteConsentType": (("consent_id",), delete_consent),
}
