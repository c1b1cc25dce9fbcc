"""Every LuxSci object type mailform manages, in dependency order (parents first)."""

from __future__ import annotations

from provider.engine.objecttype import ObjectType
from provider.luxsci.objects.alias import ALIASES
from provider.luxsci.objects.bounce_domain import BOUNCE_DOMAINS
from provider.luxsci.objects.content_tag import CONTENT_TAGS
from provider.luxsci.objects.custom_field import CUSTOM_FIELDS
from provider.luxsci.objects.dkim import DKIM
from provider.luxsci.objects.domain import DOMAINS
from provider.luxsci.objects.email_template import TEMPLATES
from provider.luxsci.objects.list_group import LIST_GROUPS
from provider.luxsci.objects.marketing_list import LISTS
from provider.luxsci.objects.server import SERVERS
from provider.luxsci.objects.template_group import TEMPLATE_GROUPS
from provider.luxsci.objects.user import USERS

OBJECT_TYPES: tuple[ObjectType, ...] = (
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
    LISTS,
)
