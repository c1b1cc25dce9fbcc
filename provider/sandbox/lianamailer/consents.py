"""Consent types: ``createConsentType``, ``getConsentTypes``, ``editConsentType``,
``deleteConsentType``.

Consent types are keyed by a server-assigned integer ``consent_id``; names are not documented
as unique and are not checked. Recipients record consents as (id, revision, language), so an
edit that changes the name or the revokable flag starts a new ``consent_revision``. The
reference types ``editConsentType``'s third parameter as an integer "revision" although it is
named ``is_revokable``; the sandbox reads it as the revokable flag (boolean or 0/1).
"""

from __future__ import annotations

from typing import Any

from provider.sandbox.lianamailer.args import Args
from provider.sandbox.lianamailer.errors import CallFailed
from provider.sandbox.lianamailer.model import Data, next_id

FIELDS = ("consent_id", "consent_revision", "name", "is_revokable")


def _consent(data: Data, consent_id: int) -> Data:
    for item in data["consent_types"]:
        if item["consent_id"] == consent_id:
            return item
    raise CallFailed(f"Consent type not found: {consent_id}")


def create_consent(data: Data, args: Args) -> int:
    """``createConsentType [name, is_revokable]``: answers the new consent id."""
    name = args.string(0, required=True, nonempty=True)
    revokable = bool(args.boolean(1, required=True))
    consent_id = next_id(data, "consent")
    data["consent_types"].append(
        {"consent_id": consent_id, "consent_revision": 1, "name": name, "is_revokable": revokable}
    )
    return consent_id


def get_consents(data: Data, args: Args) -> list[Data]:
    """``getConsentTypes []``: every consent type by id."""
    return [{key: item[key] for key in FIELDS} for item in data["consent_types"]]


def edit_consent(data: Data, args: Args) -> int:
    """``editConsentType [consent_id, name, is_revokable]``: answers ``1``."""
    item = _consent(data, int(args.integer(0, required=True) or 0))
    name = args.string(1, required=True, nonempty=True)
    revokable = bool(args.boolean(2, required=True))
    if (name, revokable) != (item["name"], item["is_revokable"]):
        item.update(name=name, is_revokable=revokable)
        item["consent_revision"] += 1
    return 1


def delete_consent(data: Data, args: Args) -> int:
    """``deleteConsentType [consent_id]``: answers ``1``."""
    item = _consent(data, int(args.integer(0, required=True) or 0))
    data["consent_types"].remove(item)
    return 1


CALLS: dict[str, tuple[tuple[str, ...], Any]] = {
    "createConsentType": (("name", "is_revokable"), create_consent),
    "getConsentTypes": ((), get_consents),
    "editConsentType": (("consent_id", "name", "is_revokable"), edit_consent),
    "deleteConsentType": (("consent_id",), delete_consent),
}
