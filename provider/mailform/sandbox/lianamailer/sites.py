"""Sites: subscription sites keyed by domain (``sites``, ``getSite``, ``createSite``,
``updateSite``, ``deleteSite``).

The settings object of create/update is collapsed in the reference; the sandbox takes the
attributes the older "Set site" call documents (``language``, ``welcome`` delivery id,
``ssl``), plus ``consents``, the ids of the consent types the site offers (the reference lists
consent types per site but does not say how one is attached; this is our inference), and
refuses other keys, so that a client cannot silently send something no one reads. A site that
non-deleted mailing lists still use cannot be deleted.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from mailform.sandbox.lianamailer.args import Args
from mailform.sandbox.lianamailer.errors import CallFailed
from mailform.sandbox.lianamailer.model import (
    Data,
    consent_type,
    live_lists,
    offered_consents,
    ordered,
    site,
)

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
SETTINGS = ("language", "welcome", "ssl", "consents")
DEFAULTS: Data = {"language": "FI", "welcome": None, "ssl": True, "consents": []}


def _consents(data: Data, call: str, value: Any) -> list[int]:
    """A whole set of offered consent type ids: existing ones, duplicates collapsed, sorted."""
    if not isinstance(value, list) or any(
        isinstance(item, bool) or not isinstance(item, int) for item in value
    ):
        raise CallFailed(f"{call}: consents must be an array of consent type ids (integers)")
    for consent_id in value:
        consent_type(data, consent_id)
    return sorted(set(value))


def _settings(data: Data, args: Args, position: int) -> Data:
    settings = args.mapping(position) or {}
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise CallFailed(f"{args.call}: unknown site settings: {', '.join(unknown)}")
    language = settings.get("language")
    if "language" in settings and (not isinstance(language, str) or not language):
        raise CallFailed(f"{args.call}: language must be a non-empty string")
    welcome = settings.get("welcome")
    if welcome is not None and (isinstance(welcome, bool) or not isinstance(welcome, int)):
        raise CallFailed(f"{args.call}: welcome must be a delivery id (integer) or null")
    if "ssl" in settings:
        ssl = settings["ssl"]
        if not isinstance(ssl, bool) and ssl not in (0, 1):
            raise CallFailed(f"{args.call}: ssl must be a boolean (or 0/1)")
        settings = {**settings, "ssl": bool(ssl)}
    if "consents" in settings:
        settings = {**settings, "consents": _consents(data, args.call, settings["consents"])}
    return settings


def _view(data: Data, item: Data, *, properties: bool = True, lists: bool = True) -> Data:
    view = {key: item[key] for key in ("domain", "language", "welcome", "ssl")}
    view["consents"] = offered_consents(item)
    if properties:
        view["properties"] = [
            {"handle": prop["handle"], "name": prop["name"]}
            for prop in ordered(data, "properties")
            if prop["subscription"]
        ]
    if lists:
        view["lists"] = [
            {"id": entry["id"], "name": entry["name"]}
            for entry in live_lists(data, "site", item["domain"])
        ]
    return view


def list_sites(data: Data, args: Args) -> list[Data]:
    """``sites [options, list_options]``: every site, sorted by domain. ``options.properties``
    and ``options.lists`` (default true) say whether each site embeds its subscription-page
    properties and its lists; the other documented flags are accepted and ignored."""
    options = args.mapping(0) or {}
    args.mapping(1)
    return [
        _view(
            data,
            data["sites"][domain],
            properties=bool(options.get("properties", True)),
            lists=bool(options.get("lists", True)),
        )
        for domain in sorted(data["sites"])
    ]


def get_site(data: Data, args: Args) -> Data:
    """``getSite [domain]``: one site, with its consent type ids, properties and lists."""
    return _view(data, site(data, str(args.string(0, required=True, nonempty=True))))


def create_site(data: Data, args: Args) -> str:
    """``createSite [domain, settings]``: answers the domain."""
    domain = str(args.string(0, required=True, nonempty=True))
    if not _DOMAIN.match(domain):
        raise CallFailed(f"createSite: invalid domain name: {domain}")
    if domain in data["sites"]:
        raise CallFailed(f"Site already exists: {domain}")
    settings = _settings(data, args, 1)
    data["sites"][domain] = {"domain": domain, **copy.deepcopy(DEFAULTS), **settings}
    return domain


def update_site(data: Data, args: Args) -> bool:
    """``updateSite [domain, settings]``: a partial update (omitted keys keep their value);
    answers ``true``. A domain cannot be renamed here."""
    item = site(data, str(args.string(0, required=True, nonempty=True)))
    item.update(_settings(data, args, 1))
    return True


def delete_site(data: Data, args: Args) -> bool:
    """``deleteSite [domain]``: answers ``true``; refused while lists use the site."""
    domain = str(args.string(0, required=True, nonempty=True))
    site(data, domain)
    users = [entry["id"] for entry in live_lists(data, "site", domain)]
    if users:
        raise CallFailed(f"Site {domain} is in use by mailinglists {users}")
    del data["sites"][domain]
    return True


CALLS: dict[str, tuple[tuple[str, ...], Any]] = {
    "sites": (("options", "list_options"), list_sites),
    "getSite": (("domain",), get_site),
    "createSite": (("domain", "settings"), create_site),
    "updateSite": (("domain", "settings"), update_site),
    "deleteSite": (("domain",), delete_site),
}
