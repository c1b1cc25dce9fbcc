"""Seeding the simulated LuxSci account from the ``luxsci`` section of a stack file.

The format and the rules (upsert by natural key, no create limits, implied owners and domains,
sandbox-only facts) are described in :mod:`mailform.sandbox.seed`. Objects are created through
the same model the API uses, so a seeded object looks exactly like one created by a client.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from mailform.sandbox.luxsci.account import ALIAS_TYPES, ASSET_KEYS, Account, hash_password
from mailform.sandbox.luxsci.auth import Integration
from mailform.sandbox.luxsci.errors import LuxSciError
from mailform.sandbox.luxsci.marketing import FIELD_TYPES, Marketing
from mailform.sandbox.luxsci.values import address, choice, flag, integer, public
from mailform.sandbox.tracking import where

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "domains": ("domain",),
    "dkim": ("domain",),
    "users": ("user",),
    "aliases": ("alias",),
    "bounce_domains": ("bounce_domain",),
    "servers": ("host",),
    "custom_fields": ("owner", "code_word"),
    "template_groups": ("owner", "name"),
    "templates": ("owner", "name"),
    "content_tags": ("owner", "code_word"),
    "list_groups": ("owner", "name"),
    "lists": ("owner", "name"),
}
"""Object types in seeding order (what is referenced comes first) and their natural keys."""

FACT_KEYS = frozenset({"account_id", "admins", "integrations", "teams"})
_CASELESS = frozenset({"domain", "user", "alias", "bounce_domain", "owner", "host"})


def _plain(value: Any) -> Any:
    """ruamel's round-trip types as plain JSON-ready Python values."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    for plain in (int, float, str):
        if isinstance(value, plain):
            return plain(value)
    return str(value)


class _Entry:
    """One object of the file with the place it came from, for error messages."""

    def __init__(self, fields: Mapping[str, Any], where: str) -> None:
        self.fields: dict[str, Any] = _plain(fields)
        self.where = where

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    def required(self, name: str) -> Any:
        value = self.fields.get(name)
        if value is None or value == "":
            raise ValueError(f"{self.where}: missing {name!r}")
        return value


def _line(node: Any) -> str:
    lc = getattr(node, "lc", None)
    return f":{lc.line + 1}" if lc is not None and lc.line is not None else ""


def _entries(value: Any, path: str, source: str) -> list[_Entry]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{source}{_line(value)}: {path} must be a list")
    result = []
    for index, item in enumerate(value):
        where = f"{source}{_line(item)}: {path}[{index}]"
        if not isinstance(item, Mapping):
            raise ValueError(f"{where}: expected a mapping")
        result.append(_Entry(item, where))
    return result


def _key(entry: _Entry, kind: str) -> tuple[str, ...]:
    key = []
    for name in NATURAL_KEYS[kind]:
        value = str(entry.required(name))
        key.append(value.lower() if name in _CASELESS else value)
    return tuple(key)


def seed_luxsci(
    data: dict[str, Any],
    section: Mapping[str, Any],
    facts: Mapping[str, Any],
    now: float,
    *,
    source: str,
) -> dict[str, int]:
    """Seed ``data`` (the live ``luxsci`` state section) from the file's ``luxsci`` section
    and its ``sandbox.luxsci`` facts. Raises ValueError naming the place of a problem."""
    if not isinstance(section, Mapping) or not isinstance(facts, Mapping):
        raise ValueError(f"{source}: luxsci and sandbox.luxsci must be mappings")
    unknown = sorted(set(section) - set(NATURAL_KEYS)) + sorted(
        set(facts) - set(NATURAL_KEYS) - FACT_KEYS
    )
    if unknown:
        raise ValueError(f"{source}: unknown LuxSci keys: {', '.join(map(str, unknown))}")
    return _Seeder(data, now, source).run(section, facts)


class _Seeder:
    """One seeding run over the live section; the model does the creating, so a seeded object
    looks exactly like one a client created."""

    def __init__(self, data: dict[str, Any], now: float, source: str) -> None:
        self.data = data
        self.now = now
        self.source = source
        self.account = Account(data, now)

    def run(self, section: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, int]:
        if facts.get("account_id") is not None:
            self.data["account_id"] = str(facts["account_id"])
        for entry in _entries(
            facts.get("integrations"), "sandbox.luxsci.integrations", self.source
        ):
            self._integration(entry)
        seeders: dict[str, Callable[[_Entry], None]] = {
            "domains": self._domain,
            "dkim": self._dkim,
            "users": self._user,
            "aliases": self._alias,
            "bounce_domains": self._bounce_domain,
            "servers": self._server,
            "custom_fields": self._custom_field,
            "template_groups": self._template_group,
            "templates": self._template,
            "content_tags": self._content_tag,
            "list_groups": self._list_group,
            "lists": self._list,
        }
        counts: dict[str, int] = {}
        for kind, seed in seeders.items():
            entries = self._merged(kind, section.get(kind), facts.get(kind))
            for entry in entries:
                with self._at(entry.where):
                    seed(entry)
            if entries:
                counts[f"luxsci.{kind}"] = len(entries)
        admins = facts.get("admins") or []
        if not isinstance(admins, list):
            raise ValueError(f"{self.source}{_line(admins)}: sandbox.luxsci.admins must be a list")
        for login in admins:
            with self._at(f"{self.source}{_line(admins)}: sandbox.luxsci.admins"):
                self._ensure_user(str(login))["_admin"] = True
        teams = facts.get("teams") or {}
        if not isinstance(teams, Mapping):
            raise ValueError(
                f"{self.source}{_line(teams)}: sandbox.luxsci.teams must map a team's name "
                "to its members' logins"
            )
        for team, members in teams.items():
            if not isinstance(members, list):
                raise ValueError(
                    f"{self.source}{_line(teams)}: sandbox.luxsci.teams.{team} must be a list"
                )
            for login in members:
                with self._at(f"{self.source}{_line(members)}: sandbox.luxsci.teams.{team}"):
                    self._ensure_user(str(login))["_team"] = str(team)
        return counts

    def _merged(self, kind: str, declared: Any, overlay: Any) -> list[_Entry]:
        entries = _entries(declared, f"luxsci.{kind}", self.source)
        by_key = {_key(entry, kind): entry for entry in entries}
        for extra in _entries(overlay, f"sandbox.luxsci.{kind}", self.source):
            existing = by_key.get(_key(extra, kind))
            if existing is None:
                entries.append(extra)
                by_key[_key(extra, kind)] = extra
            else:
                existing.fields.update(extra.fields)
        return entries

    @contextmanager
    def _at(self, where: str) -> Iterator[None]:
        """Turn a refusal of the model into an error that names the place in the file."""
        try:
            yield
        except LuxSciError as error:
            raise ValueError(f"{where}: {error.message}") from None

    def _integration(self, entry: _Entry) -> None:
        try:
            integration = Integration.from_json(
                {
                    **entry.fields,
                    "token": entry.required("token"),
                    "secret": entry.required("secret"),
                }
            )
        except (TypeError, ValueError) as error:
            raise ValueError(f"{entry.where}: {error}") from None
        stored = self.data["integrations"]
        for index, item in enumerate(stored):
            if item["token"] == integration.token:
                stored[index] = integration.to_json()
                return
        stored.append(integration.to_json())

    def _ensure_domain(self, name: str) -> None:
        if name.lower() not in self.data["domains"]:
            self.account.create_domain({"domain": name}, limit=None)

    def _ensure_user(self, login: str) -> dict[str, Any]:
        login = address(login, "user")
        if login not in self.data["users"]:
            self._ensure_domain(login.rpartition("@")[2])
            self.account.create_user(
                {"user": login, "password": secrets.token_urlsafe(24)}, limit=None
            )
        user: dict[str, Any] = self.data["users"][login]
        return user

    def _marketing(self, entry: _Entry) -> Marketing:
        return Marketing(self.data, self.now, self._ensure_user(str(entry.required("owner"))))

    def _domain(self, entry: _Entry) -> None:
        name = str(entry.required("domain")).lower()
        settings = entry.get("settings") or {}
        if name in self.data["domains"]:
            self.account.update_domain(name, {"settings": settings})
        else:
            self.account.create_domain({"domain": name, "settings": settings}, limit=None)

    def _dkim(self, entry: _Entry) -> None:
        name = str(entry.required("domain")).lower()
        self._ensure_domain(name)
        if name not in self.data["dkim"]:
            self.account.create_dkim({"domain": name})

    def _bounce_domain(self, entry: _Entry) -> None:
        # An existing account may hold a bounce domain whose DKIM was removed later, so the
        # create-time DKIM rule is not applied here.
        bounce = str(entry.required("bounce_domain")).lower()
        from_domain = str(entry.required("from_domain")).lower()
        if not bounce.endswith(f".{from_domain}"):
            raise ValueError(f"{entry.where}: {bounce} is not a subdomain of {from_domain}")
        self._ensure_domain(from_domain)
        self.data["domains"][from_domain]["bounce_domain"] = bounce

    def _user(self, entry: _Entry) -> None:
        login = str(entry.required("user")).lower()
        settings = {
            name: value
            for name, value in entry.fields.items()
            if name not in {"user", "password", "password_version", "admin", "protected"}
        }
        record = self._ensure_user(login)
        self.account.update_user(login, settings)
        password = entry.get("password")
        if isinstance(password, str):
            record["_password"] = hash_password(password)
        if entry.get("admin") is not None:
            record["_admin"] = flag(entry.get("admin"), "admin")

    def _alias(self, entry: _Entry) -> None:
        address = str(entry.required("alias")).lower()
        local, _, domain = address.rpartition("@")
        kind = str(entry.get("type", "regular"))
        if kind not in ALIAS_TYPES:
            raise ValueError(f"{entry.where}: type must be one of {', '.join(ALIAS_TYPES)}")
        fields = {
            name: entry.get(name)
            for name in ("dest", "action", "bounce", "status")
            if entry.get(name) is not None
        }
        record = self.data["aliases"].get(address)
        if record is None:
            self._ensure_domain(domain)
            if fields.get("action", "email") == "email" and not fields.get("dest"):
                fields["action"] = "bounce"
            self.account.create_alias(
                {"user": local, "domain": domain, **fields}, limit=None, kind=kind
            )
        else:
            self.account.update_alias(address, fields, kind=kind)

    def _server(self, entry: _Entry) -> None:
        host = str(entry.required("host")).lower()
        server_id = entry.get("server_id")
        record = self.data["servers"].get(host)
        if record is None:
            identifier = None if server_id is None else integer(server_id, "server_id", minimum=1)
            record = self.account.add_server(host, identifier)
        elif server_id is not None:
            record["server_id"] = integer(server_id, "server_id", minimum=1)
        changes = {
            name: entry.get(name) for name in ("rate", "auto_warmup") if entry.get(name) is not None
        }
        if changes:
            self.account.set_sending_rate(str(record["server_id"]), changes)
        for name, queue in (
            ("mail_queue_trying", "trying"),
            ("mail_queue_unprocessed", "unprocessed"),
        ):
            if entry.get(name) is not None:
                record["_queue"][queue] = integer(entry.get(name), name, minimum=0)

    def _custom_field(self, entry: _Entry) -> None:
        marketing = self._marketing(entry)
        word = str(entry.required("code_word"))
        found = self._of_owner("custom_fields", marketing.owner_id, "code_word", word)
        if found:
            if entry.get("name") is not None:
                found[0]["name"] = str(entry.get("name"))
            if entry.get("type") is not None:
                found[0]["type"] = choice(entry.get("type"), "type", FIELD_TYPES)
            return
        marketing.create_custom_field(
            {
                name: entry.get(name)
                for name in ("code_word", "name", "type")
                if entry.get(name) is not None
            }
        )

    def _of_owner(self, kind: str, owner_id: int, field: str, value: str) -> list[dict[str, Any]]:
        """The owner's ``kind`` whose ``field`` is ``value``, by id."""
        id_key, owner_key = ASSET_KEYS[kind]
        records = [
            record
            for record in where(self.data[kind], field, value).values()
            if record.get(owner_key) == owner_id
        ]
        return sorted(records, key=lambda record: record[id_key])

    def _owned(self, kind: str, entry: _Entry) -> Any:
        owner_id = self._ensure_user(str(entry.required("owner")))["user_id"]
        found = self._of_owner(kind, owner_id, "name", str(entry.required("name")))
        return found[0] if found else None

    def _group_id(self, kind: str, entry: _Entry, id_key: str) -> int:
        group = entry.get("group")
        if group is None:
            return 0
        owner_id = self._ensure_user(str(entry.required("owner")))["user_id"]
        found = self._of_owner(kind, owner_id, "name", str(group))
        if found:
            return int(found[0][id_key])
        raise ValueError(
            f"{entry.where}: group {group!r} is not a {kind[:-1].replace('_', ' ')} "
            f"of {entry.get('owner')}"
        )

    def _template_group(self, entry: _Entry) -> None:
        if self._owned("template_groups", entry) is None:
            self._marketing(entry).create_template_group({"name": entry.required("name")})

    def _template(self, entry: _Entry) -> None:
        marketing = self._marketing(entry)
        declared = {
            name: entry.get(name)
            for name in ("name", "code_word", "subject", "body_html", "body_text", "is_private")
            if entry.get(name) is not None
        }
        if entry.get("group") is not None:
            declared["template_group_id"] = self._group_id(
                "template_groups", entry, "template_group_id"
            )
        record = self._owned("templates", entry)
        if record is None:
            marketing.create_template(declared)
        else:
            marketing.replace_template(str(record["template_id"]), {**public(record), **declared})

    def _content_tag(self, entry: _Entry) -> None:
        marketing = self._marketing(entry)
        word = str(entry.required("code_word"))
        declared = {
            name: entry.get(name)
            for name in ("code_word", "name", "content")
            if entry.get(name) is not None
        }
        kind = str(entry.get("type", "static"))
        if kind not in ("static", "dynamic"):
            raise ValueError(f"{entry.where}: type must be static or dynamic")
        found = self._of_owner("content_tags", marketing.owner_id, "code_word", word)
        if found:
            found[0].update(declared, type=kind)
            if entry.get("rules") is not None:
                found[0]["_rules"] = entry.get("rules")
            return
        marketing.create_content_tag(declared, kind=kind, rules=entry.get("rules"))

    def _list_group(self, entry: _Entry) -> None:
        if self._owned("list_groups", entry) is None:
            self._marketing(entry).create_list_group({"name": entry.required("name")})

    def _list(self, entry: _Entry) -> None:
        marketing = self._marketing(entry)
        declared = {
            name: entry.get(name)
            for name in ("name", "from_email", "from_name", "reply_email", "custom_fields")
            if entry.get(name) is not None
        }
        if entry.get("group") is not None:
            declared["list_group_id"] = self._group_id("list_groups", entry, "list_group_id")
        record = self._owned("lists", entry)
        if record is None:
            marketing.create_list(declared)
        else:
            marketing.update_list(str(record["list_id"]), declared)
