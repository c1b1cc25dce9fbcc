"""What the LianaMailer object types share: the API class base and the rule for names the
service does not keep unique."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mailform.services.lianamailer.client import LianaMailerClient


class ObjectApi:
    """Calls for one object type, over a shared ``LianaMailerClient``."""

    def __init__(self, client: LianaMailerClient) -> None:
        self.client = client


def find(
    rows: Iterable[dict[str, Any]], predicate: Callable[[dict[str, Any]], bool]
) -> dict[str, Any] | None:
    """The first row matching ``predicate``, or None."""
    return next((row for row in rows if predicate(row)), None)
