"""What a user sees from ``pulumi preview``, ``refresh`` and ``destroy``: values a preview
does not know yet, every check failure at once, only declared fields managed, objects
deleted outside Pulumi dropped by refresh, and a destroy that tolerates them."""

from __future__ import annotations

import pytest

from mailform.luxsci import Alias, BounceDomain, CustomField, Domain, User
from tests.accounts import Account
from tests.pulumi.engine import UNKNOWN, CheckFailed, MiniEngine, strip_secrets
from tests.pulumi.programs import capture

DOMAIN = "luxsci:\n  domains: [{domain: example.com}]\n"


def test_a_preview_with_unknown_values_checks_what_it_knows(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(DOMAIN)
    alias = capture(Alias, "sales", alias="sales@example.com", dest=["ann@example.com"])
    unknown_dest = {**alias.inputs, "dest": UNKNOWN}
    assert engine.up(alias.type, alias.name, unknown_dest, preview=True).op == "create"
    assert "Create" not in engine.calls  # a preview never creates

    engine.up(alias.type, alias.name, alias.inputs)
    assert engine.up(alias.type, alias.name, unknown_dest, preview=True).op == "update"
    unknown_key = {**alias.inputs, "alias": UNKNOWN}
    step = engine.up(alias.type, alias.name, unknown_key, preview=True)
    assert (step.op, step.replaces) == ("replace", ("alias",))

    invalid = {**unknown_dest, "status": "sleeping"}
    with pytest.raises(CheckFailed, match="status"):
        engine.up(alias.type, alias.name, invalid, preview=True)


def test_every_check_failure_is_reported_at_once(engine: MiniEngine, account: Account) -> None:
    alias = capture(Alias, "bad", alias="not-an-address", dest=["ann@example.com", "nobody"])
    with pytest.raises(CheckFailed) as failed:
        engine.up(alias.type, alias.name, {**alias.inputs, "action": "forward", "colour": "red"})
    reasons = dict(failed.value.failures)
    assert set(reasons) == {"alias", "dest", "action", "colour"}
    assert reasons["dest"] == "item 2: 'nobody' is not an email address (like name@example.com)"
    assert reasons["colour"].startswith("is not a field of Alias; allowed: action, alias")


def test_ints_that_travel_as_floats_do_not_show_as_changes(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(DOMAIN)
    user = capture(User, "ann", user="ann@example.com", password="pw-Secret-1", disk_quota=250)
    step = engine.up(user.type, user.name, user.inputs)
    assert strip_secrets(engine.state[step.urn].inputs)["disk_quota"] == 250
    assert engine.up(user.type, user.name, user.inputs).op == "same"


def test_only_declared_fields_are_managed(engine: MiniEngine, account: Account) -> None:
    account.seed(DOMAIN)
    alias = capture(Alias, "sales", alias="sales@example.com", dest=["ann@example.com"])
    urn = engine.up(alias.type, alias.name, alias.inputs).urn
    # declaring a field whose value is already live updates state, not the account
    account.app.requests.clear()
    with_status = capture(
        Alias, "sales", alias="sales@example.com", dest=["ann@example.com"], status="enabled"
    )
    assert engine.up(with_status.type, with_status.name, with_status.inputs).op == "update"
    assert not [r for r in account.app.requests if r[0] in ("PUT", "POST", "DELETE")]
    assert engine.state[urn].outputs["managed_fields"] == ["dest", "status"]
    # a field the program stops declaring is not reset, and no longer reported as drift
    account.session().client.put(
        account.session().client.account_path("aliases", "sales@example.com"),
        {"status": "disabled"},
    )
    assert engine.refresh(urn, preview=True).op == "update"
    assert engine.up(alias.type, alias.name, alias.inputs).op == "update"
    assert engine.refresh(urn).op == "same"
    assert "status" not in strip_secrets(engine.state[urn].inputs)
    assert strip_secrets(engine.state[urn].outputs)["status"] == "disabled"


def test_a_mapping_field_is_managed_key_by_key(engine: MiniEngine, account: Account) -> None:
    account.seed(
        "luxsci:\n  domains:\n    - {domain: example.com, settings: {spam: high, virus: on}}\n"
    )
    domain = capture(Domain, "example.com", domain="example.com", settings={"spam": "high"})
    urn = engine.up(domain.type, domain.name, domain.inputs).urn  # adopted: spam matches
    refreshed = engine.refresh(urn)
    assert strip_secrets(refreshed.inputs)["settings"] == {"spam": "high"}
    session = account.session()
    path = session.client.account_path("domains", "example.com")
    session.client.put(path, {"settings": {"virus": "off"}})  # not declared: no drift
    assert engine.refresh(urn, preview=True).op == "same"
    session.client.put(path, {"settings": {"spam": "low"}})
    assert engine.refresh(urn, preview=True).op == "update"


def test_refresh_drops_objects_deleted_outside_pulumi_and_up_creates_them_again(
    engine: MiniEngine, account: Account
) -> None:
    domain = capture(Domain, "example.com", domain="example.com")
    alias = capture(Alias, "sales", alias="sales@example.com", dest=["ann@example.com"])
    engine.up(domain.type, domain.name, domain.inputs)
    urn = engine.up(alias.type, alias.name, alias.inputs).urn
    session = account.session()
    session.client.delete(session.client.account_path("aliases", "sales@example.com"))
    assert engine.refresh(urn, preview=True).op == "deleted"
    assert urn in engine.state  # a preview changes nothing
    assert engine.refresh(urn).op == "deleted"
    assert urn not in engine.state
    assert engine.up(alias.type, alias.name, alias.inputs).op == "create"


def test_destroy_tolerates_objects_already_gone(engine: MiniEngine, account: Account) -> None:
    domain = capture(Domain, "example.com", domain="example.com")
    alias = capture(Alias, "sales", alias="sales@example.com", dest=["ann@example.com"])
    user = capture(User, "ann", user="ann@example.com", password="pw-Secret-1")
    for registration in (domain, user, alias):
        engine.up(registration.type, registration.name, registration.inputs)
    session = account.session()
    session.client.delete(session.client.account_path("aliases", "sales@example.com"))
    steps = engine.destroy_all()
    assert [step.op for step in steps] == ["delete"] * 3
    assert not engine.state
    live = account.state()["luxsci"]
    assert not live["domains"] and not live["users"] and not live["aliases"]


def test_a_drift_the_api_cannot_undo_never_wedges_refresh(
    engine: MiniEngine, account: Account
) -> None:
    account.seed("luxsci:\n  users: [{user: ann@example.com}]\n")
    field = capture(
        CustomField, "f", owner="ann@example.com", code_word="first_name", name="First name"
    )
    urn = engine.up(field.type, field.name, field.inputs).urn
    # Renamed in the LuxSci web interface, which the API cannot undo.
    with account.app.app.store.change() as document:
        for record in document["luxsci"]["custom_fields"].values():
            record["name"] = "Given name"

    assert engine.refresh(urn, preview=True).op == "update"  # the drift shows
    assert engine.refresh(urn).op == "update"  # and refresh succeeds
    with pytest.raises(CheckFailed) as refused:  # the next preview says what to do
        engine.up(field.type, field.name, field.inputs, preview=True)
    (reason,) = [reason for _, reason in refused.value.failures]
    assert "name cannot be changed in place" in reason
    assert "declare the field as it is" in reason
    as_it_is = capture(
        CustomField, "f", owner="ann@example.com", code_word="first_name", name="Given name"
    )
    assert engine.up(as_it_is.type, as_it_is.name, as_it_is.inputs).op in ("same", "update")
    assert engine.refresh(urn, preview=True).op == "same"


def test_a_bounce_domain_without_its_cname_fails_the_preview(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(
        "luxsci:\n  domains: [{domain: news.example.com}]\n  dkim: [{domain: news.example.com}]\n"
    )
    bounce = capture(
        BounceDomain, "b", bounce_domain="bounce.news.example.com", from_domain="news.example.com"
    )
    with pytest.raises(CheckFailed) as refused:
        engine.up(bounce.type, bounce.name, bounce.inputs, preview=True)
    (reason,) = [reason for _, reason in refused.value.failures]
    assert reason.startswith("has no CNAME record, and LuxSci creates a bounce domain only once")
    account.seed("sandbox:\n  dns: {bounce.news.example.com: bounces.luxsci.net}\n")
    assert engine.up(bounce.type, bounce.name, bounce.inputs).op == "create"


def test_the_preview_refuses_what_the_account_makes_impossible(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(
        "luxsci:\n  domains: [{domain: example.com}]\n  users: [{user: sales@example.com}]\n"
    )
    alias = capture(Alias, "sales", alias="sales@example.com", dest=["ann@example.com"])
    with pytest.raises(CheckFailed) as refused:
        engine.up(alias.type, alias.name, alias.inputs, preview=True)
    (reason,) = [reason for _, reason in refused.value.failures]
    assert reason.startswith("cannot be created: sales@example.com exists in the account as a User")
    assert "Create" not in engine.calls
