"""LianaMailer as a service the engine manages: its object types (the ``Service``
orders them from what each refers to, parents first), and how to connect."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mailform.engine.objecttype import ObjectType
from mailform.engine.service import Service
from mailform.engine.session import Session
from mailform.http.ratelimit import limiter_options
from mailform.services.lianamailer.client import LianaMailerClient, LianaMailerCredentials
from mailform.services.lianamailer.objects.consent_type import CONSENT_TYPES
from mailform.services.lianamailer.objects.mailing_list import MAILING_LISTS
from mailform.services.lianamailer.objects.property import PROPERTIES
from mailform.services.lianamailer.objects.site import SITES

OBJECT_TYPES: tuple[ObjectType[Any], ...] = (SITES, PROPERTIES, CONSENT_TYPES, MAILING_LISTS)


def connect(
    *,
    credentials: LianaMailerCredentials | None = None,
    environ: Mapping[str, str] | None = None,
    rate_limit: float | None = None,
    **client_options: Any,
) -> Session[LianaMailerClient]:
    """A session over a new client; credentials default to the ``LIANAMAILER_*`` variables of
    ``environ`` (the process environment by default).

    ``rate_limit`` is requests per minute, as for every service (default: the documented 4
    per second, spaced with a 5 % margin); 0 disables the client-side limiter (for the local
    sandbox).
    """
    credentials = credentials or LianaMailerCredentials.from_env(environ)
    # burst 1: the service counts requests per second; a fuller bucket plus its refill would
    # send more than the limit within one second and draw 429s.
    options = {**limiter_options(rate_limit, burst=1), **client_options}
    return Session(LianaMailerClient(credentials, **options))


LIANAMAILER = Service("lianamailer", "LianaMailer", OBJECT_TYPES, connect)
