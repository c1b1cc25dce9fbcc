"""LianaMailer object types over V1 calls: sites, recipient properties, mailing lists and
consent types, with the rules of the contract in ``docs/api-assumptions.md``."""

from __future__ import annotations

import json

import pytest

from mailform.sandbox.server import SandboxApp
from tests.sandbox.liana_caller import LianaCaller

CONDITION = json.dumps(
    {"conditions": [{"name": "email", "condition": "begins", "value": "a."}], "enabled": True}
)


def test_sites_are_created_read_updated_and_deleted_by_domain(liana: LianaCaller) -> None:
    assert liana.call("sites") == []
    assert liana.call("createSite", "news.example.com", {"language": "EN"}) == "news.example.com"
    assert liana.call("createSite", "a.example.com") == "a.example.com"
    assert "already exists" in liana.fails("createSite", "a.example.com")
    assert "invalid domain" in liana.fails("createSite", "Not A Domain")
    assert "unknown site settings" in liana.fails("createSite", "b.example.com", {"colour": 1})
    assert liana.call("updateSite", "news.example.com", {"welcome": 42, "ssl": 0}) is True
    site = liana.call("getSite", "news.example.com")
    assert site == {
        "domain": "news.example.com",
        "language": "EN",
        "welcome": 42,
        "ssl": False,
        "consents": [],
        "properties": [],
        "lists": [],
    }
    listed = liana.call("sites", {"properties": False, "lists": False}, {"all_lists": True})
    assert [item["domain"] for item in listed] == ["a.example.com", "news.example.com"]
    assert "properties" not in listed[0] and "lists" not in listed[0]
    assert liana.call("deleteSite", "a.example.com") is True
    assert "Site not found" in liana.fails("getSite", "a.example.com")
    assert "Site not found" in liana.fails("deleteSite", "a.example.com")


def test_a_site_embeds_its_lists_and_subscription_properties(liana: LianaCaller) -> None:
    liana.call("createSite", "s.example.com")
    handle = liana.call("createCustomerProperty", "firstname", "FI", "text", None, False, True)
    liana.call("createCustomerProperty", "internal", "FI")
    list_id = liana.call("createMailingList", "News", "", True, None, "s.example.com")
    site = liana.call("getSite", "s.example.com")
    assert site["properties"] == [{"handle": handle, "name": "firstname"}]
    assert site["lists"] == [{"id": list_id, "name": "News"}]
    assert "in use by mailinglists" in liana.fails("deleteSite", "s.example.com")
    liana.call("deleteMailingList", list_id)
    assert liana.call("deleteSite", "s.example.com") is True


def test_properties_are_addressed_by_name(liana: LianaCaller) -> None:
    handle = liana.call(
        "createCustomerProperty", "colour", "EN", "select", ["red", "blue"], True, True, 3, "text"
    )
    assert isinstance(handle, int)
    assert liana.call("getCustomerProperties") == [
        {
            "handle": handle,
            "name": "colour",
            "language": "EN",
            "type": "select",
            "datatype": "text",
            "choices": ["red", "blue"],
            "required": True,
            "subscription": True,
            "position": 3,
        }
    ]
    assert "already exists" in liana.fails("createCustomerProperty", "Colour", "FI")
    assert liana.call("renameCustomerProperty", "colour", "color", "EN") is None
    assert [p["name"] for p in liana.call("getCustomerProperties")] == ["color"]
    assert liana.call("getCustomerProperties")[0]["handle"] == handle
    assert "not found" in liana.fails("renameCustomerProperty", "colour", "hue", "EN")
    assert "required" in liana.fails("renameCustomerProperty", "color", "hue")
    assert liana.call("deleteCustomerProperty", "color", "EN") is None
    assert liana.call("getCustomerProperties") == []
    assert "not found" in liana.fails("deleteCustomerProperty", "color", "EN")


@pytest.mark.parametrize("name", ["email", "ID", "list_id", "UserAgent", "sms"])
def test_reserved_property_names_are_refused(liana: LianaCaller, name: str) -> None:
    assert "reserved" in liana.fails("createCustomerProperty", name, "FI")
    liana.call("createCustomerProperty", "free", "FI")
    assert "reserved" in liana.fails("renameCustomerProperty", "free", name, "FI")


def test_property_types_and_choices_are_checked(liana: LianaCaller) -> None:
    assert "type must be one of" in liana.fails("createCustomerProperty", "x", "FI", "date")
    assert "datatype must be" in liana.fails(
        "createCustomerProperty", "x", "FI", "text", None, None, None, None, "bool"
    )
    assert "choices need type" in liana.fails("createCustomerProperty", "x", "FI", "text", ["a"])
    assert "must be a boolean" in liana.fails("createCustomerProperty", "x", "FI", "text", [], 2)
    assert liana.call("createCustomerProperty", "bio", "FI", "raw", None, 1, 0) > 0
    [bio] = liana.call("getCustomerProperties")
    assert (bio["type"], bio["required"], bio["subscription"]) == ("raw", True, False)


def test_mailing_lists_are_created_edited_and_soft_deleted(liana: LianaCaller) -> None:
    liana.call("createSite", "s.example.com")
    first = liana.call("createMailingList", "News")
    second = liana.call(
        "createMailingList", "News", "dup", False, CONDITION, None, None, "x1", "crm"
    )
    assert second != first  # create is not idempotent; names are not keys
    listed = liana.call("getMailingLists")
    assert listed[0] == {
        "id": first,
        "name": "News",
        "description": "",
        "self_service": False,
        "condition": None,
        "site": None,
        "cem_segment": None,
        "ext_id": None,
        "ext_id_type": None,
        "member_count": 0,
        "deleted": False,
    }
    assert listed[1]["condition"] == CONDITION and listed[1]["ext_id"] == "x1"
    assert liana.call("editMailingList", first, "Weekly", "desc", True, None, "s.example.com") == (
        first
    )
    edited = liana.call("getMailingList", first, True)
    assert edited["name"] == "Weekly" and edited["site"] == "s.example.com"
    assert edited["self_service"] is True and edited["sms_count"] == 0
    liana.call("editMailingList", first, "Weekly", "desc")  # nulls keep values
    assert liana.call("getMailingList", first)["site"] == "s.example.com"
    liana.call("editMailingList", first, "Weekly", "desc", None, None, "")  # "" clears
    assert liana.call("getMailingList", first)["site"] is None
    assert liana.call("deleteMailingList", second) is None
    assert [item["id"] for item in liana.call("getMailingLists", 0)] == [first]
    with_deleted = liana.call("getMailingLists", 1)
    assert [(item["id"], item["deleted"]) for item in with_deleted] == [
        (first, False),
        (second, True),
    ]
    assert liana.call("getMailingList", second)["deleted"] is True
    assert "not found" in liana.fails("editMailingList", second, "x", "")
    assert "not found" in liana.fails("deleteMailingList", second)
    assert "not found" in liana.fails("getMailingList", 999)


def test_a_condition_has_the_documented_shape_and_names_properties(liana: LianaCaller) -> None:
    def rule(name: str, operator: str = "=") -> str:
        return json.dumps({"conditions": [{"name": name, "condition": operator, "value": "x"}]})

    assert "non-empty array" in liana.fails("createMailingList", "L", "", False, "{}")
    assert "must be one of <>, =, ilike" in liana.fails(
        "createMailingList", "L", "", False, rule("email", "==")
    )
    assert "unknown property: plan" in liana.fails(
        "createMailingList", "L", "", False, rule("plan")
    )
    liana.call("createCustomerProperty", "Plan")
    assert isinstance(liana.call("createMailingList", "L", "", False, rule("plan")), int)
    assert isinstance(liana.call("createMailingList", "M", "", False, rule("SMS", "begins")), int)


def test_mailing_list_rules(liana: LianaCaller) -> None:
    assert "Site not found" in liana.fails("createMailingList", "L", "", True, None, "no.example")
    assert "required" in liana.fails("createMailingList")
    assert "JSON object" in liana.fails("createMailingList", "L", "", False, "not json")
    assert "both a condition" in liana.fails(
        "createMailingList", "L", "", False, CONDITION, None, 5
    )
    assert "go together" in liana.fails("createMailingList", "L", "", False, None, None, None, "x")
    list_id = liana.call("createMailingList", "L")
    assert "required" in liana.fails("editMailingList", list_id, "L")
    assert "Site not found" in liana.fails("editMailingList", list_id, "L", "", True, None, "n.x")
    assert "an integer" in liana.fails("getMailingList", "1")
    assert liana.call("getMailingList", list_id)["site"] is None  # refusals change nothing


def test_consent_types_are_addressed_by_id_and_edits_bump_the_revision(
    liana: LianaCaller,
) -> None:
    consent = liana.call("createConsentType", "Newsletter", True)
    other = liana.call("createConsentType", "Newsletter", 0)  # names are not unique
    assert liana.call("getConsentTypes") == [
        {"consent_id": consent, "consent_revision": 1, "name": "Newsletter", "is_revokable": True},
        {"consent_id": other, "consent_revision": 1, "name": "Newsletter", "is_revokable": False},
    ]
    assert liana.call("editConsentType", consent, "Newsletter", True) == 1
    assert liana.call("getConsentTypes")[0]["consent_revision"] == 1  # no change, same revision
    assert liana.call("editConsentType", consent, "Weekly letter", False) == 1
    assert liana.call("getConsentTypes")[0] == {
        "consent_id": consent,
        "consent_revision": 2,
        "name": "Weekly letter",
        "is_revokable": False,
    }
    assert "must be a boolean" in liana.fails("editConsentType", consent, "x", 2)
    assert "required" in liana.fails("createConsentType", "x")
    assert liana.call("deleteConsentType", other) == 1
    assert [c["consent_id"] for c in liana.call("getConsentTypes")] == [consent]
    assert "not found" in liana.fails("deleteConsentType", other)
    assert "not found" in liana.fails("editConsentType", other, "x", True)


def test_a_site_offers_the_consent_types_its_settings_name(liana: LianaCaller) -> None:
    newsletter = liana.call("createConsentType", "Newsletter", True)
    offers = liana.call("createConsentType", "Offers", False)
    liana.call("createSite", "news.example.com", {"consents": [offers, newsletter, offers]})
    liana.call("createSite", "shop.example.com")
    assert liana.call("getSite", "news.example.com")["consents"] == sorted([newsletter, offers])
    assert liana.call("getSite", "shop.example.com")["consents"] == []
    assert liana.call("getConsentTypesBySite", "news.example.com") == liana.call("getConsentTypes")
    assert liana.call("getConsentTypesBySite", "shop.example.com") == []
    liana.call("updateSite", "shop.example.com", {"consents": [offers]})
    [offered] = liana.call("getConsentTypesBySite", "shop.example.com")
    assert offered == {
        "consent_id": offers,
        "consent_revision": 1,
        "name": "Offers",
        "is_revokable": False,
    }
    liana.call("updateSite", "shop.example.com", {"language": "EN"})  # omitted keeps
    assert liana.call("getSite", "shop.example.com")["consents"] == [offers]
    liana.call("updateSite", "news.example.com", {"consents": [newsletter]})  # replaces
    assert liana.call("getSite", "news.example.com")["consents"] == [newsletter]
    listed = liana.call("sites", {"properties": False, "lists": False})
    assert [site["consents"] for site in listed] == [[newsletter], [offers]]


def test_site_consents_must_name_existing_consent_types(liana: LianaCaller) -> None:
    consent = liana.call("createConsentType", "Newsletter", True)
    assert liana.fails("createSite", "a.example.com", {"consents": [consent, 99]}) == (
        "Consent type not found: 99"
    )
    assert "Site not found" in liana.fails("getSite", "a.example.com")
    liana.call("createSite", "a.example.com", {"consents": [consent]})
    for bad in ([True], ["1"], consent, None):
        message = liana.fails("updateSite", "a.example.com", {"consents": bad})
        assert "consents must be an array of consent type ids" in message
    assert liana.call("getSite", "a.example.com")["consents"] == [consent]
    assert liana.fails("getConsentTypesBySite", "b.example.com") == "Site not found: b.example.com"
    assert "required" in liana.fails("getConsentTypesBySite")


def test_a_consent_type_offered_on_sites_cannot_be_deleted(liana: LianaCaller) -> None:
    consent = liana.call("createConsentType", "Newsletter", True)
    liana.call("createSite", "b.example.com", {"consents": [consent]})
    liana.call("createSite", "a.example.com", {"consents": [consent]})
    assert liana.fails("deleteConsentType", consent) == (
        f"Consent type {consent} is in use by sites [a.example.com, b.example.com]"
    )
    liana.call("updateSite", "a.example.com", {"consents": []})
    assert liana.fails("deleteConsentType", consent) == (
        f"Consent type {consent} is in use by sites [b.example.com]"
    )
    liana.call("updateSite", "b.example.com", {"consents": []})
    assert liana.call("deleteConsentType", consent) == 1
    assert liana.call("getConsentTypes") == []


def test_a_site_stored_before_sites_had_consents_offers_none(
    app: SandboxApp, liana: LianaCaller
) -> None:
    liana.call("createSite", "old.example.com")
    consent = liana.call("createConsentType", "Newsletter", True)
    with app.store.change() as state:  # as a state file from an earlier sandbox has it
        del state["lianamailer"]["sites"]["old.example.com"]["consents"]
    assert liana.call("getSite", "old.example.com")["consents"] == []
    assert liana.call("getConsentTypesBySite", "old.example.com") == []
    liana.call("updateSite", "old.example.com", {"consents": [consent]})
    assert liana.call("getSite", "old.example.com")["consents"] == [consent]
