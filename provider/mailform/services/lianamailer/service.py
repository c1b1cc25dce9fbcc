"""LianaMailer as a service the engine manages: its object types (the ``Service``
orders them from what each refers to, parents first), and how to connect."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mailform.engine.objecttype import ObjectType
from mailform.engine.service import Service
from mailform.engine.session import Session
from mailform.services.connect import open_session
from mailform.services.lianamailer.objects.consent_type import CONSENT_TYPES
from mailform.services.lianamailer.objects.mailing_list import MAILING_LISTS
from mailform.services.lianamailer.objects.property import PROPERTIES
from mailform.services.lianamailer.objects.site import SITES

if TYPE_CHECKING:
    from mailform.services.lianamailer.client import LianaMailerClient

OBJECT_TYPES: tuple[ObjectType[Any], ...] = (SITES, PROPERTIES, CONSENT_TYPES, MAILING_LISTS)


def connect(**options: Any) -> Session[LianaMailerClient]:
    """A session over a new client; credentials default to the ``LIANAMAILER_*`` variables.
    ``rate_limit`` (requests in any minute) replaces the documented 4 in any second."""
    from mailform.services.lianamailer.client import LianaMailerClient, LianaMailerCredentials

    return open_session(LianaMailerClient, LianaMailerCredentials, **options)


LIANAMAILER = Service("lianamailer", "LianaMailer", OBJECT_TYPES, connect)
