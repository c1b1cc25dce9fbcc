"""The simulated LuxSci account: account-scope objects and their documented rules.

Pure Python over a JSON-ready mapping (the ``luxsci`` section of the sandbox state): no HTTP,
no locking, no clock of its own. The caller passes "now", holds the store's lock and saves the
result. Rules that need the rows with a given field (the users of a domain) ask
:func:`~mailform.sandbox.tracking.where`, so that a write costs the same in an account of any
size. Every rule comes from LuxSci's API reference as fixed by
``docs/api-assumptions.md``:

- domains: unique, rolling 24 h create limit, cannot be deleted while users or aliases are in
  them, no rename;
- DKIM: one per existing domain, no update;
- custom bounce domains: create only; a proper subdomain of a from domain that has DKIM;
  one per from domain;
- aliases: in an account domain, a namespace shared with users, at most 100 + 10 per user in each
  domain, rolling 24 h create limit, only regular aliases can be updated;
- users: in an account domain, rolling 24 h create limit, administrators cannot be renamed or
  deleted, a disabled user's password cannot be changed, passwords are write-only;
- servers: provisioned by LuxSci (only seeding adds them), addressed by ``server_id`` or by the
  short host number.

Records are stored as the API shows them; keys starting with ``_`` are internal (password hash,
administrator flag, queue sizes, owner) and never leave the sandbox through the API.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from typing import Any

from mailform.sandbox.luxsci.errors import (
    AccessDenied,
    Conflict,
    InvalidRequest,
    NotFound,
)
from mailform.sandbox.luxsci.values import (
    address,
    address_list,
    choice,
    domain_name,
    domain_of,
    flag,
    given,
    gmt,
    integer,
    number,
    public,
    required_text,
    text,
)
from mailform.sandbox.tracking import where

DAY = 24 * 3600.0

DEFAULT_CREATE_LIMITS: dict[str, int] = {"domains": 100, "aliases": 1000, "users": 100}
"""Per-integration limits on objects added to the account in any 24 hours (configurable)."""

ALIAS_CAP_BASE = 100
ALIAS_CAP_PER_USER = 10

FIRST_IDS: dict[str, int] = {
    "domain": 2001,
    "alias": 3001,
    "user": 4001,
    "template_group": 5001,
    "template": 6001,
    "content_tag": 7001,
    "custom_field": 8001,
    "list_group": 9001,
    "list": 10001,
    "server": 197890,
    "session": 66840164,
    "create": 1,
}
"""Where each id sequence starts. Different ranges per type make a client that mixes up ids
fail loudly instead of hitting another object by chance."""

ASSET_KEYS: dict[str, tuple[str, str]] = {
    "template_groups": ("template_group_id", "_owner_id"),
    "templates": ("template_id", "user_id"),
    "content_tags": ("tag_id", "_owner_id"),
    "custom_fields": ("field_id", "_owner_id"),
    "list_groups": ("list_group_id", "_owner_id"),
    "lists": ("list_id", "owner_id"),
}
"""For each kind of user-scope asset: the key of its id and the key of its owner's user_id."""

USER_SETTINGS = ("name", "status", "disk_quota", "company", "custom1", "custom2", "custom3")
ALIAS_TYPES = ("regular", "catchall", "user_forward", "webaide_group")
STATUSES = ("enabled", "disabled")
_SHORT_HOST = re.compile(r"^[a-z]+(\d+)$")


def new_state(account_id: str) -> dict[str, Any]:
    """An empty LuxSci section: an account with no objects and no integrations yet."""
    return {
        "account_id": account_id,
        "integrations": [],
        "sessions": {},
        "next_id": dict(FIRST_IDS),
        "created_log": {},  # create id → {"kind", "at"}: what counts against a 24 h limit
        "domains": {},
        "dkim": {},
        "aliases": {},
        "users": {},
        "servers": {},
        "template_groups": {},
        "templates": {},
        "content_tags": {},
        "custom_fields": {},
        "list_groups": {},
        "lists": {},
    }


def upgrade(data: dict[str, Any]) -> None:
    """Bring a section an earlier sandbox wrote up to date: the 24 h create log was one list
    of times per kind, and is one row per create now (so a create writes one small row, not
    the day's whole list)."""
    log = data["created_log"]
    for kind in [kind for kind, times in log.items() if isinstance(times, list)]:
        for when in log.pop(kind):
            log[str(AccountRecords(data, when).next_id("create"))] = {"kind": kind, "at": when}


def hash_password(password: str) -> dict[str, str]:
    """A salted hash to store instead of the password (passwords are write-only)."""
    salt = secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()
    return {"salt": salt, "sha256": digest}


def _password_matches(stored: Mapping[str, str] | None, password: str) -> bool:
    if not stored:
        return False
    digest = hashlib.sha256(f"{stored['salt']}:{password}".encode()).hexdigest()
    return hmac.compare_digest(digest, stored["sha256"])


class AccountRecords:
    """What every part of the model shares: the data, "now", ids and timestamps."""

    def __init__(self, data: dict[str, Any], now: float) -> None:
        self.data = data
        self.now = now

    def next_id(self, kind: str) -> int:
        """Take the next id of ``kind``: monotonic, never reused, persisted with the state."""
        counters = self.data["next_id"]
        value: int = counters.get(kind, FIRST_IDS[kind])
        counters[kind] = value + 1
        return value

    @property
    def timestamp(self) -> str:
        """ "Now" as the API writes it (GMT DATETIME)."""
        return gmt(self.now)

    def user(self, login: str) -> dict[str, Any]:
        """The user record of ``login``; 404 if there is none."""
        record: dict[str, Any] | None = self.data["users"].get(login.lower())
        if record is None:
            raise NotFound(f"User {login} not found.")
        return record

    def user_by_id(self, user_id: int) -> dict[str, Any] | None:
        """The user record with ``user_id``, or None (e.g. after the user was deleted)."""
        found: dict[str, dict[str, Any]] = where(self.data["users"], "user_id", user_id)
        return next(iter(found.values()), None)


class Account(AccountRecords):
    """The account-scope operations. ``limits`` arguments are the calling integration's 24 h
    create limits; ``None`` (seeding) means the account already had the object."""

    def _check_create_limit(self, kind: str, noun: str, limit: int | None) -> None:
        if limit is None:
            return
        log = self.data["created_log"]
        recent = 0
        for key, entry in where(log, "kind", kind).items():
            if entry["at"] > self.now - DAY:
                recent += 1
            else:
                del log[key]  # out of the window for good
        if recent >= limit:
            raise AccessDenied(
                f"Your API create limit for {noun} has been reached: {recent} {noun} were "
                f"added to your account in the past 24 hours (limit {limit}). Further {noun} "
                "cannot be created until that situation changes."
            )

    def _record_create(self, kind: str, limit: int | None) -> None:
        if limit is not None:
            entry = {"kind": kind, "at": self.now}
            self.data["created_log"][str(self.next_id("create"))] = entry

    # Domains

    def domains(self) -> list[dict[str, Any]]:
        """getDomainsReport: every domain, by name."""
        return [public(self.data["domains"][name]) for name in sorted(self.data["domains"])]

    def domain(self, name: str) -> dict[str, Any]:
        """The domain record; 404 if the account has no such domain."""
        record: dict[str, Any] | None = self.data["domains"].get(name.lower().rstrip("."))
        if record is None:
            raise NotFound(f"Domain {name} not found in this account.")
        return record

    def create_domain(self, body: Mapping[str, Any], *, limit: int | None) -> dict[str, Any]:
        """createDomain: ``{"domain", "settings"?}``; 409 if it exists, 403 over the limit."""
        name = domain_name(required_text(body, "domain"))
        settings = body.get("settings", {})
        if settings is None:
            settings = {}
        if not isinstance(settings, Mapping):
            raise InvalidRequest("Invalid settings: expected an object of domain settings.")
        if name in self.data["domains"]:
            raise Conflict(f"Domain {name} already exists in this account.")
        self._check_create_limit("domains", "domains", limit)
        record = {
            "domain_id": self.next_id("domain"),
            "domain": name,
            "status": "enabled",
            "bounce_domain": "",
            "settings": dict(settings),
        }
        self.data["domains"][name] = record
        self._record_create("domains", limit)
        return public(record)

    def update_domain(self, name: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """updateDomain: change the settings given; settings left out are not altered."""
        record = self.domain(name)
        settings = body.get("settings", {})
        if not isinstance(settings, Mapping):
            raise InvalidRequest("Invalid settings: expected an object of domain settings.")
        record["settings"].update(settings)
        return public(record)

    def delete_domain(self, name: str) -> None:
        """deleteDomain: refused (409) while users or aliases are in the domain. Its DKIM and
        custom bounce domain go with it (neither has a delete of its own that could block)."""
        record = self.domain(name)
        domain = record["domain"]
        users = len(where(self.data["users"], "domainname", domain))
        aliases = len(where(self.data["aliases"], "domain", domain))
        if users or aliases:
            raise Conflict(
                "Domain is in use and cannot be deleted. It still has "
                f"{_count(users, 'user')} and {_count(aliases, 'email alias', 'email aliases')}."
            )
        del self.data["domains"][domain]
        self.data["dkim"].pop(domain, None)

    # DKIM

    def dkim_list(self) -> list[dict[str, Any]]:
        """getDkimReport: every DKIM definition, by domain."""
        return [public(self.data["dkim"][name]) for name in sorted(self.data["dkim"])]

    def dkim(self, name: str) -> dict[str, Any]:
        """getDkimDetails; 404 when the domain has no DKIM."""
        record = self.data["dkim"].get(name.lower().rstrip("."))
        if record is None:
            raise NotFound(f"DKIM is not configured for {name}.")
        return public(record)

    def create_dkim(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """createDkim: ``{"domain"}``; the domain must be in the account (404), once (409)."""
        name = self.domain(domain_name(required_text(body, "domain")))["domain"]
        if name in self.data["dkim"]:
            raise Conflict(f"DKIM is already configured for {name}.")
        selector = "luxsci"
        key = base64.b64encode(secrets.token_bytes(162)).decode()
        record = {
            "domain": name,
            "selector": selector,
            "dns_name": f"{selector}._domainkey.{name}",
            "dns_value": f"v=DKIM1; k=rsa; p={key}",
            "created": self.timestamp,
        }
        self.data["dkim"][name] = record
        return public(record)

    def delete_dkim(self, name: str) -> None:
        """deleteDkim; 404 when the domain has no DKIM."""
        self.dkim(name)
        del self.data["dkim"][name.lower().rstrip(".")]

    # Custom bounce domains

    def create_bounce_domain(
        self, body: Mapping[str, Any], published: Mapping[str, str]
    ) -> dict[str, Any]:
        """createCustomBounceDomain: ``{"bounce_domain", "from_domain"}``.

        The from domain must be in the account (404); the bounce domain must be a proper
        subdomain of it, the from domain must have DKIM already, and the bounce domain's
        CNAME must be published (400; ``published`` holds the sandbox's DNS records, and any
        target stands for one of LuxSci's); one per from domain (409).
        """
        bounce = domain_name(required_text(body, "bounce_domain"), "bounce_domain")
        record = self.domain(domain_name(required_text(body, "from_domain"), "from_domain"))
        from_domain = record["domain"]
        if not bounce.endswith(f".{from_domain}"):
            raise InvalidRequest(
                f"The bounce domain must be a subdomain of the from domain {from_domain}."
            )
        if from_domain not in self.data["dkim"]:
            raise InvalidRequest(
                f"DKIM must be configured for {from_domain} before a custom bounce domain "
                "can be added."
            )
        if record["bounce_domain"]:
            raise Conflict(
                f"{from_domain} already has a custom bounce domain ({record['bounce_domain']})."
            )
        if bounce not in published:
            raise InvalidRequest(
                f"The DNS for {bounce} must already be a CNAME to one of the target domains "
                "listed in the Custom Bounce Domains area."
            )
        record["bounce_domain"] = bounce
        return {"bounce_domain": bounce, "from_domain": from_domain}

    # Aliases

    def aliases(self) -> list[dict[str, Any]]:
        """getAliasesReport: every alias of every kind, by address."""
        return [public(self.data["aliases"][name]) for name in sorted(self.data["aliases"])]

    def alias(self, name: str) -> dict[str, Any]:
        """The alias record; 404 if there is none."""
        record: dict[str, Any] | None = self.data["aliases"].get(name.lower())
        if record is None:
            raise NotFound(f"Email alias {name} not found.")
        return record

    def _check_address_free(self, login: str) -> None:
        if login in self.data["users"]:
            raise Conflict(f"{login} is already in use by a user.")
        if login in self.data["aliases"]:
            raise Conflict(f"{login} is already in use by an email alias.")

    def alias_cap(self, domain: str) -> int:
        """How many aliases ``domain`` may hold: 100 + 10 per user in the domain."""
        users = len(where(self.data["users"], "domainname", domain))
        return ALIAS_CAP_BASE + ALIAS_CAP_PER_USER * users

    def create_alias(
        self, body: Mapping[str, Any], *, limit: int | None, kind: str = "regular"
    ) -> dict[str, Any]:
        """createAlias: ``{"user", "domain", "dest", "action", "bounce"?, "status"?}``.

        400 on invalid fields, 404 when the domain is not in the account, 409 when the address
        is taken (by an alias or a user) or the domain is at its alias cap, 403 over the create
        limit.
        """
        body = given(body)
        domain = domain_name(required_text(body, "domain"))
        local = required_text(body, "user").lower()
        if local.endswith(f"@{domain}"):
            local = local[: -len(domain) - 1]
        login = address(f"{local}@{domain}", "user")
        fields = _alias_fields(
            body, {"dest": [], "action": "email", "bounce": "", "status": "enabled"}
        )
        self.domain(domain)
        self._check_address_free(login)
        cap = self.alias_cap(domain)
        if limit is not None and len(where(self.data["aliases"], "domain", domain)) >= cap:
            raise Conflict(
                f"Domain {domain} has reached its maximum of {cap} email aliases "
                f"({ALIAS_CAP_BASE} + {ALIAS_CAP_PER_USER} per user in the domain)."
            )
        self._check_create_limit("aliases", "aliases", limit)
        record = {
            "alias_id": self.next_id("alias"),
            "alias": login,
            "user": local,
            "domain": domain,
            **fields,
            "type": kind,
            "created": self.timestamp,
        }
        self.data["aliases"][login] = record
        self._record_create("aliases", limit)
        return public(record)

    def update_alias(
        self, name: str, body: Mapping[str, Any], *, kind: str | None = None
    ) -> dict[str, Any]:
        """updateAlias: any of ``dest``, ``action``, ``bounce``, ``status``; only regular
        aliases (403 for catch-alls, user forwards and system aliases). Seeding passes the
        alias's ``kind``, which lifts that rule and sets the kind."""
        body = given(body)
        record = self.alias(name)
        if kind is None and record["type"] != "regular":
            raise AccessDenied(
                "Only regular email aliases can be modified; 'catch all' aliases, 'user "
                "forwards' and system aliases such as WebAide Group Distribution Lists cannot."
            )
        record.update(_alias_fields(body, record))
        if kind is not None:
            record["type"] = kind
        return public(record)

    def delete_alias(self, name: str) -> None:
        """deleteAlias; 404 if there is none."""
        record = self.alias(name)
        del self.data["aliases"][record["alias"]]

    # Users

    def users(self, query: Mapping[str, str]) -> list[dict[str, Any]]:
        """getUserReport, optionally only one ``status`` or one ``domain``."""
        status = query.get("status")
        if status is not None:
            status = choice(status, "status", STATUSES)
        domain = query.get("domain")
        rows = []
        for login in sorted(self.data["users"]):
            record = self.data["users"][login]
            if status is not None and record["status"] != status:
                continue
            if domain is not None and record["domainname"] != domain.lower():
                continue
            rows.append(public(record))
        return rows

    def create_user(self, body: Mapping[str, Any], *, limit: int | None) -> dict[str, Any]:
        """createUser: ``{"user", "password", ...settings}``.

        400 on invalid fields, 404 when the login's domain is not in the account, 409 when the
        address is taken by a user or an alias, 403 over the create limit.
        """
        body = given(body)
        login = address(required_text(body, "user"), "user")
        password = text(body, "password", default="")
        if not password:
            raise InvalidRequest("Missing required field: password.")
        record: dict[str, Any] = {
            "user_id": 0,
            "user": login,
            "domainname": domain_of(login),
            "name": "",
            "status": "enabled",
            "disk_quota": 0,
            "company": "",
            "custom1": "",
            "custom2": "",
            "custom3": "",
            "created": self.timestamp,
            "modified": self.timestamp,
            "_password": hash_password(password),
            "_admin": False,
        }
        _apply_user_settings(record, body)
        self.domain(record["domainname"])
        self._check_address_free(login)
        self._check_create_limit("users", "users", limit)
        record["user_id"] = self.next_id("user")
        self.data["users"][login] = record
        self._record_create("users", limit)
        return public(record)

    def update_user(self, login: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """updateUserSettings: any of the settings; the others are not altered."""
        record = self.user(login)
        _apply_user_settings(record, given(body))
        record["modified"] = self.timestamp
        return public(record)

    def rename_user(self, login: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """renameUser: ``{"new_address"}``. Administrators cannot be renamed (403); the new
        domain must be in the account (404); the new address must be free (409)."""
        record = self.user(login)
        new_login = address(required_text(body, "new_address"), "new_address")
        if record["_admin"]:
            raise AccessDenied(
                "Users with account administration permission cannot be renamed with the API."
            )
        if domain_of(new_login) not in self.data["domains"]:
            raise NotFound(
                f"Domain {domain_of(new_login)} not found in this account; the new domain "
                "must exist in this account."
            )
        if new_login in self.data["users"] or new_login in self.data["aliases"]:
            raise Conflict(
                f"The new address {new_login} corresponds to an existing user or email alias."
            )
        del self.data["users"][record["user"]]
        record.update(user=new_login, domainname=domain_of(new_login), modified=self.timestamp)
        self.data["users"][new_login] = record
        return public(record)

    def delete_user(self, login: str) -> None:
        """deleteUser: administrators cannot be deleted (403). The user's own marketing assets
        go with the user; custom fields stay, since they are visible to the whole account."""
        record = self.user(login)
        if record["_admin"]:
            raise AccessDenied(
                "This user is not currently deletable: users with account management "
                "permission cannot be deleted."
            )
        del self.data["users"][record["user"]]
        for kind, (_, owner_key) in ASSET_KEYS.items():
            if kind == "custom_fields":
                continue
            owned = self.data[kind]
            for key in where(owned, owner_key, record["user_id"]):
                del owned[key]

    def change_password(self, login: str, body: Mapping[str, Any]) -> None:
        """changeUserPassword: ``{"password"}``; refused (403) for a disabled user."""
        record = self.user(login)
        password = text(body, "password", default="")
        if not password:
            raise InvalidRequest("Missing required field: password.")
        if record["status"] != "enabled":
            raise AccessDenied("You cannot change the password of a user that has been disabled.")
        record["_password"] = hash_password(password)
        record["modified"] = self.timestamp

    def user_with_password(self, login: str, password: str) -> dict[str, Any] | None:
        """The user record when ``password`` is the user's password, else None."""
        record: dict[str, Any] | None = self.data["users"].get(login.lower())
        if record is None or not _password_matches(record.get("_password"), password):
            return None
        return record

    # Dedicated servers

    def servers(self) -> list[dict[str, Any]]:
        """getServers: every dedicated server, by server_id."""
        records = sorted(self.data["servers"].values(), key=lambda record: record["server_id"])
        return [public(record) for record in records]

    def server(self, reference: str) -> dict[str, Any]:
        """The server whose ``server_id`` is ``reference``, or failing that whose short host
        number is (``999`` for ``rs999``); 404 otherwise."""
        records: list[dict[str, Any]] = list(self.data["servers"].values())
        if reference.isdigit():
            for record in records:
                if record["server_id"] == int(reference):
                    return record
            for record in records:
                match = _SHORT_HOST.match(record["host"])
                if match and int(match[1]) == int(reference):
                    return record
        raise NotFound(f"Server {reference} not found.")

    def server_status(self, reference: str) -> dict[str, Any]:
        """getServerStatus: the server's row plus its queue sizes."""
        record = self.server(reference)
        queue = record["_queue"]
        return {
            **public(record),
            "mail_queue_trying": queue["trying"],
            "mail_queue_unprocessed": queue["unprocessed"],
        }

    def set_sending_rate(self, reference: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """setServerSendngRate: ``{"rate"?, "auto_warmup"?}``; rate in messages per hour,
        0 or -1 for no throttling."""
        record = self.server(reference)
        body = given(body)
        if "rate" not in body and "auto_warmup" not in body:
            raise InvalidRequest("Missing required field: rate.")
        if "rate" in body:
            record["sending_rate"] = integer(body["rate"], "rate", minimum=-1)
        if "auto_warmup" in body:
            record["auto_warmup"] = flag(body["auto_warmup"], "auto_warmup")
        return public(record)

    def empty_queues(self, reference: str, *, everything: bool) -> None:
        """serverEmptyEmailQueues (messages being tried) or serverEmptyAllEmailQueues (also
        the messages not yet processed)."""
        queue = self.server(reference)["_queue"]
        queue["trying"] = 0
        if everything:
            queue["unprocessed"] = 0

    def add_server(self, host: str, server_id: int | None = None) -> dict[str, Any]:
        """Provision a dedicated server (only seeding can: the API has no create)."""
        if server_id is None:
            server_id = self.next_id("server")
        else:
            counters = self.data["next_id"]
            counters["server"] = max(counters.get("server", FIRST_IDS["server"]), server_id + 1)
        record = {
            "server_id": server_id,
            "host": host,
            "hostname": f"{host}.luxsci.com",
            "sending_rate": 0,
            "auto_warmup": False,
            "_queue": {"trying": 0, "unprocessed": 0},
        }
        self.data["servers"][host] = record
        stored: dict[str, Any] = self.data["servers"][host]  # the state keeps a copy
        return stored


def _count(amount: int, singular: str, plural: str | None = None) -> str:
    return f"{amount} {singular if amount == 1 else (plural or singular + 's')}"


def _alias_fields(body: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The alias's ``dest``, ``action``, ``bounce`` and ``status`` after applying ``body``."""
    fields = {name: current[name] for name in ("dest", "action", "bounce", "status")}
    if "dest" in body:
        fields["dest"] = address_list(body["dest"], "dest")
    if "action" in body:
        fields["action"] = choice(body["action"], "action", ("email", "bounce"))
    if "bounce" in body:
        fields["bounce"] = text(body, "bounce", default="")
    if "status" in body:
        fields["status"] = choice(body["status"], "status", STATUSES)
    if fields["action"] == "email" and not fields["dest"]:
        raise InvalidRequest("An alias with action 'email' needs at least one address in dest.")
    return fields


def _apply_user_settings(record: dict[str, Any], body: Mapping[str, Any]) -> None:
    for name in USER_SETTINGS:
        if name not in body:
            continue
        if name == "status":
            record[name] = choice(body[name], name, STATUSES)
        elif name == "disk_quota":
            quota = number(body[name], name)
            record[name] = int(quota) if quota.is_integer() else quota
        else:
            record[name] = text(body, name, default="")
