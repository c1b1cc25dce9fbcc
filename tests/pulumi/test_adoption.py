"""Adopt instead of import: ``pulumi import`` cannot work for dynamic resources, so ``create``
finds an existing object by its natural key. Identical → adopted; different → a clear
failure, unless the program says ``adopt="update"``; ``adopt="never"`` → always a failure."""

from __future__ import annotations

import pytest

from mailform.luxsci import Alias, MarketingList, ServerSendingRate
from tests.accounts import Account
from tests.pulumi.engine import CheckFailed, EngineError, MiniEngine, strip_secrets
from tests.pulumi.programs import capture

EXISTING = """
luxsci:
  domains: [{domain: example.com}]
  aliases:
    - {alias: sales@example.com, dest: [ann@example.com, bob@example.com]}
"""


def _alias_rows(account: Account) -> list[dict]:
    return list(account.state()["luxsci"]["aliases"].values())


def test_an_identical_existing_object_is_adopted(engine: MiniEngine, account: Account) -> None:
    account.seed(EXISTING)
    before = account.state()
    alias = capture(
        Alias, "sales", alias="sales@example.com", dest=["bob@example.com", "ann@example.com"]
    )
    step = engine.up(alias.type, alias.name, alias.inputs)
    assert step.op == "create"
    assert engine.state[step.urn].id == "sales@example.com"
    assert account.state()["luxsci"]["aliases"] == before["luxsci"]["aliases"]
    assert engine.up(alias.type, alias.name, alias.inputs).op == "same"


def test_a_differing_existing_object_fails_clearly_and_is_left_alone(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(EXISTING)
    before = account.state()
    alias = capture(Alias, "sales", alias="sales@example.com", dest=["carol@example.com"])
    with pytest.raises(EngineError) as failure:
        engine.up(alias.type, alias.name, alias.inputs)
    details = failure.value.details
    assert "Alias sales@example.com exists already and differs" in details
    assert (
        "dest: live ['ann@example.com', 'bob@example.com'], declared ['carol@example.com']"
        in details
    )
    assert "adopt: update" in details
    assert account.state()["luxsci"]["aliases"] == before["luxsci"]["aliases"]
    assert not engine.state


def test_adopt_update_adopts_and_updates_a_differing_object(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(EXISTING)
    alias = capture(
        Alias, "sales", alias="sales@example.com", dest=["carol@example.com"], adopt="update"
    )
    step = engine.up(alias.type, alias.name, alias.inputs)
    assert step.op == "create"
    assert strip_secrets(step.outputs)["dest"] == ["carol@example.com"]
    assert [row["dest"] for row in _alias_rows(account)] == [["carol@example.com"]]


def test_adopt_never_refuses_an_existing_object(engine: MiniEngine, account: Account) -> None:
    account.seed(EXISTING)
    alias = capture(
        Alias, "sales", alias="sales@example.com", dest=["ann@example.com", "bob@example.com"],
        adopt="never",
    )  # fmt: skip
    with pytest.raises(EngineError, match=r"exists already \(adopt: never\)"):
        engine.up(alias.type, alias.name, alias.inputs)


def test_an_invalid_adopt_value_fails_the_check(engine: MiniEngine, account: Account) -> None:
    alias = capture(Alias, "sales", alias="sales@example.com", adopt="sometimes")
    with pytest.raises(Exception, match="adopt: must be one of identical, update, never"):
        engine.up(alias.type, alias.name, alias.inputs)


def test_an_object_the_api_cannot_manage_is_not_adopted(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(
        EXISTING
        + "sandbox:\n  luxsci:\n    aliases:\n"
        + "      - {alias: all@example.com, type: catchall, dest: [ann@example.com]}\n"
    )
    alias = capture(Alias, "all", alias="all@example.com", dest=["ann@example.com"])
    with pytest.raises(CheckFailed, match="of a kind the API cannot manage"):  # at preview
        engine.up(alias.type, alias.name, alias.inputs, preview=True)


def test_a_server_cannot_be_created_so_create_adopts_and_updates_it(
    engine: MiniEngine, account: Account
) -> None:
    account.seed("sandbox:\n  luxsci:\n    servers: [{host: rs101, server_id: 197101}]\n")
    rate = capture(ServerSendingRate, "rs101", host="rs101", rate=750)
    assert engine.up(rate.type, rate.name, rate.inputs).op == "create"
    assert account.state()["luxsci"]["servers"]["rs101"]["sending_rate"] == 750
    missing = capture(ServerSendingRate, "rs999", host="rs999", rate=750)
    with pytest.raises(CheckFailed, match="does not exist, and dedicated servers are provisioned"):
        engine.up(missing.type, missing.name, missing.inputs, preview=True)


def test_adopting_a_user_scope_object_matches_its_owner(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(
        "luxsci:\n  lists:\n    - {owner: ann@example.com, name: Customers, from_name: News}\n"
        "    - {owner: bob@example.com, name: Customers, from_name: Other}\n"
    )
    mine = capture(
        MarketingList, "ann", owner="ann@example.com", name="Customers", from_name="News"
    )
    step = engine.up(mine.type, mine.name, mine.inputs)
    assert engine.state[step.urn].id == "ann@example.com/Customers"
