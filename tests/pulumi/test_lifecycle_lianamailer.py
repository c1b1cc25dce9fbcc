"""Every LianaMailer resource type through its whole life, engine-style, against the sandbox:
create → no-op → change → out-of-band change seen by refresh → up restores → delete → gone.

The model decides what a change is: a site's settings, a list's description, site and
self-service flag, and a consent type's flag and sites are updates; a property's type,
choices and position are fixed at creation, so changing them replaces the property in place
(same name: the old one is deleted first). A property renamed with ``renamed_from`` is a
new key to Pulumi (a replacement, created first), and that create renames the old property,
so its recipients' values (its ``handle``) survive. A property's name is its key regardless
of case, for adoption and for the diff alike.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import pytest

from mailform.engine.session import Session
from mailform.lianamailer import ConsentType, MailingList, Property
from mailform.pulumi.resources import RESOURCES
from mailform.services.lianamailer.objects.mailing_list import edit_list
from mailform.services.lianamailer.objects.site import update_site
from tests.accounts import Account
from tests.pulumi.engine import CheckFailed, EngineError, MiniEngine, strip_secrets
from tests.pulumi.programs import capture
from tests.pulumi.stories import refresh_shows_drift_and_up_restores

NEWS = "news.example.com"
SHOP = "shop.example.com"
TWO_SITES = f"lianamailer:\n  sites: [{{domain: {NEWS}}}, {{domain: {SHOP}, language: EN}}]\n"


def _liana(account: Account) -> dict[str, Any]:
    return account.state()["lianamailer"]


def _calls(account: Account) -> list[str]:
    """The LianaMailer calls the sandbox answered since its request log was cleared."""
    return [
        path.removeprefix("/api/v1/")
        for _, path, _ in account.app.requests
        if path.startswith("/api/v1/")
    ]


def _edit_list(session: Session[Any]) -> None:
    row = next(r for r in session.client.read("getMailingLists", 0) if r["name"] == "Customers")
    edit_list(session.client, row["id"], "Customers", "Edited by hand", {})


def _lists(liana: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (row["name"], row["description"], row["self_service"], row["site"], row["deleted"])
        for row in liana["lists"]
    ]


def _consent_types_and_sites(
    liana: dict[str, Any],
) -> tuple[list[tuple[Any, ...]], dict[str, list[int]]]:
    consent_types = [
        (row["consent_id"], row["name"], row["is_revokable"], row["consent_revision"])
        for row in liana["consent_types"]
    ]
    return consent_types, {domain: site["consents"] for domain, site in liana["sites"].items()}


@dataclass(frozen=True)
class Lifecycle:
    """One resource type's story: what is declared, what changes, what happens by hand."""

    title: str
    seed: str
    create: dict[str, Any]
    change: dict[str, Any]
    #: What the change is: ``update`` or ``replace``.
    expect: str
    #: A change made outside Pulumi, and the outputs a refresh then reports (None: gone).
    out_of_band: Callable[[Session[Any]], None]
    drift: dict[str, Any] | None
    #: What the story looks at in the account (the sandbox's ``lianamailer`` state), and
    #: what it is after the change (and after ``up`` restores it) and after the destroy.
    live: Callable[[dict[str, Any]], Any]
    after_change: Any
    after_destroy: Any
    #: The fields a replacement names, and whether the old object goes first (same key).
    replaces: tuple[str, ...] = ()
    delete_before_replace: bool = False
    name: str = "it"


CASES = [
    Lifecycle(
        "Site",
        "",
        {"domain": NEWS, "language": "en", "ssl": True},
        {"domain": NEWS, "language": "FI", "ssl": True},
        "update",
        lambda s: update_site(s.client, NEWS, {"language": "SV"}),
        {"language": "SV"},
        live=lambda liana: {domain: site["language"] for domain, site in liana["sites"].items()},
        after_change={NEWS: "FI"},
        after_destroy={},
    ),
    Lifecycle(
        "Property",
        "",
        {"name": "Shoe size", "type": "text", "position": 1},
        {"name": "Shoe size", "type": "select", "choices": ["38", "39"], "position": 2},
        "replace",
        lambda s: s.client.delete("deleteCustomerProperty", "Shoe size"),
        None,
        live=lambda liana: [(p["name"], p["type"], p["choices"]) for p in liana["properties"]],
        after_change=[("Shoe size", "select", ["38", "39"])],
        after_destroy=[],
        replaces=("choices", "type"),
        delete_before_replace=True,
    ),
    Lifecycle(
        "MailingList",
        TWO_SITES,
        {"name": "Customers", "description": "All customers", "self_service": False, "site": NEWS},
        {"name": "Customers", "description": "Every customer", "self_service": True, "site": SHOP},
        "update",
        _edit_list,
        {"description": "Edited by hand"},
        live=_lists,
        after_change=[("Customers", "Every customer", True, SHOP, False)],
        # a soft delete: the list is kept, marked deleted (and no longer listed)
        after_destroy=[("Customers", "Every customer", True, SHOP, True)],
    ),
    Lifecycle(
        "ConsentType",
        TWO_SITES,
        {"name": "Newsletter", "is_revokable": True, "sites": [NEWS]},
        {"name": "Newsletter", "is_revokable": False, "sites": [SHOP, NEWS]},
        "update",
        lambda s: update_site(s.client, SHOP, {"consents": []}),
        {"sites": [NEWS]},
        live=_consent_types_and_sites,
        # a new revision (the flag changed), offered on both sites
        after_change=([(1, "Newsletter", False, 2)], {NEWS: [1], SHOP: [1]}),
        # detached from its sites, then deleted
        after_destroy=([], {NEWS: [], SHOP: []}),
    ),
]


def test_every_lianamailer_resource_type_has_a_lifecycle_case() -> None:
    assert {case.title for case in CASES} == set(RESOURCES["lianamailer"])


def _declared_keys(inputs: dict[str, Any]) -> set[str]:
    return {key for key in inputs if not key.startswith("__")}


@pytest.mark.parametrize("case", CASES, ids=[case.title for case in CASES])
def test_lifecycle(case: Lifecycle, engine: MiniEngine, account: Account) -> None:
    resource = RESOURCES["lianamailer"][case.title]
    if case.seed:
        account.seed(case.seed)
    declared = capture(resource, case.name, **case.create)

    # create: the id is the natural key; the outputs hold the declared values, normalised.
    created = engine.up(declared.type, declared.name, declared.inputs)
    assert created.op == "create"
    state = engine.state[created.urn]
    outputs = strip_secrets(state.outputs)
    assert state.id == "/".join(resource.object_type.key_of(outputs))
    checked = strip_secrets(state.inputs)
    for name in _declared_keys(checked):
        assert outputs[name] == checked[name], name
    for name in resource.object_type.computed:  # the service's ids: list_id, handle...
        assert isinstance(outputs[name], int | float), name

    # the same program again: nothing to do.
    assert engine.up(declared.type, declared.name, declared.inputs).op == "same"

    # the change: an update, or a replacement as the model says.
    changed = capture(resource, case.name, **case.change)
    preview = engine.up(changed.type, changed.name, changed.inputs, preview=True)
    assert preview.op == case.expect
    step = engine.up(changed.type, changed.name, changed.inputs)
    assert step.op == case.expect
    if case.expect == "replace":
        assert step.replaces == case.replaces
        assert step.delete_before_replace is case.delete_before_replace
        first = "delete" if case.delete_before_replace else "create"
        assert step.order[0] == first
    assert case.live(_liana(account)) == case.after_change
    assert engine.up(changed.type, changed.name, changed.inputs).op == "same"

    # a change by hand: refresh shows it (outputs, and inputs of the declared shape).
    with closing(account.session("lianamailer")) as session:
        case.out_of_band(session)
    refresh_shows_drift_and_up_restores(engine, created.urn, changed, case.drift)
    assert case.live(_liana(account)) == case.after_change

    # delete, then a refresh reports it gone.
    gone = engine.state[created.urn]
    assert engine.destroy(created.urn).op == "delete"
    assert case.live(_liana(account)) == case.after_destroy
    engine.state[created.urn] = gone
    assert engine.refresh(created.urn).op == "deleted"


# -- properties: renamed, reserved ---------------------------------------------------------


def test_a_renamed_property_keeps_its_values(engine: MiniEngine, account: Account) -> None:
    old = capture(Property, "size", name="Shoe size", type="text")
    created = engine.up(old.type, old.name, old.inputs)
    handle = strip_secrets(created.outputs)["handle"]  # a number (a float on the wire)
    assert handle == _liana(account)["properties"][0]["handle"]

    renamed = capture(Property, "size", name="Shoe size EU", renamed_from="Shoe size", type="text")
    preview = engine.up(renamed.type, renamed.name, renamed.inputs, preview=True)
    assert (preview.op, preview.replaces, preview.delete_before_replace) == (
        "replace",
        ("name",),
        False,
    )
    account.app.requests.clear()
    step = engine.up(renamed.type, renamed.name, renamed.inputs)
    assert (step.op, step.order) == ("replace", ("create", "delete"))
    assert strip_secrets(step.outputs)["handle"] == handle
    assert engine.state[step.urn].id == "shoe size eu"
    # one property, renamed; the delete of the old name found nothing to delete
    properties = _liana(account)["properties"]
    assert [(p["name"], p["handle"]) for p in properties] == [("Shoe size EU", handle)]
    changes = set(_calls(account)) - {"getCustomerProperties"}
    assert changes == {"renameCustomerProperty"}  # neither a create nor a delete
    assert engine.refresh(step.urn, preview=True).op == "same"  # renamed_from is no drift
    assert engine.up(renamed.type, renamed.name, renamed.inputs).op == "same"

    # renamed_from can go once applied: nothing changes in the account
    account.app.requests.clear()
    final = capture(Property, "size", name="Shoe size EU", type="text")
    assert engine.up(final.type, final.name, final.inputs).op == "update"  # state only
    assert set(_calls(account)) == {"getCustomerProperties"}
    assert engine.refresh(step.urn).op == "same"


def test_a_property_name_changed_only_in_case_is_renamed_in_place(
    engine: MiniEngine, account: Account
) -> None:
    size = capture(Property, "size", name="Shoe size", type="text")
    urn = engine.up(size.type, size.name, size.inputs).urn
    handle = _liana(account)["properties"][0]["handle"]
    # names are unique regardless of case: no new key, so no replacement (which would
    # adopt the property as the new one, then delete it as the old one), but a rename
    shouting = capture(Property, "size", name="SHOE SIZE", type="text")
    assert engine.up(shouting.type, shouting.name, shouting.inputs).op == "update"
    assert engine.refresh(urn).op == "same"
    assert engine.up(shouting.type, shouting.name, shouting.inputs).op == "same"
    assert [(p["name"], p["handle"]) for p in _liana(account)["properties"]] == [
        ("SHOE SIZE", handle)
    ]


def test_a_reserved_property_name_fails_the_check(engine: MiniEngine, account: Account) -> None:
    reserved = capture(Property, "email", name="Email", type="text")
    with pytest.raises(CheckFailed) as failed:
        engine.up(reserved.type, reserved.name, reserved.inputs, preview=True)
    reasons = dict(failed.value.failures)
    assert set(reasons) == {"name"}
    assert "'Email' is a name LianaMailer reserves" in reasons["name"]
    assert "admin, archive, delivery_id, email, id" in reasons["name"]
    assert "Create" not in engine.calls
    assert not _liana(account)["properties"]


# -- consent types: which sites offer them -------------------------------------------------


def test_a_consent_type_is_attached_to_and_detached_from_sites(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(TWO_SITES)
    one = capture(ConsentType, "newsletter", name="Newsletter", sites=[NEWS])
    urn = engine.up(one.type, one.name, one.inputs).urn
    assert strip_secrets(engine.state[urn].outputs)["consent_id"] == 1
    assert _consent_types_and_sites(_liana(account)) == (
        [(1, "Newsletter", True, 1)],
        {NEWS: [1], SHOP: []},
    )

    both = capture(ConsentType, "newsletter", name="Newsletter", sites=[NEWS, SHOP])
    assert engine.up(both.type, both.name, both.inputs).op == "update"
    # attaching edits the site, not the consent type: no new revision
    assert _consent_types_and_sites(_liana(account)) == (
        [(1, "Newsletter", True, 1)],
        {NEWS: [1], SHOP: [1]},
    )

    assert engine.up(one.type, one.name, one.inputs).op == "update"
    assert _consent_types_and_sites(_liana(account))[1] == {NEWS: [1], SHOP: []}
    assert engine.refresh(urn, preview=True).op == "same"


def test_a_create_stopped_before_the_sites_is_finished_by_the_next_up(
    engine: MiniEngine, account: Account
) -> None:
    # `pulumi up` killed between createConsentType and updateSite: the consent type exists,
    # no site offers it, and the state holds no resource (the create never answered).
    account.seed(TWO_SITES + "  consent_types: [{name: Newsletter}]\n")
    both = capture(ConsentType, "newsletter", name="Newsletter", sites=[NEWS, SHOP])
    step = engine.up(both.type, both.name, both.inputs)
    assert step.op == "create"
    assert strip_secrets(step.outputs)["sites"] == [NEWS, SHOP]
    assert _consent_types_and_sites(_liana(account)) == (
        [(1, "Newsletter", True, 1)],
        {NEWS: [1], SHOP: [1]},
    )
    assert engine.up(both.type, both.name, both.inputs).op == "same"


def test_a_consent_type_offered_elsewhere_is_not_taken_for_a_stopped_create(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(TWO_SITES + f"  consent_types: [{{name: Newsletter, sites: [{SHOP}]}}]\n")
    news_only = capture(ConsentType, "newsletter", name="Newsletter", sites=[NEWS])
    with pytest.raises(EngineError, match="ConsentType Newsletter exists already and differs"):
        engine.up(news_only.type, news_only.name, news_only.inputs)
    assert _consent_types_and_sites(_liana(account))[1] == {NEWS: [], SHOP: [1]}


# -- adoption by natural key ---------------------------------------------------------------

EXISTING_PROPERTY = """
lianamailer:
  properties:
    - {name: Shoe size, type: select, choices: ['38', '39'], position: 3}
"""


def test_an_identical_existing_property_is_adopted(engine: MiniEngine, account: Account) -> None:
    account.seed(EXISTING_PROPERTY)
    before = _liana(account)["properties"]
    size = capture(
        Property, "size", name="Shoe size", type="select", choices=["38", "39"], adopt="identical"
    )
    step = engine.up(size.type, size.name, size.inputs)
    assert step.op == "create"
    assert engine.state[step.urn].id == "shoe size"
    assert strip_secrets(step.outputs)["handle"] == before[0]["handle"]
    assert _liana(account)["properties"] == before
    assert engine.up(size.type, size.name, size.inputs).op == "same"


def test_a_differing_existing_property_is_not_adopted_even_with_adopt_update(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(EXISTING_PROPERTY)
    before = _liana(account)["properties"]
    size = capture(Property, "size", name="Shoe size", type="text")
    with pytest.raises(EngineError) as failure:
        engine.up(size.type, size.name, size.inputs)
    assert "Property shoe size exists already and differs (type: live 'select'" in (
        failure.value.details
    )
    updating = capture(Property, "size", name="Shoe size", type="text", adopt="update")
    with pytest.raises(EngineError, match="differs in type, which cannot be changed in place"):
        engine.up(updating.type, updating.name, updating.inputs)
    assert _liana(account)["properties"] == before
    assert not engine.state


def test_adopting_a_mailing_list_takes_the_oldest_of_its_name(
    engine: MiniEngine, account: Account
) -> None:
    account.seed("lianamailer:\n  lists: [{name: Customers, description: First}]\n")
    with closing(account.session("lianamailer")) as session:
        session.client.call("createMailingList", "Customers", "Second")
    oldest, duplicate = (row["id"] for row in _liana(account)["lists"])
    customers = capture(
        MailingList, "customers", name="Customers", description="Ours", adopt="update"
    )
    step = engine.up(customers.type, customers.name, customers.inputs)
    assert step.op == "create"
    assert strip_secrets(step.outputs)["list_id"] == oldest
    rows = {row["id"]: row["description"] for row in _liana(account)["lists"]}
    assert rows == {oldest: "Ours", duplicate: "Second"}


def test_a_rename_that_also_changes_what_the_api_cannot_fails_the_preview(
    engine: MiniEngine, account: Account
) -> None:
    old = capture(Property, "size", name="Shoe size", type="text", position=1)
    engine.up(old.type, old.name, old.inputs)
    renamed = capture(
        Property, "size", name="Shoe size EU", renamed_from="Shoe size", type="text", position=2
    )
    with pytest.raises(CheckFailed) as refused:
        engine.up(renamed.type, renamed.name, renamed.inputs, preview=True)
    (reason,) = [reason for _, reason in refused.value.failures]
    assert "cannot change a property's position in place" in reason
    assert [p["name"] for p in _liana(account)["properties"]] == ["Shoe size"]


# -- creates: one call each ----------------------------------------------------------------

#: The calls that list a type (a check reads them, once per ``readCacheSeconds``).
LISTINGS = {"sites", "getMailingLists", "getConsentTypes", "getCustomerProperties"}


def test_a_create_reads_nothing_back_and_a_refresh_then_shows_no_change(
    engine: MiniEngine, account: Account
) -> None:
    """A site and a list declared with their keys only: each create is its one call (the
    answer is the id; the service's defaults are read by the next refresh), and that
    refresh finds nothing to show."""
    site = capture(RESOURCES["lianamailer"]["Site"], "site", domain=NEWS)
    listed = capture(MailingList, "list", name="Customers")
    account.app.requests.clear()
    created = [engine.up(r.type, r.name, r.inputs) for r in (site, listed)]
    assert [step.op for step in created] == ["create", "create"]
    assert [c for c in _calls(account) if c not in LISTINGS] == ["createSite", "createMailingList"]
    assert strip_secrets(created[1].outputs)["list_id"] == _liana(account)["lists"][0]["id"]

    assert [engine.refresh(step.urn, preview=True).op for step in created] == ["same", "same"]
    refreshed = strip_secrets(engine.refresh(created[1].urn).outputs)
    assert refreshed["self_service"] is False  # the service's default, read by the refresh


def test_a_new_consent_type_reads_its_first_revision_back(
    engine: MiniEngine, account: Account
) -> None:
    """The revision is a value the service computes and recipients' consents record; the
    create's answer is only the id, so the create reads the consent types once more."""
    account.seed(TWO_SITES)
    declared = capture(ConsentType, "consent", name="Newsletter", is_revokable=True)
    account.app.requests.clear()
    created = engine.up(declared.type, declared.name, declared.inputs)
    calls = _calls(account)
    assert calls[calls.index("createConsentType") :] == ["createConsentType", "getConsentTypes"]
    assert strip_secrets(created.outputs)["consent_revision"] == 1
