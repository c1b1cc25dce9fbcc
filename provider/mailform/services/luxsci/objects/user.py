"""Users (account scope administration, plus the user-scope password call): createUser,
getUserReport, updateUserSettings (partial), renameUser, changeUserPassword, deleteUser.

A user is identified by its login (an email address). The login changes only through
``renameUser``; settings change through a partial update; the password through its own
call, which answers 201 and is write-only (never read back).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from mailform.engine.fieldtypes import EmailAddress, domain_of, renamed_from
from mailform.engine.objecttype import Declared, LiveObject, Reference
from mailform.errors import IncompleteDeclaration, MailformError, WriteOnlyNotApplied
from mailform.services.luxsci.objects.base import DAILY_CREATE_LIMITS, created_at, forget_owned
from mailform.services.luxsci.objects.domain import DOMAINS
from mailform.services.luxsci.objects.rest import Endpoint, RestType
from mailform.stackfile.secrets import SecretRef

if TYPE_CHECKING:
    from mailform.services.luxsci.client import LuxSciClient

#: Settings the update call accepts (a subset of the profile keys).
SETTINGS_FIELDS = ("name", "status", "disk_quota", "company", "custom1", "custom2", "custom3")


def rename_user(client: LuxSciClient, login: str, new_login: str) -> None:
    """renameUser: change a user's login address (the new domain must be in the account);
    the mailbox and its mail stay."""
    client.put(client.account_path("users", login, "rename"), {"new_address": new_login})


def change_password(client: LuxSciClient, login: str, password: str) -> None:
    """changeUserPassword (refused for disabled users)."""
    client.put(client.user_path(login, "password"), {"password": password})


class User(Declared):
    """A user (mailbox) of the account, identified by its login address.

    The password is write-only: it is set when the user is created and when
    ``password_version`` changes, never read back or compared.
    """

    user: EmailAddress = Field(description="The login address; its domain must be declared.")
    renamed_from: EmailAddress | None = renamed_from("the mailbox and its mail")
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


class UserType(RestType[User]):
    """Users: deleting one destroys its mail, so it needs an explicit flag."""

    name = "users"
    key_fields = ("user",)
    refers_to = (DOMAINS,)
    capacity_parent = DOMAINS
    namespace = "addresses"
    write_only = frozenset({"password", "password_version"})
    needed_to_create = frozenset({"password"})
    rename_field = "renamed_from"
    daily_create_limit = DAILY_CREATE_LIMITS["users"]
    destroys = "the mailbox and all its mail"
    endpoint = Endpoint("account", "users", id_field="user")
    wire_fields = SETTINGS_FIELDS
    read_fields = ("created", "user_id")

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        domain = domain_of(fields["user"])
        return [DOMAINS.reference(domain, field="user", blocks_delete=True)]

    def created_at(self, live: LiveObject) -> float | None:
        return created_at(live)

    def row_fields(self, session: Any, owner: str | None, row: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().row_fields(session, owner, row), "user": row["user"]}

    def body(
        self, session: Any, declared: User, live_row: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """A create: the login, the initial password and the declared settings."""
        if declared.password is None:
            raise IncompleteDeclaration(
                f"user {declared.user} needs a password to be created (password: {{env: NAME}})"
            )
        settings = self._settings(declared, set(SETTINGS_FIELDS))
        return {"user": declared.user, "password": declared.password.resolve(), **settings}

    def update(
        self, session: Any, live: LiveObject, declared: User, changed: set[str]
    ) -> LiveObject:
        client = session.client
        if "user" in changed:  # a rename (renamed_from): the mailbox stays
            rename_user(client, live.api_id, declared.user)
            forget_owned(session, live.fields["user"], declared.user)
            fields = {**live.fields, "user": declared.user}
            live = LiveObject(self.id_of(fields), fields, declared.user, live.raw)
        settings = self._settings(declared, changed)
        password = declared.password if "password" in changed else None
        # LuxSci refuses to change a disabled user's password: a user being disabled gets
        # its password first, one being enabled (or staying enabled) its settings first.
        if password is not None and settings.get("status") == "disabled":
            self._send_password(client, live, password)
            password = None
        if settings:
            self.api(session).update(live.api_id, settings)
        if password is not None:
            self._send_password(client, live, password, after_settings=bool(settings))
        self.forget(session, None)
        return LiveObject(live.id, {**live.fields, **settings}, live.api_id, live.raw)

    @staticmethod
    def _send_password(
        client: LuxSciClient, live: LiveObject, password: SecretRef, *, after_settings: bool = False
    ) -> None:
        try:
            change_password(client, live.api_id, password.resolve())
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

    @staticmethod
    def _settings(declared: User, names: set[str]) -> dict[str, Any]:
        return {
            name: getattr(declared, name)
            for name in SETTINGS_FIELDS
            if name in names and name in declared.model_fields_set
        }


USERS = UserType()
