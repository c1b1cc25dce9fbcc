"""Seeding the LianaMailer account from a stack file's ``lianamailer:`` section."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from provider.sandbox.clock import SandboxClock
from provider.sandbox.seed import SeedError
from provider.sandbox.server import SandboxApp
from tests.sandbox.liana_caller import LianaCaller, liana_caller, sandbox_with_vector_credentials

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
    - {name: Newsletter, is_revokable: true}
"""


@pytest.fixture
def app(clock: SandboxClock) -> SandboxApp:
    return sandbox_with_vector_credentials(clock)


@pytest.fixture
def liana(app: SandboxApp, clock: SandboxClock) -> Iterator[LianaCaller]:
    with liana_caller(app, clock) as caller:
        yield caller


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
    assert [c["name"] for c in liana.call("getConsentTypes")] == ["Newsletter"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lianamailer:\n  properties:\n    - {name: email}\n", "reserved"),
        ("lianamailer:\n  lists:\n    - {name: L, site: no.example.com}\n", "Site not found"),
        ("lianamailer:\n  sites:\n    - {domain: a.example.com, colour: red}\n", "unknown"),
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
