"""Users (account scope administration, plus the user-scope password call).

A user is identified by its login (an email address). The login changes only through
``rename``; settings change through a partial update; the password through its own call,
which answers 201 and is write-only (never read back).
"""

from __future__ import annotations

from typing import Any

from provider.luxsci.objects.base import ObjectApi, find, same_address

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
