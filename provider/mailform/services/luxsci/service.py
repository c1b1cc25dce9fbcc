"""LuxSci as a service the engine manages: its object types (the ``Service`` orders them
from what each refers to, parents first), and how to connect."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mailform.engine.objecttype import ObjectType
from mailform.engine.service import Service
from mailform.engine.session import Session
from mailform.services.connect import open_session
from mailform.services.luxsci.objects.alias import ALIASES
from mailform.services.luxsci.objects.bounce_domain import BOUNCE_DOMAINS
from mailform.services.luxsci.objects.content_tag import CONTENT_TAGS
from mailform.services.luxsci.objects.custom_field import CUSTOM_FIELDS
from mailform.services.luxsci.objects.dkim import DKIM
from mailform.services.luxsci.objects.domain import DOMAINS
from mailform.services.luxsci.objects.email_template import TEMPLATES
from mailform.services.luxsci.objects.group import LIST_GROUPS, TEMPLATE_GROUPS
from mailform.services.luxsci.objects.marketing_list import MARKETING_LISTS
from mailform.services.luxsci.objects.server import SERVERS
from mailform.services.luxsci.objects.user import USERS

if TYPE_CHECKING:
    from mailform.services.luxsci.client import LuxSciClient

OBJECT_TYPES: tuple[ObjectType[Any], ...] = (
    DOMAINS,
    DKIM,
    BOUNCE_DOMAINS,
    USERS,
    ALIASES,
    SERVERS,
    CUSTOM_FIELDS,
    TEMPLATE_GROUPS,
    TEMPLATES,
    CONTENT_TAGS,
    LIST_GROUPS,
    MARKETING_LISTS,
)


def connect(**options: Any) -> Session[LuxSciClient]:
    """A session over a new client; credentials default to the ``LUXSCI_*`` variables.
    ``rate_limit`` (requests in any minute) replaces the documented 60."""
    from mailform.services.luxsci.client import LuxSciClient, LuxSciCredentials

    return open_session(LuxSciClient, LuxSciCredentials, **options)


def all_owners(session: Session[LuxSciClient]) -> frozenset[str]:
    """Every user login of the account: the owners export reads user-scope objects for."""
    return frozenset(obj.id.key[0] for obj in USERS.read(session, frozenset()))


LUXSCI = Service("luxsci", "LuxSci", OBJECT_TYPES, connect, all_owners)
