"""The LianaMailer account's state section and the lookups every object type shares.

The section is plain JSON (it lives in the sandbox's :class:`~mailform.sandbox.store.StateStore`)::

    {"credentials": {"realm", "user_id", "secret"},
     "sites": {domain: site}, "properties": {handle: property}, "lists": {id: list},
     "consent_types": {consent_id: consent type}, "next_id": {"property", "list", "consent"}}

Ids are server-assigned integers from per-type sequences, as the reference's samples show
(``createMailingList`` answers ``60``, ``createConsentType`` ``4``, ``createCustomerProperty``
``123``); sites are keyed by domain.

Properties, lists and consent types are kept by their id as a string (``"60"``), so that each
is one row of the store: creating, editing or deleting one writes that row, whatever the size
of the account. The API answers them in id order, which is creation order (a seeded property
that replaces another keeps the old handle, so it keeps the old place too); mappings keep no
order worth trusting (a state file gives its rows back sorted by key text, ``"10"`` before
``"2"``), so every answer sorts by id (:func:`ordered`).

People and tests read the state (``GET /_sandbox/state``, ``mailform sandbox dump``) with
these collections as lists in id order: that is how the API lists them and how the state
showed them before, and the mappings by id are a storage detail no reader needs.
:func:`public_section` gives that shape; :func:`stored_section` takes it back, which is how a
state file of an earlier format (where the section had that shape) is converted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mailform.sandbox.lianamailer.errors import CallFailed
from mailform.sandbox.tracking import where

Data = dict[str, Any]

#: The state's section holding the LianaMailer account.
SECTION = "lianamailer"

#: The collections kept one row per object, with the field each is keyed by.
ID_FIELDS = {"properties": "handle", "lists": "id", "consent_types": "consent_id"}


def new_state(credentials: dict[str, str]) -> Data:
    """An empty account that keeps ``credentials``."""
    return {
        "credentials": dict(credentials),
        "sites": {},
        "properties": {},
        "lists": {},
        "consent_types": {},
        "next_id": {"property": 1, "list": 1, "consent": 1},
    }


def next_id(data: Data, kind: str) -> int:
    """Take the next id of ``kind`` (``property``, ``list`` or ``consent``)."""
    value = int(data["next_id"][kind])
    data["next_id"][kind] = value + 1
    return value


def ordered(data: Mapping[str, Any], collection: str) -> list[Data]:
    """The objects of ``collection`` (one of :data:`ID_FIELDS`) in id order: the order the
    API lists them in."""
    field = ID_FIELDS[collection]
    items: Iterable[Data] = data[collection].values()
    return sorted(items, key=lambda item: item[field])


def add(data: Data, collection: str, item: Data) -> None:
    """Keep ``item`` in ``collection`` under its id (replacing one with the same id)."""
    data[collection][str(item[ID_FIELDS[collection]])] = item


def site(data: Data, domain: str) -> Data:
    """The site ``domain``; a logical error when there is none."""
    found: Data | None = data["sites"].get(domain)
    if found is None:
        raise CallFailed(f"Site not found: {domain}")
    return found


def consent_type(data: Data, consent_id: int) -> Data:
    """The consent type ``consent_id``; a logical error when there is none."""
    found: Data | None = data["consent_types"].get(str(consent_id))
    if found is None:
        raise CallFailed(f"Consent type not found: {consent_id}")
    return found


def offered_consents(item: Data) -> list[int]:
    """The consent type ids the site ``item`` offers; state files written before sites
    carried ``consents`` have none."""
    return list(item.get("consents", []))


def live_lists(data: Data, field: str, value: Any) -> list[Data]:
    """The mailing lists that are not deleted and whose ``field`` is ``value``, in id order;
    found by the store's index, so a write that checks them costs the lists found."""
    found = where(data["lists"], field, value).values()
    return sorted((item for item in found if not item["deleted"]), key=lambda item: item["id"])


def public_section(section: Mapping[str, Any]) -> Data:
    """The section as people read it: each of :data:`ID_FIELDS` a list in id order. A
    collection that is already a list is left as it is."""
    return {
        name: ordered(section, name) if name in ID_FIELDS and isinstance(value, Mapping) else value
        for name, value in section.items()
    }


def stored_section(section: Mapping[str, Any]) -> Data:
    """The section as the store keeps it, from the shape :func:`public_section` gives (the
    shape state files of formats 1 and 2 hold): each of :data:`ID_FIELDS` a mapping by id. A
    collection already keyed is left as it is; an object without its id raises KeyError."""
    return {
        name: {str(item[ID_FIELDS[name]]): item for item in value}
        if name in ID_FIELDS and isinstance(value, list)
        else value
        for name, value in section.items()
    }
