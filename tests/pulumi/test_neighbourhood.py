"""What a new resource's check looks at besides itself: the objects under the parent whose
capacity it counts against, and nothing else (a check stays the same size however many
resources a deployment has)."""

from __future__ import annotations

from mailform.pulumi.neighbourhood import required_targets
from mailform.services.lianamailer.objects.mailing_list import MAILING_LISTS
from mailform.services.luxsci.objects.alias import ALIASES
from mailform.services.luxsci.objects.domain import DOMAINS
from mailform.services.luxsci.objects.email_template import TEMPLATES
from mailform.services.luxsci.objects.user import USERS


def test_aliases_and_users_are_judged_with_their_domain_s_other_objects() -> None:
    domain = {DOMAINS.object_id("example.com")}
    assert required_targets(ALIASES, {"alias": "a@example.com", "dest": []}) == domain
    assert required_targets(USERS, {"user": "ann@example.com"}) == domain


def test_children_of_a_parent_without_a_capacity_are_judged_alone() -> None:
    list_fields = {"name": "News", "site": "join.example.com", "self_service": True}
    assert required_targets(MAILING_LISTS, list_fields) == set()
    template = {"owner": "ann@example.com", "name": "T", "code_word": "t", "group": "G"}
    assert required_targets(TEMPLATES, template) == set()
