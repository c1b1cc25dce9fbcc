"""Seeding the LianaMailer account from the ``lianamailer:`` section of a stack file.

``docs/stack-files.md`` does not define that section yet, so the entries use the field names
of the API objects in ``docs/api-assumptions.md``::

    lianamailer:
      sites: [{domain: news.example.com, language: EN, welcome: null, ssl: true}]
      properties: [{name: firstname, language: FI, type: text, required: false,
                    subscription: true, position: 1, datatype: text, choices: []}]
      lists: [{name: News, description: "", self_service: true, site: news.example.com,
               condition: null, cem_segment: null, ext_id: null, ext_id_type: null}]
      consent_types: [{name: Newsletter, is_revokable: true, sites: [news.example.com]}]

A consent type's ``sites`` are the sites that offer it (stored as the sites' ``consents``
setting, which a site entry does not take: the attachment is declared once, on the consent
type). Sites are seeded first, so the consent types can name them.

Every entry goes through the same call code as the API, so seeding enforces the same rules
(reserved names, existing sites, ...). It is an upsert by natural key (site domain, property
name, the first non-deleted list with the name, the first consent type with the name): an
existing object gets the declared fields, so seeding twice is harmless. A consent type with
``sites`` is offered on exactly those sites; one without keeps the sites it has.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from mailform.sandbox.lianamailer import consents, lists, properties, sites
from mailform.sandbox.lianamailer.args import Args
from mailform.sandbox.lianamailer.errors import CallFailed, LianaError
from mailform.sandbox.lianamailer.model import Data, add, live_lists, offered_consents, site
from mailform.sandbox.tracking import where

KEYS = {
    "sites": ("domain", *(key for key in sites.SETTINGS if key != "consents")),
    "properties": properties.CREATE_ARGS,
    "lists": lists.CREATE_ARGS,
    "consent_types": ("name", "is_revokable", "sites"),
}


def _call(call: str, module_calls: Mapping[str, Any], data: Data, values: list[Any]) -> Any:
    names, handler = module_calls[call]
    return handler(data, Args(call, values, names))


def _site(data: Data, entry: Mapping[str, Any]) -> None:
    settings = {key: entry[key] for key in KEYS["sites"][1:] if key in entry}
    call = "updateSite" if entry.get("domain") in data["sites"] else "createSite"
    _call(call, sites.CALLS, data, [entry.get("domain"), settings])


def _property(data: Data, entry: Mapping[str, Any]) -> None:
    values = [entry.get(key) for key in KEYS["properties"]]
    name = str(entry.get("name", ""))
    folded = name.casefold()
    old = next((p for p in data["properties"].values() if p["name"].casefold() == folded), None)
    if old is None:
        _call("createCustomerProperty", properties.CALLS, data, values)
        return
    # Created anew (so the same rules apply, and the handle sequence moves on as it did),
    # then kept under the old handle: its place among the properties, which is by handle.
    del data["properties"][str(old["handle"])]
    handle = _call("createCustomerProperty", properties.CALLS, data, values)
    new = data["properties"].pop(str(handle))
    add(data, "properties", {**new, "handle": old["handle"]})


def _list(data: Data, entry: Mapping[str, Any]) -> None:
    condition = entry.get("condition")
    if isinstance(condition, Mapping):
        condition = json.dumps(dict(condition))
    values = [entry.get(key) for key in KEYS["lists"]]
    values[3] = condition
    name = entry.get("name")
    # A name that is not text finds nothing here, and the call refuses it.
    old = next(iter(live_lists(data, "name", name)), None) if isinstance(name, str) else None
    if old is None:
        _call("createMailingList", lists.CALLS, data, values)
        return
    edit = [old["id"], values[0], values[1] or "", *values[2:6]]
    _call("editMailingList", lists.CALLS, data, edit)
    old.update(ext_id=values[6], ext_id_type=values[7])


def _consent(data: Data, entry: Mapping[str, Any]) -> None:
    values = [entry.get("name"), entry.get("is_revokable", True)]
    name = entry.get("name")
    named = where(data["consent_types"], "name", name).values() if isinstance(name, str) else ()
    old = min(named, key=lambda item: item["consent_id"], default=None)
    if old is None:
        consent_id = _call("createConsentType", consents.CALLS, data, values)
    else:
        consent_id = old["consent_id"]
        _call("editConsentType", consents.CALLS, data, [consent_id, *values])
    if "sites" in entry:
        _offer(data, consent_id, entry["sites"])


def _offer(data: Data, consent_id: int, domains: Any) -> None:
    """Offer the consent type on exactly the sites ``domains``, through ``updateSite``."""
    if not isinstance(domains, list) or not all(isinstance(domain, str) for domain in domains):
        raise CallFailed("sites must be a list of site domains")
    for domain in domains:
        site(data, domain)
    for domain, item in data["sites"].items():
        offered = set(offered_consents(item))
        wanted = offered | {consent_id} if domain in domains else offered - {consent_id}
        if wanted != offered:
            _call("updateSite", sites.CALLS, data, [domain, {"consents": sorted(wanted)}])


SEEDERS: dict[str, Callable[[Data, Mapping[str, Any]], None]] = {
    "sites": _site,
    "properties": _property,
    "lists": _list,
    "consent_types": _consent,
}


def _where(source: str, kind: str, index: int, entry: Any) -> str:
    line = getattr(getattr(entry, "lc", None), "line", None)
    at = f":{line + 1}" if isinstance(line, int) else ""
    return f"{source}{at}: lianamailer.{kind}[{index}]"


def seed_lianamailer(data: Data, section: Mapping[str, Any], *, source: str) -> dict[str, int]:
    """Seed ``data`` (the live ``lianamailer`` section) from a stack file's ``lianamailer``
    mapping, in dependency order; raise :class:`ValueError` naming the entry on a refusal."""
    if not isinstance(section, Mapping):
        raise ValueError(f"{source}: lianamailer must be a mapping")
    unknown = sorted(set(section) - set(SEEDERS))
    if unknown:
        raise ValueError(f"{source}: lianamailer: unknown keys {', '.join(map(str, unknown))}")
    counts: dict[str, int] = {}
    for kind, seeder in SEEDERS.items():
        entries = section.get(kind) or []
        if not isinstance(entries, list):
            raise ValueError(f"{source}: lianamailer.{kind} must be a list")
        for index, entry in enumerate(entries):
            where = _where(source, kind, index, entry)
            if not isinstance(entry, Mapping):
                raise ValueError(f"{where}: expected a mapping")
            extra = sorted(set(entry) - set(KEYS[kind]))
            if extra:
                raise ValueError(f"{where}: unknown fields {', '.join(map(str, extra))}")
            try:
                seeder(data, _plain(entry))
            except LianaError as error:
                raise ValueError(f"{where}: {error.message}") from None
        if entries:
            counts[f"lianamailer.{kind}"] = len(entries)
    return counts


def _plain(value: Any) -> Any:
    """ruamel's commented maps and sequences as plain dicts and lists (JSON state)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
