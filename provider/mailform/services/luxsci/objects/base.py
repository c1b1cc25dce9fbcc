"""What the LuxSci object types share besides the REST mapping (``rest``): the owner-scope
reads (a Team member's lists hold others' objects), the create limits and the `created`
timestamps."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from mailform.engine.objecttype import LiveObject
from mailform.errors import NotFound

T = TypeVar("T")


def get_or_none(fetch: Callable[[], T]) -> T | None:
    """``fetch()``, or None when the service answers 404 (assumes: luxsci.status.not_found)."""
    try:
        return fetch()
    except NotFound:
        return None


#: The row fields that name the owning user's numeric id (templates: ``user_id``; marketing
#: lists: ``owner_id``, from the reports' columns).
OWNER_ID_FIELDS = ("user_id", "owner_id")


def owner_rows(session: Any, type_name: str, owner: str, fetch: Callable[[], Any]) -> Any:
    """One owner's list for a user-scope type, read once per session; an owner the account
    does not have (yet) owns nothing.

    A user-scope list answers more than the owner's own objects for a member of a Team
    ("all non-private Templates of all Team members are returned"); rows that name another
    user's id as their owner are left out, so that a teammate's template is never taken
    for (and pruned as) the owner's."""

    def read() -> list[dict[str, Any]]:
        rows = get_or_none(fetch) or []
        owned = [row for row in rows if _owner_id(row) is not None]
        if not owned:
            return rows
        owner_id = _user_id(session, owner)
        if owner_id is None:
            return rows
        return [row for row in rows if _owner_id(row) in (None, owner_id)]

    return session.cached(("luxsci", type_name, owner.lower()), read)


def _owner_id(row: Mapping[str, Any]) -> int | None:
    for name in OWNER_ID_FIELDS:
        value = row.get(name)
        if isinstance(value, int | str) and str(value).isdigit():
            return int(value)
    return None


def _user_id(session: Any, login: str) -> int | None:
    """The numeric id of the user ``login``, from the account's user list (read once per
    session, shared with the users' own read)."""
    from mailform.services.luxsci.objects.user import USERS

    rows = USERS.rows(session, None)
    for row in rows:
        if str(row.get("user", row.get("login", ""))).lower() == login.lower():
            return _owner_id(row)
    return None


def forget_owner(session: Any, type_name: str, owner: str) -> None:
    """Drop an owner's cached list after a change."""
    session.forget(("luxsci", type_name, owner.lower()))


def forget_owned(session: Any, *logins: str) -> None:
    """Drop every user-scope list read for these logins (a renamed user's paths change:
    its objects now answer under the new login, and none under the old)."""
    wanted = {login.lower() for login in logins}

    def stale(key: Any) -> bool:
        return isinstance(key, tuple) and len(key) == 3 and key[0] == "luxsci" and key[2] in wanted

    session.forget_matching(stale)


#: The 24-hour create limits a new LuxSci integration is assumed to have (the documents
#: give none; INF, docs/api-assumptions.md): the default budgets of a plan, which a stack
#: file replaces with the integration's own (``mailform.create_limits``).
DAILY_CREATE_LIMITS = {"domains": 100, "aliases": 1000, "users": 100}


def created_at(live: LiveObject) -> float | None:
    """When LuxSci says a row was added (``"created": "2026-12-01 16:16:51"``, read as UTC:
    INF), in Unix seconds; None when the row has no readable date."""
    text = live.raw.get("created")
    if not isinstance(text, str):
        return None
    if len(text) != len("2026-12-01 16:16:51"):
        return None
    try:
        # fromisoformat reads this exact shape, ten times faster than strptime (a plan of
        # 50,000 aliases reads every date when it creates any)
        return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None
