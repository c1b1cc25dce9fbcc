"""Applying a plan: order, concurrency, partial failure, and a re-run that converges."""

from __future__ import annotations

from mailform.engine.apply import Outcome, apply_plan
from mailform.engine.diff import DeclaredObject, build_plan
from mailform.engine.plan import Action
from mailform.engine.session import Session
from tests.engine.fakes import FAKE_TYPES, Store

SHELVES, BOOKS = FAKE_TYPES


def shelf(name: str, **fields: object) -> DeclaredObject:
    return DeclaredObject(SHELVES, SHELVES.model.model_validate({"name": name, **fields}))


def book(title: str, shelf_name: str, **fields: object) -> DeclaredObject:
    data = {"title": title, "shelf": shelf_name, **fields}
    return DeclaredObject(BOOKS, BOOKS.model.model_validate(data))


def plan_for(store: Store, declared: list[DeclaredObject], **options: object):  # type: ignore[no-untyped-def]
    session = Session(store)
    live = [obj for t in FAKE_TYPES for obj in t.read(session, frozenset())]
    return build_plan(declared, live, FAKE_TYPES, **options), {"fake": session}  # type: ignore[arg-type]


STACK = [
    shelf("a"),
    shelf("b"),
    book("a1", "a"),
    book("a2", "a"),
    book("b1", "b"),
]


def test_a_failed_parent_skips_its_children_and_the_rest_goes_on() -> None:
    store = Store()
    store.failing.add("a")
    plan, sessions = plan_for(store, STACK)
    report = apply_plan(plan, sessions, workers=3)
    outcomes = {str(r.change.id): (r.outcome, r.detail) for r in report.results}
    assert outcomes["fake.shelves[a]"][0] == Outcome.FAILED
    assert outcomes["fake.books[a1]"] == (Outcome.SKIPPED, "needs fake.shelves[a], which failed")
    assert outcomes["fake.books[a2]"][0] == Outcome.SKIPPED
    assert outcomes["fake.shelves[b]"][0] == Outcome.DONE
    assert outcomes["fake.books[b1]"][0] == Outcome.DONE
    assert not report.succeeded


def test_a_service_found_down_starts_none_of_its_other_changes() -> None:
    store = Store()
    store.down = True
    plan, sessions = plan_for(store, STACK)
    report = apply_plan(plan, sessions, workers=1)
    assert store.calls == ["create a"]  # the first change met the open breaker; no other ran
    outcomes = {str(r.change.id): (r.outcome, r.detail) for r in report.results}
    assert outcomes["fake.shelves[a]"][0] == Outcome.FAILED
    why = "fake looks down (10 failures in a row, the last: ConnectError)"
    for other in ("fake.shelves[b]", "fake.books[a1]", "fake.books[a2]", "fake.books[b1]"):
        assert outcomes[other] == (Outcome.NOT_STARTED, f"not attempted: {why}")
    assert report.unavailable == {"fake": why}
    assert not report.succeeded and not report.interrupted


def test_a_rerun_after_the_failure_is_fixed_converges() -> None:
    store = Store()
    store.failing.add("a")
    plan, sessions = plan_for(store, STACK)
    apply_plan(plan, sessions)
    store.failing.clear()
    plan, sessions = plan_for(store, STACK)
    assert sorted(str(c.id) for c in plan.changes) == [
        "fake.books[a1]",
        "fake.books[a2]",
        "fake.shelves[a]",
    ]
    assert apply_plan(plan, sessions).succeeded
    assert plan_for(store, STACK)[0].changes == []


def test_children_are_never_created_before_their_parent() -> None:
    store = Store()
    plan, sessions = plan_for(store, STACK)
    apply_plan(plan, sessions, workers=4)
    calls = store.calls
    assert calls.index("create a") < calls.index("create a1")
    assert calls.index("create b") < calls.index("create b1")


def test_an_immutable_change_replaces_the_object() -> None:
    store = Store()
    store.rows["shelves"]["a"] = {"name": "a"}
    store.rows["books"]["a1"] = {"title": "a1", "shelf": "a", "isbn": "1"}
    plan, sessions = plan_for(store, [shelf("a"), book("a1", "a", isbn="2")])
    (change,) = plan.changes
    assert change.action == Action.REPLACE
    assert change.reason == "isbn cannot be changed in place"
    apply_plan(plan, sessions)
    assert store.calls == ["delete a1", "create a1"]
    assert store.rows["books"]["a1"]["isbn"] == "2"


def test_a_protected_object_is_never_replaced() -> None:
    store = Store()
    store.rows["shelves"]["a"] = {"name": "a"}
    store.rows["books"]["a1"] = {"title": "a1", "shelf": "a", "isbn": "1"}
    plan, _ = plan_for(store, [shelf("a"), book("a1", "a", isbn="2", protected=True)])
    assert plan.changes == []
    assert "protected" in plan.problems[0].message
