"""Given declared objects and a live account, the plan says exactly this."""

from __future__ import annotations

from typing import Any

import pytest

from mailform.engine.diff import _same, build_plan, field_changes
from mailform.engine.objecttype import LiveObject
from mailform.engine.plan import Action
from mailform.services.lianamailer.service import OBJECT_TYPES as LIANAMAILER_TYPES
from mailform.services.luxsci.service import OBJECT_TYPES
from tests.engine.builders import declare, live

TYPES_BY_NAME = {object_type.name: object_type for object_type in OBJECT_TYPES}


def actions(plan):  # type: ignore[no-untyped-def]
    return [(str(c.action), str(c.id)) for c in plan.changes]


def test_an_empty_account_is_created_parents_first() -> None:
    declared = [
        declare("aliases", alias="sales@example.com", dest=["a@example.com"]),
        declare("bounce_domains", bounce_domain="bounce.example.com", from_domain="example.com"),
        declare("dkim", domain="example.com"),
        declare("domains", domain="example.com"),
    ]
    plan = build_plan(declared, [], OBJECT_TYPES)
    assert actions(plan) == [
        ("create", "luxsci.domains[example.com]"),
        ("create", "luxsci.dkim[example.com]"),
        ("create", "luxsci.bounce_domains[bounce.example.com]"),
        ("create", "luxsci.aliases[sales@example.com]"),
    ]
    bounce = plan.changes[2]
    assert bounce.requires == {
        declared[3].id,
        declared[2].id,
    }


def test_case_and_order_do_not_show_as_changes() -> None:
    declared = [
        declare("aliases", alias="Sales@Example.com", dest=["b@example.com", "A@example.com"]),
    ]
    current = [
        live(
            "aliases",
            alias="sales@example.com",
            dest=["a@example.com", "b@EXAMPLE.com"],
            action="email",
            status="enabled",
        )
    ]
    plan = build_plan(declared, current, OBJECT_TYPES)
    assert plan.changes == []
    assert plan.unmanaged == []


def test_only_declared_fields_are_managed() -> None:
    declared = [declare("users", user="ann@example.com", name="Ann")]
    current = [live("users", user="ann@example.com", name="Ann", company="Acme", status="disabled")]
    assert build_plan(declared, current, OBJECT_TYPES).changes == []


def test_a_changed_field_is_an_update_showing_before_and_after() -> None:
    declared = [declare("aliases", alias="sales@example.com", dest=["b@example.com"])]
    current = [live("aliases", alias="sales@example.com", dest=["a@example.com"])]
    (change,) = build_plan(declared, current, OBJECT_TYPES).changes
    assert change.action == Action.UPDATE
    assert [(f.name, f.before, f.after) for f in change.fields] == [
        ("dest", ["a@example.com"], ["b@example.com"])
    ]


def test_mapping_fields_are_compared_only_for_declared_keys() -> None:
    declared = [declare("domains", domain="example.com", settings={"spam": "high"})]
    current = [live("domains", domain="example.com", settings={"spam": "high", "other": 1})]
    assert build_plan(declared, current, OBJECT_TYPES).changes == []
    current = [live("domains", domain="example.com", settings={"spam": "low", "other": 1})]
    (change,) = build_plan(declared, current, OBJECT_TYPES).changes
    assert change.fields[0].before == {"spam": "low"}


def test_undeclared_live_objects_are_reported_not_deleted() -> None:
    current = [live("domains", domain="example.com"), live("aliases", alias="x@example.com")]
    plan = build_plan([], current, OBJECT_TYPES)
    assert plan.changes == []
    assert [str(obj.id) for obj in plan.unmanaged] == [
        "luxsci.domains[example.com]",
        "luxsci.aliases[x@example.com]",
    ]


def test_pruning_deletes_children_before_parents() -> None:
    current = [
        live("domains", domain="example.com"),
        live("aliases", alias="x@example.com"),
        live("users", user="u@example.com"),
    ]
    prune = frozenset({"luxsci.domains", "luxsci.aliases", "luxsci.users"})
    plan = build_plan([], current, OBJECT_TYPES, prune=prune)
    assert actions(plan) == [
        ("delete", "luxsci.aliases[x@example.com]"),
        ("delete", "luxsci.users[u@example.com]"),
        ("delete", "luxsci.domains[example.com]"),
    ]
    assert len(plan.changes[2].requires) == 2


def test_what_the_api_cannot_do_is_a_plan_problem() -> None:
    declared = [
        declare("custom_fields", owner="m@example.com", code_word="age", name="Age", type="number"),
        declare("servers", host="rs1", rate=100),
    ]
    current = [
        live("custom_fields", owner="m@example.com", code_word="age", name="Age", type="text")
    ]
    plan = build_plan(declared, current, OBJECT_TYPES)
    assert plan.changes == []
    messages = {problem.id.type_name: problem.message for problem in plan.problems}
    assert messages["custom_fields"].startswith("type cannot be changed in place")
    assert "cannot change or delete a custom field" in messages["custom_fields"]
    assert "provisioned by LuxSci" in messages["servers"]


def test_objects_the_api_cannot_manage_are_problems_when_declared() -> None:
    declared = [declare("aliases", alias="all@example.com", dest=["a@example.com"])]
    current = [live("aliases", alias="all@example.com", managed=False)]
    plan = build_plan(declared, current, OBJECT_TYPES)
    assert "cannot manage" in plan.problems[0].message


def test_passwords_are_never_compared_but_rotation_is_a_visible_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANN_PW", "Ann-Passw0rd")
    declared = [declare("users", user="ann@example.com", password={"env": "ANN_PW"})]
    current = [live("users", user="ann@example.com")]
    assert build_plan(declared, current, OBJECT_TYPES).changes == []
    plan = build_plan(declared, current, OBJECT_TYPES, rotate=frozenset({declared[0].id}))
    (change,) = plan.changes
    assert change.action == Action.UPDATE
    assert [(f.name, f.sensitive) for f in change.fields] == [("password", True)]
    assert "ANN_PW" not in str(change.data())


def test_the_checksum_is_stable_and_follows_the_changes() -> None:
    declared = [declare("domains", domain="example.com")]
    first = build_plan(declared, [], OBJECT_TYPES).checksum()
    assert first == build_plan(declared, [], OBJECT_TYPES).checksum()
    other = [declare("domains", domain="example.org")]
    assert first != build_plan(other, [], OBJECT_TYPES).checksum()


def test_a_user_that_must_be_created_without_a_password_is_a_plan_problem() -> None:
    declared = [declare("domains", domain="example.com"), declare("users", user="ann@example.com")]
    plan = build_plan(declared, [], OBJECT_TYPES)
    assert [(str(p.id), p.message) for p in plan.problems] == [
        (
            "luxsci.users[ann@example.com]",
            "does not exist, and creating it needs password, not declared",
        )
    ]
    # An existing user may be declared without one: nothing is sent.
    existing = [live("domains", domain="example.com"), live("users", user="ann@example.com")]
    assert build_plan(declared, existing, OBJECT_TYPES).problems == []


def test_a_secret_whose_variable_is_unset_is_a_problem_only_when_it_would_be_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ANN_PW", raising=False)
    ann = declare("users", user="ann@example.com", password={"env": "ANN_PW"})
    domain = declare("domains", domain="example.com")
    create = build_plan([domain, ann], [], OBJECT_TYPES)
    assert [p.message for p in create.problems] == [
        "password: the environment variable ANN_PW is not set; it is needed to create it"
    ]
    existing = [live("domains", domain="example.com"), live("users", user="ann@example.com")]
    assert build_plan([domain, ann], existing, OBJECT_TYPES).problems == []
    rotate = build_plan([domain, ann], existing, OBJECT_TYPES, rotate=frozenset({ann.id}))
    assert [p.message for p in rotate.problems] == [
        "password: the environment variable ANN_PW is not set; it is needed to set it again"
    ]
    monkeypatch.setenv("ANN_PW", "Ann-Passw0rd")
    assert build_plan([domain, ann], [], OBJECT_TYPES).problems == []


def test_a_domain_still_in_use_cannot_be_pruned_unless_its_users_and_aliases_go_too() -> None:
    current = [
        live("domains", domain="old.example.com"),
        live("users", user="ann@old.example.com"),
        live("aliases", alias="sales@old.example.com", dest=["ann@old.example.com"]),
    ]
    refused = build_plan([], current, OBJECT_TYPES, prune=frozenset({"luxsci.domains"}))
    assert actions(refused) == []
    (problem,) = refused.problems
    assert str(problem.id) == "luxsci.domains[old.example.com]"
    assert problem.message.startswith("cannot be deleted: the API refuses while it is in use")
    assert "luxsci.users[ann@old.example.com]" in problem.message
    assert "luxsci.aliases[sales@old.example.com]" in problem.message

    everything = frozenset({"luxsci.domains", "luxsci.users", "luxsci.aliases"})
    plan = build_plan([], current, OBJECT_TYPES, prune=everything)
    assert plan.problems == []
    assert actions(plan)[-1] == ("delete", "luxsci.domains[old.example.com]")


def test_a_lianamailer_site_used_by_a_kept_list_cannot_be_pruned() -> None:
    types = {object_type.name: object_type for object_type in LIANAMAILER_TYPES}

    def liana(type_name: str, **fields: object) -> LiveObject:
        object_type = types[type_name]
        normal = object_type.normalise_live(fields)
        return LiveObject(object_type.id_of(normal), normal, None, dict(fields))

    current = [
        liana("sites", domain="join.example.com"),
        liana("lists", name="Newsletter", site="join.example.com"),
    ]
    plan = build_plan([], current, LIANAMAILER_TYPES, prune=frozenset({"lianamailer.sites"}))
    (problem,) = plan.problems
    assert str(problem.id) == "lianamailer.sites[join.example.com]"
    assert "lianamailer.lists[Newsletter]" in problem.message


def test_objects_added_in_the_past_24_hours_count_against_the_create_budget() -> None:
    now = 1_800_000_000.0
    hour_ago = "2027-01-15 07:00:00"  # 1_800_000_000 is 2027-01-15 08:00:00 UTC
    two_days_ago = "2027-01-13 08:00:00"
    domain = live("domains", domain="example.com")
    current = [domain] + [
        live("aliases", alias=f"old{n}@example.com", created=when)
        for n, when in enumerate([hour_ago, hour_ago, two_days_ago])
    ]
    declared = [declare("domains", domain="example.com")] + [
        declare("aliases", alias=f"new{n}@example.com", dest=["x@example.net"]) for n in range(2)
    ]
    limits = {"luxsci.aliases": 3}
    plan = build_plan(declared, current, OBJECT_TYPES, create_limits=limits, now=now)
    (problem,) = plan.problems
    assert str(problem.id) == "luxsci.aliases[new1@example.com]"
    assert "creates 2 aliases, 2 were added in the past 24 hours" in problem.message
    assert (
        build_plan(
            declared, current, OBJECT_TYPES, create_limits={"luxsci.aliases": 4}, now=now
        ).problems
        == []
    )


def test_a_server_whose_rate_is_unknown_is_not_unthrottled_by_a_warm_up_change() -> None:
    declared = [declare("servers", host="rs101", auto_warmup=True)]
    unknown = [live("servers", host="rs101", rate=None, auto_warmup=False)]
    (problem,) = build_plan(declared, unknown, OBJECT_TYPES).problems
    assert "declare rate too (sending none would remove throttling)" in problem.message
    known = [live("servers", host="rs101", rate=500, auto_warmup=False)]
    plan = build_plan(declared, known, OBJECT_TYPES)
    assert plan.problems == [] and [f.name for f in plan.changes[0].fields] == ["auto_warmup"]


@pytest.mark.parametrize(
    "live_value",
    [
        "Gone",
        "gone",
        "Gone ",
        "",
        None,
        0,
        1,
        True,
        ["Gone"],
        [],
        ["a@example.com"],
        ["A@example.com"],
        ("a@example.com",),
        "a@example.com",
        {},
        {"a": 1},
    ],
)
def test_a_text_or_list_field_differs_exactly_when_it_is_not_the_same(live_value: Any) -> None:
    aliases = TYPES_BY_NAME["aliases"]
    for name, declared in (
        ("bounce", "Gone"),
        ("bounce", ""),
        ("dest", ["a@example.com"]),
        ("dest", []),
    ):
        value = declare("aliases", alias="sales@example.com", **{name: declared}).value
        changed = {change.name for change in field_changes(aliases, value, {name: live_value})}
        assert (name in changed) is not _same(getattr(value, name), live_value), (name, declared)
