"""Seeding the LianaMailer account from a stack file's ``lianamailer:`` section."""

from __future__ import annotations

import pytest

from mailform.sandbox.seed import SeedError
from mailform.sandbox.server import SandboxApp
from tests.sandbox.liana_caller import LianaCaller

STACK = """
lianamailer:
  sites:
    - {domain: news.example.com, language: EN}
  properties:
    - {name: firstname, type: text, subscription: true}
  lists:
    - name: News
      self_service: true
      site: news.example.com
    - name: Dynamic
      condition: {conditions: [{name: firstname, condition: begins, value: A}], enabled: true}
  consent_types:
    - {name: Newsletter, is_revokable: true, sites: [news.example.com]}
"""


def test_seeding_creates_the_objects_and_is_an_upsert(app: SandboxApp, liana: LianaCaller) -> None:
    counts = app.seed(STACK)
    assert counts == {
        "lianamailer.sites": 1,
        "lianamailer.properties": 1,
        "lianamailer.lists": 2,
        "lianamailer.consent_types": 1,
    }
    app.seed(STACK.replace("language: EN", "language: SV"))
    [site] = liana.call("sites")
    assert site["language"] == "SV"
    assert site["properties"] == [{"handle": 1, "name": "firstname"}]
    assert [item["name"] for item in site["lists"]] == ["News"]
    names = [item["name"] for item in liana.call("getMailingLists")]
    assert names == ["News", "Dynamic"]
    assert liana.call("getMailingLists")[1]["condition"].startswith('{"conditions"')
    [consent] = liana.call("getConsentTypes")
    assert consent["name"] == "Newsletter"
    assert site["consents"] == [consent["consent_id"]]


def test_a_seeded_consent_type_is_offered_on_exactly_its_sites(
    app: SandboxApp, liana: LianaCaller
) -> None:
    app.seed(STACK)
    app.seed("lianamailer:\n  sites:\n    - {domain: shop.example.com}\n")
    [consent] = liana.call("getConsentTypes")
    moved = STACK.replace("sites: [news.example.com]}", "sites: [shop.example.com]}")
    app.seed(moved)
    assert liana.call("getConsentTypesBySite", "shop.example.com") == [consent]
    assert liana.call("getConsentTypesBySite", "news.example.com") == []
    app.seed(moved.replace(", sites: [shop.example.com]}", "}"))  # no sites: keeps them
    assert liana.call("getSite", "shop.example.com")["consents"] == [consent["consent_id"]]
    app.seed(moved.replace("sites: [shop.example.com]}", "sites: []}"))
    assert liana.call("getSite", "shop.example.com")["consents"] == []
    assert liana.call("deleteConsentType", consent["consent_id"]) == 1


def test_a_seeded_consent_type_on_an_unknown_site_is_refused_where_it_is_declared(
    app: SandboxApp,
) -> None:
    text = """lianamailer:
  sites:
    - {domain: news.example.com}
  consent_types:
    - {name: Newsletter, is_revokable: true}
    - {name: Offers, is_revokable: false, sites: [news.example.com, no.example.com]}
"""
    with pytest.raises(SeedError) as refused:
        app.seed(text, source="stack.yaml")
    assert str(refused.value) == (
        "stack.yaml:6: lianamailer.consent_types[1]: Site not found: no.example.com"
    )
    assert app.store.snapshot()["lianamailer"]["sites"] == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lianamailer:\n  properties:\n    - {name: email}\n", "reserved"),
        ("lianamailer:\n  lists:\n    - {name: L, site: no.example.com}\n", "Site not found"),
        ("lianamailer:\n  sites:\n    - {domain: a.example.com, colour: red}\n", "unknown"),
        ("lianamailer:\n  sites:\n    - {domain: a.example.com, consents: [1]}\n", "unknown"),
        (
            "lianamailer:\n  consent_types:\n    - {name: N, is_revokable: true, sites: x}\n",
            "sites must be a list of site domains",
        ),
        ("lianamailer:\n  groups: []\n", "unknown keys"),
    ],
)
def test_a_seed_that_breaks_a_rule_is_refused_and_changes_nothing(
    app: SandboxApp, text: str, message: str
) -> None:
    app.seed(STACK)
    before = app.store.snapshot()["lianamailer"]
    with pytest.raises(SeedError, match=message):
        app.seed(text, source="stack.yaml")
    assert app.store.snapshot()["lianamailer"] == before
