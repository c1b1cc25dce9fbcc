"""The plan refuses what needs a human's say-so."""

from __future__ import annotations

import pytest

from mailform.engine.diff import DeclaredObject, build_plan
from mailform.engine.objecttype import LiveObject
from mailform.engine.plan import DestructivePlan, TooManyChanges, UnsafePlan
from mailform.services.lianamailer.service import OBJECT_TYPES as LIANAMAILER_TYPES
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


# -- a create stopped half-way ---------------------------------------------------------------

LIANA = {object_type.name: object_type for object_type in LIANAMAILER_TYPES}
SITES = ["join.example.com", "shop.example.com"]


def liana_live(type_name: str, **fields: object) -> LiveObject:
    object_type = LIANA[type_name]
    normal = object_type.normalise_live(fields)
    return LiveObject(object_type.id_of(normal), normal, None, dict(fields))


def liana_declared(type_name: str, **fields: object) -> DeclaredObject:
    object_type = LIANA[type_name]
    return DeclaredObject(object_type, object_type.model.model_validate(fields))


def small_account(consent_sites: list[list[str]]) -> list[LiveObject]:
    """Two sites, two properties, two lists and one consent type per entry of
    ``consent_sites`` (the sites offering it): ten existing objects with four."""
    return [
        *(liana_live("sites", domain=domain) for domain in SITES),
        liana_live("properties", name="firstname"),
        liana_live("properties", name="plan"),
        liana_live("lists", name="News", site=SITES[0]),
        liana_live("lists", name="Offers", site=SITES[1]),
        *(
            liana_live("consent_types", name=f"Consent {n}", is_revokable=True, sites=sites)
            for n, sites in enumerate(consent_sites)
        ),
    ]


def consent_types(count: int, sites: list[str]) -> list[DeclaredObject]:
    return [
        liana_declared("consent_types", name=f"Consent {n}", is_revokable=True, sites=sites)
        for n in range(count)
    ]


def test_updates_that_finish_a_stopped_create_do_not_count_against_the_threshold() -> None:
    # An apply killed after createConsentType, before the updateSite calls that offer the
    # consent types on their sites (or part-way through them): the re-run finishes them.
    current = small_account([[], [], [SITES[0]], []])
    plan = build_plan(consent_types(4, SITES), current, LIANAMAILER_TYPES)
    assert plan.existing == 10 and plan.counts()["update"] == 4
    assert all(change.finishes_create for change in plan.changes)
    assert plan.counted_changes == []
    plan.check_safety()
    assert all(change["finishes_create"] for change in plan.data()["changes"])


def test_an_update_that_takes_a_value_away_is_counted() -> None:
    # Offered on a site the file does not name: not where a stopped create leaves it.
    current = small_account([[SITES[1]]] * 4 + [[]])
    plan = build_plan(consent_types(5, [SITES[0]]), current, LIANAMAILER_TYPES)
    assert [change.finishes_create for change in plan.changes] == [False] * 4 + [True]
    with pytest.raises(TooManyChanges, match=r"changes 4 of 11 .*besides 1 that finish") as refused:
        plan.check_safety()
    assert (refused.value.changed, refused.value.existing) == (4, 11)
    plan.check_safety(force=True)


def test_a_change_beside_the_finishing_fields_is_an_ordinary_update() -> None:
    current = small_account([[], [], [], []])
    declared = consent_types(4, SITES)
    declared[0] = liana_declared("consent_types", name="Consent 0", is_revokable=False, sites=SITES)
    plan = build_plan(declared, current, LIANAMAILER_TYPES)
    assert [change.finishes_create for change in plan.changes] == [False, True, True, True]
    plan.check_safety()  # 1 of 10 counted


def test_types_without_later_create_calls_never_finish_a_create() -> None:
    declared = [
        declare("aliases", alias=f"a{n}@example.com", dest=["y@example.com"]) for n in range(4)
    ]
    current = [live("aliases", alias=f"a{n}@example.com", dest=[]) for n in range(12)]
    plan = build_plan(declared, current, OBJECT_TYPES)
    assert not any(change.finishes_create for change in plan.changes)
    with pytest.raises(TooManyChanges):
        plan.check_safety()
