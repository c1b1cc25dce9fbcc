"""The LianaMailer account's state section and the lookups every object type shares.

The section is plain JSON (it lives in the sandbox's :class:`~mailform.sandbox.store.StateStore`)::

    {"credentials": {"realm", "user_id", "secret"},
     "sites": {domain: site}, "properties": [property], "lists": [list],
     "consent_types": [consent type], "next_id": {"property", "list", "consent"}}

Ids are server-assigned integers from per-type sequences, as the reference's samples show
(``createMailingList`` answers ``60``, ``createConsentType`` ``4``, ``createCustomerProperty``
``123``); sites are keyed by domain.
"""

from __future__ import annotations

from typing import Any

from mailform.sandbox.lianamailer.errors import CallFailed

Data = dict[str, Any]


def new_state(credentials: dict[str, str]) -> Data:
    """An empty account that keeps ``credentials``."""
    return {
        "credentials": dict(credentials),
        "sites": {},
        "properties": [],
        "lists": [],
        "consent_types": [],
        "next_id": {"property": 1, "list": 1, "consent": 1},
    }


def next_id(data: Data, kind: str) -> int:
    """Take the next id of ``kind`` (``property``, ``list`` or ``consent``)."""
    value = int(data["next_id"][kind])
    data["next_id"][kind] = value + 1
    return value


def site(data: Data, domain: str) -> Data:
    """The site ``domain``; a logical error when there is none."""
    found: Data | None = data["sites"].get(domain)
    if found is None:
        raise CallFailed(f"Site not found: {domain}")
    return found


def consent_type(data: Data, consent_id: int) -> Data:
    """The consent type ``consent_id``; a logical error when there is none."""
    items: list[Data] = data["consent_types"]
    for item in items:
        if item["consent_id"] == consent_id:
            return item
    raise CallFailed(f"Consent type not found: {consent_id}")


def offered_consents(item: Data) -> list[int]:
    """The consent type ids the site ``item`` offers; state files written before sites
    carried ``consents`` have none."""
    return list(item.get("consents", []))


def live_lists(data: Data) -> list[Data]:
    """Mailing lists that are not deleted."""
    return [item for item in data["lists"] if not item["deleted"]]
