"""The plan refuses what needs a human's say-so."""

from __future__ import annotations

import pytest

from mailform.engine.diff import build_plan
from mailform.engine.plan import DestructivePlan, UnsafePlan
from mailform.services.luxsci.service import OBJECT_TYPES
from tests.engine.builders import declare, live


def twelve_aliases() -> list:  # type: ignore[type-arg]
    return [live("aliases", alias=f"a{n}@example.com", dest=["x@example.com"]) for n in range(12)]


def test_changing_more_than_30_percent_of_ten_or_more_needs_force() -> None:
    declared = [declare("domains", domain="example.com")] + [
        declare("aliases", alias=f"a{n}@example.com", dest=["y@example.com"]) for n in range(4)
    ]
    current = [live("domains", domain="example.com"), *twelve_aliases()]
    plan = build_plan(declared, current, OBJECT_TYPES)
    with pytest.raises(UnsafePlan, match="changes 4 of 13 existing objects"):
        plan.check_safety()
    plan.check_safety(force=True)


def test_a_small_share_passes() -> None:
    declared = [declare("aliases", alias="a0@example.com", dest=["y@example.com"])]
    plan = build_plan(declared, twelve_aliases(), OBJECT_TYPES)
    plan.check_safety()


def test_destroying_data_needs_an_opt_in_naming_its_kind() -> None:
    current = [
        live("users", user="u@example.com"),
        live("lists", owner="u@example.com", name="Customers", n_subscribers=120),
    ]
    prune = frozenset({"luxsci.users", "luxsci.lists"})
    plan = build_plan([], current, OBJECT_TYPES, prune=prune)
    assert {str(c.id): c.destroys for c in plan.destructive} == {
        "luxsci.users[u@example.com]": "the mailbox and all its mail",
        "luxsci.lists[u@example.com/Customers]": "its contacts (120)",
    }
    with pytest.raises(DestructivePlan) as refused:
        plan.check_safety(allow_destructive=frozenset({"luxsci.users"}))
    assert refused.value.kinds == ["luxsci.lists"]
    assert "--" not in str(refused.value), "the engine names no CLI flag"
    plan.check_safety(allow_destructive=prune)
    assert plan.data()["changes"][0]["destroys"] == "its contacts (120)"


def test_plans_with_problems_are_never_applied() -> None:
    plan = build_plan([declare("servers", host="rs9", rate=5)], [], OBJECT_TYPES)
    with pytest.raises(UnsafePlan, match="rs9"):
        plan.check_safety(force=True)
