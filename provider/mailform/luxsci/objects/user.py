"""Users (account scope administration, plus the user-scope password call).

A user is identified by its login (an email address). The login changes only through
``rename``; settings change through a partial update; the password through its own call,
which answers 201 and is write-only (never read back).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from mailform.engine.fieldtypes import EmailAddress, domain_of
from mailform.engine.objecttype import Declared, LiveObject, ObjectType, Reference
from mailform.errors import IncompleteDeclaration, MailformError, WriteOnlyNotApplied
from mailform.luxsci.objects.base import (
    DAILY_CREATE_LIMITS,
    ObjectApi,
    created_at,
    find,
    same_address,
)
from mailform.luxsci.objects.domain import DOMAINS
from mailform.stackfile.secrets import SecretRef

#: Settings the update call accepts (a subset of the profile keys).
SETTINGS_FIELDS = ("name", "status", "disk_quota", "company", "custom1", "custom2", "custom3")


class UserApi(ObjectApi):
    """createUser, getUserReport, updateUserSettings, renameUser, changeUserPassword,
    deleteUser."""

    def list(self, *, status: str | None = None, domain: str | None = None) -> list[dict[str, Any]]:
        """Every user of the account (optionally filtered), one call. Users protected from
        API access are not reported by the service."""
        return (
            self.client.get(self.client.account_path("users"), {"status": status, "domain": domain})
            or []
        )

    def get(self, login: str) -> dict[str, Any] | None:
        """One user's report row, or None (the report filtered by the login's domain)."""
        rows = self.list(domain=login.rpartition("@")[2])
        return find(rows, lambda row: same_address(row.get("user"), login))

    def create(self, login: str, password: str, **settings: Any) -> dict[str, Any]:
        """Create a user with an initial password and settings; answers its row."""
        body: dict[str, Any] = {"user": login, "password": password, **settings}
        self.client.create(
            self.client.account_path("users"), body, find_existing=lambda: self.get(login)
        )
        return self.get(login) or {"user": login, **settings}

    def update(self, login: str, **settings: Any) -> None:
        """Change the given settings (see ``SETTINGS_FIELDS``); others are untouched."""
        unknown = set(settings) - set(SETTINGS_FIELDS)
        if unknown:
            raise ValueError(f"users cannot update {sorted(unknown)}; only {SETTINGS_FIELDS}")
        self.client.put(self.client.account_path("users", login), settings)

    def rename(self, login: str, new_login: str) -> None:
        """Change a user's login address (the new domain must be in the account)."""
        self.client.put(
            self.client.account_path("users", login, "rename"), {"new_address": new_login}
        )

    def change_password(self, login: str, password: str) -> None:
        """Set a user's password (refused for disabled users)."""
        self.client.put(self.client.user_path(login, "password"), {"password": password})

    def delete(self, login: str) -> None:
        """Delete a user and its mailbox data; irreversible."""
        self.client.delete(self.client.account_path("users", login))


class User(Declared):
    """A user (mailbox) of the account, identified by its login address.

    The password is write-only: it is set when the user is created and when
    ``password_version`` changes, never read back or compared.
    """

    user: EmailAddress = Field(description="The login address; its domain must be declared.")
    renamed_from: EmailAddress | None = Field(
        default=None,
        description="The user's previous login: rename that user (keeping the mailbox and "
        "its mail) rather than create a new one. Remove it once applied.",
    )
    name: str | None = Field(default=None, description="The user's display name.")
    status: Literal["enabled", "disabled"] | None = None
    disk_quota: float | None = Field(default=None, description="Mailbox quota, in MB.")
    company: str | None = None
    custom1: str | None = None
    custom2: str | None = None
    custom3: str | None = None
    password: SecretRef | None = Field(
        default=None, description="The password, as {env: NAME}; needed to create the user."
    )
    password_version: int = Field(
        default=0, description="Bump to set the password again (rotation)."
    )


class UserType(ObjectType[User]):
    """Users: deleting one destroys its mail, so it needs an explicit flag."""

    service = "luxsci"
    name = "users"
    title = "User"
    model = User
    key_fields = ("user",)
    refers_to = (DOMAINS,)
    namespace = "addresses"
    write_only = frozenset({"password", "password_version"})
    needed_to_create = frozenset({"password"})
    rename_field = "renamed_from"
    daily_create_limit = DAILY_CREATE_LIMITS["users"]
    destroys = "the mailbox and all its mail"

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        domain = domain_of(fields["user"])
        return [DOMAINS.reference(domain, field="user", blocks_delete=True)]

    def created_at(self, live: LiveObject) -> float | None:
        return created_at(live)

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        rows = session.cached(USERS_CACHE, UserApi(session.client).list)
        return [self._live(row) for row in rows]

    def create(self, session: Any, declared: User) -> LiveObject:
        if declared.password is None:
            raise IncompleteDeclaration(
                f"user {declared.user} needs a password to be created (password: {{env: NAME}})"
            )
        settings = self._settings(declared, set(SETTINGS_FIELDS))
        row = UserApi(session.client).create(declared.user, declared.password.resolve(), **settings)
        session.forget(USERS_CACHE)
        return self._live(row)

    def update(
        self, session: Any, live: LiveObject, declared: User, changed: set[str]
    ) -> LiveObject:
        api = UserApi(session.client)
        if "user" in changed:  # a rename (renamed_from): the mailbox stays
            api.rename(live.api_id, declared.user)
            fields = {**live.fields, "user": declared.user}
            live = LiveObject(self.id_of(fields), fields, declared.user, live.raw)
        settings = self._settings(declared, changed)
        password = declared.password if "password" in changed else None
        # LuxSci refuses to change a disabled user's password: a user being disabled gets
        # its password first, one being enabled (or staying enabled) its settings first.
        if password is not None and settings.get("status") == "disabled":
            self._send_password(api, live, password)
            password = None
        if settings:
            api.update(live.api_id, **settings)
        if password is not None:
            self._send_password(api, live, password, after_settings=bool(settings))
        session.forget(USERS_CACHE)
        return LiveObject(live.id, {**live.fields, **settings}, live.api_id, live.raw)

    @staticmethod
    def _send_password(
        api: UserApi, live: LiveObject, password: SecretRef, *, after_settings: bool = False
    ) -> None:
        try:
            api.change_password(live.api_id, password.resolve())
        except MailformError as error:
            if not after_settings:
                raise
            # The settings went through; the password did not, and no later plan can see
            # that (it is write-only): say so, rather than let the next plan say "no changes".
            raise WriteOnlyNotApplied(
                f"user {live.api_id}: the other changes were made, but the password was not "
                f"set ({error}); it must be sent again (a rotation)"
            ) from error

    def change_problem(
        self, live_fields: Mapping[str, Any], declared: User, changed: set[str]
    ) -> str | None:
        stays_disabled = live_fields.get("status") == "disabled" and (
            declared.status != "enabled" or "status" not in declared.model_fields_set
        )
        if "password" in changed and stays_disabled:
            return (
                "the password of a disabled user cannot be changed: declare status: enabled "
                "in the same change, or set the password once the user is enabled"
            )
        return None

    def delete(self, session: Any, live: LiveObject) -> None:
        UserApi(session.client).delete(live.api_id)
        session.forget(USERS_CACHE)

    @staticmethod
    def _settings(declared: User, names: set[str]) -> dict[str, Any]:
        return {
            name: getattr(declared, name)
            for name in SETTINGS_FIELDS
            if name in names and name in declared.model_fields_set
        }

    def _live(self, row: dict[str, Any]) -> LiveObject:
        fields = {name: row.get(name) for name in SETTINGS_FIELDS}
        fields["user"] = row["user"]
        fields = self.normalise_live(fields)
        return LiveObject(self.id_of(fields), fields, row["user"], row)


USERS_CACHE = ("luxsci", "users")
USERS = UserType()


def owner_reference(fields: Mapping[str, Any]) -> Reference:
    """A user-scope object needs its owner, when the owner is declared too."""
    return USERS.reference(fields["owner"], field="owner", required=False)
