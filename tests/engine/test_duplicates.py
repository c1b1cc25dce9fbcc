"""A second object of a name the API does not keep unique is never hidden: every rendering
of a plan names it as a duplicate, with its id and the managed one's, and neither a target
nor an ignore rule nor a renamed owner makes it disappear."""

from __future__ import annotations

import json

from mailform.engine.diff import build_plan
from mailform.engine.objecttype import LiveObject, first_of_each_key
from mailform.engine.render import plain, render_json, render_markdown, text_plan
from mailform.engine.selection import Selector
from mailform.services.lianamailer.service import OBJECT_TYPES as LIANAMAILER_TYPES
from mailform.services.luxsci.service import OBJECT_TYPES
from tests.engine.builders import declare, live

ANN = "ann@example.com"
KINDS = [f"{t.service}.{t.name}" for t in (*OBJECT_TYPES, *LIANAMAILER_TYPES)]


def read_lists(owner: str = ANN, name: str = "News", ids: tuple[int, ...] = (12, 7)) -> list:  # type: ignore[type-arg]
    """The owner's marketing lists called ``name``, as a read makes them."""
    return [
        live("users", user=owner),
        *first_of_each_key([live("lists", owner=owner, name=name, api_id=n) for n in ids]),
    ]


def test_a_second_list_of_a_name_is_a_duplicate_in_text_markdown_and_json() -> None:
    declared = [declare("users", user=ANN), declare("lists", owner=ANN, name="News")]
    plan = build_plan(declared, read_lists(), OBJECT_TYPES)
    assert not plan.changes and not plan.problems
    named = f"luxsci.lists[{ANN}/News] #12, a duplicate of #7"

    text = plain(text_plan(plan))
    assert "Plan: no changes to the declared objects; 1 live object(s) duplicate" in text
    assert "Duplicates: 1 live object(s) (the API does not keep these names unique" in text
    assert f"  ! {named}\n" in text
    assert "Unmanaged:" not in text

    markdown = render_markdown(plan)
    assert "**Duplicates (the API does not keep these names unique" in markdown
    assert f"- :warning: <code>luxsci.lists\\[{ANN}/News\\] #12, a duplicate of #7</code>" in (
        markdown
    )

    data = json.loads(render_json(plan))
    assert data["summary"]["duplicates"] == 1
    assert data["duplicates"] == [
        {
            "service": "luxsci",
            "type": "lists",
            "key": [ANN, "News"],
            "id": f"luxsci.lists[{ANN}/News]",
            "api_id": 12,
            "managed_api_id": 7,
        }
    ]
    duplicate = next(entry for entry in data["unmanaged"] if "duplicate_of" in entry)
    assert duplicate["duplicate_of"] == f"luxsci.lists[{ANN}/News]"


def test_every_type_whose_names_are_not_unique_reports_its_duplicates() -> None:
    rows = {
        "template_groups": {"name": "Letters"},
        "list_groups": {"name": "Letters"},
        "templates": {"name": "Monthly"},
        "lists": {"name": "News"},
    }
    for type_name, fields in rows.items():
        current = [
            live("users", user=ANN),
            *first_of_each_key([live(type_name, owner=ANN, api_id=n, **fields) for n in (3, 4, 5)]),
        ]
        plan = build_plan([], current, OBJECT_TYPES)
        assert [obj.api_id for obj in plan.duplicates] == [4, 5], type_name
    liana = {t.name: t for t in LIANAMAILER_TYPES}
    for type_name, name in {"lists": "News", "consent_types": "Terms"}.items():
        object_type = liana[type_name]
        id_field = object_type.calls.id_field  # type: ignore[attr-defined]
        objects = [object_type.live({"name": name, id_field: n}) for n in (9, 8)]  # type: ignore[attr-defined]
        [duplicate] = build_plan([], first_of_each_key(objects), LIANAMAILER_TYPES).duplicates
        assert duplicate.duplicate is not None
        assert str(duplicate.duplicate.name) == f"lianamailer.{type_name}[{name}]"
        assert (duplicate.api_id, duplicate.duplicate.managed_api_id) == (9, 8)


def test_a_target_naming_the_name_shows_its_duplicates() -> None:
    declared = [declare("lists", owner=ANN, name="News"), declare("lists", owner=ANN, name="X")]
    target = Selector.parse(f"luxsci.lists[{ANN}/News]", KINDS)
    plan = build_plan(declared, read_lists(), OBJECT_TYPES, targets=[target])
    assert [obj.api_id for obj in plan.duplicates] == [12]


def test_an_ignore_rule_never_hides_a_duplicate_of_a_declared_name() -> None:
    ignore = [Selector.parse("luxsci.lists", KINDS)]
    declared = [declare("lists", owner=ANN, name="News")]
    plan = build_plan(declared, read_lists(), OBJECT_TYPES, ignore=ignore)
    assert [obj.api_id for obj in plan.duplicates] == [12]
    # A name the file does not declare is the rule's to leave out, duplicates and all.
    plan = build_plan([], read_lists(), OBJECT_TYPES, ignore=ignore)
    assert plan.duplicates == [] and [str(obj.id) for obj in plan.unmanaged] == [
        f"luxsci.users[{ANN}]"
    ]


def test_a_duplicate_of_a_renamed_owners_list_stays_a_duplicate() -> None:
    """The owner is renamed in the same plan: the lists move to the new login, the oldest
    stays the managed one and the other stays its duplicate."""
    declared = [
        declare("users", user="bob@example.com", renamed_from=ANN),
        declare("lists", owner="bob@example.com", name="News"),
    ]
    plan = build_plan(declared, read_lists(), OBJECT_TYPES)
    assert not plan.problems, plan.problems
    assert [str(change.id) for change in plan.changes] == ["luxsci.users[bob@example.com]"]
    [duplicate] = plan.duplicates
    assert duplicate.duplicate is not None
    assert str(duplicate.duplicate.name) == "luxsci.lists[bob@example.com/News]"
    assert (duplicate.api_id, duplicate.duplicate.managed_api_id) == (12, 7)


def test_a_duplicate_is_never_managed() -> None:
    [kept, duplicate] = [obj for obj in read_lists() if isinstance(obj, LiveObject)][1:]
    assert kept.managed and kept.duplicate is None and kept.api_id == 7
    assert not duplicate.managed and duplicate.id.key == (ANN, "News (duplicate #12)")
