"""What every object type's API class shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from provider.engine.objecttype import ObjectId, Reference
from provider.errors import NotFound
from provider.luxsci.client import LuxSciClient


class ObjectApi:
    """Calls for one object type, over a shared ``LuxSciClient``."""

    def __init__(self, client: LuxSciClient) -> None:
        self.client = client


def find(rows: Iterable[dict[str, Any]], predicate: Callable[[dict[str, Any]], bool]) -> Any:
    """The first row matching ``predicate``, or None."""
    return next((row for row in rows if predicate(row)), None)


def get_or_none(fetch: Callable[[], Any]) -> Any:
    """``fetch()``, or None when the service answers 404."""
    try:
        return fetch()
    except NotFound:
        return None


def same_address(left: str | None, right: str | None) -> bool:
    """Domain names and email addresses compare without regard to case."""
    return (left or "").lower() == (right or "").lower()


def owner_rows(session: Any, type_name: str, owner: str, fetch: Callable[[], Any]) -> Any:
    """One owner's list for a user-scope type, read once per session; an owner the account
    does not have (yet) owns nothing."""
    return session.cached(("luxsci", type_name, owner.lower()), lambda: get_or_none(fetch) or [])


def forget_owner(session: Any, type_name: str, owner: str) -> None:
    """Drop an owner's cached list after a change."""
    session.forget(("luxsci", type_name, owner.lower()))


def owner_reference(fields: Mapping[str, Any]) -> Reference:
    """A user-scope object needs its owner, when the owner is declared too."""
    return Reference(ObjectId("luxsci", "users", (fields["owner"],)), "owner", required=False)
