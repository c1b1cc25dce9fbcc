"""The LianaMailer object types through the engine (load, plan, apply, export) against the
sandbox in process: what each type's API mapping does, and where the API decides."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mailform.engine.manager import Manager
from mailform.engine.plan import Action, Plan
from mailform.engine.session import Session
from mailform.engine.stack import Stack, load_stack
from mailform.sandbox.dump import public_state
from mailform.sandbox.inprocess import SandboxTransport
from mailform.sandbox.server import SandboxApp
from mailform.services import SERVICES, catalog
from mailform.services.lianamailer.client import LianaMailerClient, LianaMailerCredentials
from mailform.stackfile.problems import StackFileError

BASE_URL = "https://rest.lianamailer.com"


@pytest.fixture
def app() -> SandboxApp:
    return SandboxApp()


@pytest.fixture
def client(app: SandboxApp) -> Iterator[LianaMailerClient]:
    creds = app.lianamailer_credentials
    credentials = LianaMailerCredentials(creds.realm, creds.user_id, creds.secret, BASE_URL)
    with LianaMailerClient(
        credentials, transport=SandboxTransport(app), rate_limit=False
    ) as client:
        yield client


class Account:
    """Stack files planned and applied against one sandbox account, each run with a fresh
    session (as each CLI run has); what an apply did is read from the sandbox's own state,
    never back through the code that wrote it."""

    def __init__(self, client: LianaMailerClient, app: SandboxApp, tmp_path: Path) -> None:
        self.client = client
        self.app = app
        self.tmp_path = tmp_path
        self.files = 0

    def state(self) -> dict[str, Any]:
        """The sandbox's LianaMailer account, as ``GET /_sandbox/state`` shows it."""
        state: dict[str, Any] = public_state(self.app.store.snapshot())["lianamailer"]
        return state

    def site(self, domain: str) -> dict[str, Any] | None:
        site: dict[str, Any] | None = self.state()["sites"].get(domain)
        return site

    def sites(self) -> list[dict[str, Any]]:
        return list(self.state()["sites"].values())

    def properties(self) -> list[dict[str, Any]]:
        return list(self.state()["properties"])

    def property(self, name: str) -> dict[str, Any] | None:
        folded = name.casefold()
        return next((p for p in self.properties() if p["name"].casefold() == folded), None)

    def consents(self) -> list[dict[str, Any]]:
        return list(self.state()["consent_types"])

    def consent(self, name: str) -> dict[str, Any] | None:
        return next((c for c in self.consents() if c["name"] == name), None)

    def mailing_list(self, name: str) -> dict[str, Any] | None:
        lists = self.state()["lists"]
        return next((row for row in lists if row["name"] == name and not row["deleted"]), None)

    def stack(self, text: str) -> Stack:
        self.files += 1
        path = self.tmp_path / f"stack{self.files}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return load_stack(path, catalog())

    def manager(self) -> Manager:
        return Manager(SERVICES, {"lianamailer": Session(self.client)})

    def plan(self, text: str) -> Plan:
        return self.manager().plan(self.stack(text), services=["lianamailer"])

    def apply(self, text: str) -> Plan:
        manager = self.manager()
        plan = manager.plan(self.stack(text), services=["lianamailer"])
        assert not plan.problems, plan.problems
        report = manager.apply(plan)
        assert report.succeeded, [(str(r.change.id), r.detail) for r in report.results]
        return plan

    def call(self, name: str, *args: Any) -> Any:
        return self.client.call(name, *args)


@pytest.fixture
def account(client: LianaMailerClient, app: SandboxApp, tmp_path: Path) -> Account:
    return Account(client, app, tmp_path)


CONDITION = "condition: {conditions: [{name: plan, condition: '=', value: pro}]}"
STACK = """\
lianamailer:
  sites:
    - {domain: join.example.com, language: en, ssl: true}
  properties:
    - {name: firstname, subscription: true, position: 1}
    - {name: plan, type: select, choices: [free, pro], position: 2}
  consent_types:
    - {name: Newsletter, is_revokable: true, sites: [join.example.com]}
  lists:
    - {name: News, description: Monthly, self_service: true, site: join.example.com}
    - {name: Pro, description: Pro plan,
       condition: {conditions: [{name: plan, condition: '=', value: pro}]}}
"""


def _actions(plan: Plan) -> list[tuple[str, str]]:
    return [(change.action.value, str(change.id)) for change in plan.changes]


def test_a_stack_applies_parents_first_and_then_converges(account: Account) -> None:
    plan = account.apply(STACK)
    order = [str(change.id) for change in plan.changes]
    assert order.index("lianamailer.sites[join.example.com]") < order.index(
        "lianamailer.lists[News]"
    )
    assert order.index("lianamailer.sites[join.example.com]") < order.index(
        "lianamailer.consent_types[Newsletter]"
    )
    assert account.plan(STACK).changes == []

    site = account.site("join.example.com")
    assert site is not None and site["language"] == "EN"
    consent = account.consent("Newsletter")
    assert consent is not None and site["consents"] == [consent["consent_id"]]
    pro = account.mailing_list("Pro")
    rule = '{"conditions":[{"name":"plan","condition":"=","value":"pro"}]}'
    assert pro is not None and pro["condition"] == rule


def test_a_plan_reads_each_list_once(account: Account) -> None:
    account.apply(STACK)
    before = account.client.requests_sent
    account.plan(STACK)
    # sites (shared by consent types), properties, consent types, lists
    assert account.client.requests_sent - before == 4


def test_only_declared_fields_are_managed(account: Account) -> None:
    account.apply(STACK)
    account.call("updateSite", "join.example.com", {"welcome": 77})
    assert account.plan(STACK).changes == []
    plan = account.plan(STACK.replace("ssl: true", "ssl: true, welcome: null"))
    assert _actions(plan) == [("update", "lianamailer.sites[join.example.com]")]
    assert plan.changes[0].fields[0].before == 77


def test_a_property_change_beyond_its_name_is_a_replacement(account: Account) -> None:
    account.apply(STACK)
    changed = STACK.replace("choices: [free, pro]", "choices: [free, pro, team]")
    plan = account.plan(changed)
    assert _actions(plan) == [("replace", "lianamailer.properties[plan]")]
    assert "choices cannot be changed in place" in plan.changes[0].reason
    account.apply(changed)
    row = account.property("plan")
    assert row is not None and row["choices"] == ["free", "pro", "team"]

    protected = changed.replace("choices: [free, pro, team]", "choices: [free], protected: true")
    plan = account.plan(protected)
    assert plan.changes == [] and "is protected" in plan.problems[0].message


def test_a_property_display_change_is_a_problem_never_a_replacement(account: Account) -> None:
    account.apply(STACK)
    moved = STACK.replace("position: 2}", "position: 3}")
    plan = account.plan(moved)
    assert plan.changes == []
    assert plan.problems[0].message.startswith(
        "the API cannot change a property's position in place, and replacing the property "
        "would lose every recipient's value of it"
    )


def test_a_property_name_changed_only_in_case_is_a_rename(account: Account) -> None:
    account.apply(STACK)
    handle = account.property("firstname")["handle"]  # type: ignore[index]
    shouting = STACK.replace("name: firstname", "name: FirstName")
    plan = account.plan(shouting)
    assert _actions(plan) == [("update", "lianamailer.properties[firstname]")]
    assert [(f.name, f.before, f.after) for f in plan.changes[0].fields] == [
        ("name", "firstname", "FirstName")
    ]
    account.apply(shouting)
    rows = [(row["name"], row["handle"]) for row in account.properties()]
    assert ("FirstName", handle) in rows and len(rows) == 2
    assert account.plan(shouting).changes == []


def test_renamed_from_renames_a_property_in_place_keeping_its_handle(account: Account) -> None:
    account.apply(STACK)
    handle = account.property("firstname")["handle"]  # type: ignore[index]
    renamed = STACK.replace(
        "name: firstname,", "name: first_name, renamed_from: firstname,"
    ).replace("lianamailer:", "mailform:\n  prune: [lianamailer.properties]\nlianamailer:", 1)
    plan = account.plan(renamed)
    assert _actions(plan) == [("update", "lianamailer.properties[first_name]")]
    assert [(f.name, f.before, f.after) for f in plan.changes[0].fields] == [
        ("name", "firstname", "first_name")
    ]
    account.apply(renamed)
    names = {row["name"]: row["handle"] for row in account.properties()}
    assert names == {"first_name": handle, "plan": names["plan"]}
    assert account.plan(renamed).changes == []  # renamed_from has nothing left to do


def test_renamed_from_renames_a_list_keeping_its_id(account: Account) -> None:
    account.apply(STACK)
    list_id = account.mailing_list("News")["id"]  # type: ignore[index]
    renamed = STACK.replace("name: News,", "name: News EN, renamed_from: News,")
    plan = account.plan(renamed)
    assert _actions(plan) == [("update", "lianamailer.lists[News EN]")]
    account.apply(renamed)
    row = account.mailing_list("News EN")
    assert row is not None and row["id"] == list_id and row["description"] == "Monthly"


def test_a_reserved_property_name_is_refused_where_it_is_written(account: Account) -> None:
    with pytest.raises(StackFileError) as error:
        account.stack("lianamailer:\n  properties:\n    - {name: Email}\n")
    text = str(error.value)
    assert ":3:" in text and "lianamailer.properties[0].name" in text
    assert "reserves" in text and "recipient_email" in text


def test_a_list_has_a_condition_or_a_segment(account: Account) -> None:
    with pytest.raises(StackFileError) as error:
        account.stack(
            "lianamailer:\n  lists:\n    - {name: X, " + CONDITION + ", cem_segment: 4}\n"
        )
    assert "not both" in str(error.value)


def test_choices_belong_to_select_and_checkbox_properties(account: Account) -> None:
    with pytest.raises(StackFileError) as error:
        account.stack("lianamailer:\n  properties:\n    - {name: size, choices: [s, m]}\n")
    assert "select or checkbox" in str(error.value)


def test_a_list_on_an_undeclared_site_does_not_validate(account: Account) -> None:
    with pytest.raises(StackFileError) as error:
        account.stack("lianamailer:\n  lists:\n    - {name: X, site: nowhere.example.com}\n")
    assert "Site 'nowhere.example.com'" in str(error.value)


def test_a_site_and_a_condition_can_be_cleared(account: Account) -> None:
    account.apply(STACK)
    cleared = STACK.replace("site: join.example.com}", "site: null}").replace(
        CONDITION, "condition: null"
    )
    account.apply(cleared)
    news = account.mailing_list("News")
    pro = account.mailing_list("Pro")
    assert news is not None and news["site"] is None
    assert pro is not None and pro["condition"] is None
    assert account.plan(cleared).changes == []


def test_a_second_list_of_a_name_is_an_unmanaged_duplicate(account: Account) -> None:
    account.apply(STACK)
    duplicate_id = account.call("createMailingList", "News", "made by hand")
    plan = account.plan(STACK)
    assert plan.changes == []
    assert [str(obj.id) for obj in plan.unmanaged] == [
        f"lianamailer.lists[News (duplicate #{duplicate_id})]"
    ]
    section = account.manager().export("lianamailer", frozenset())
    assert [row["name"] for row in section["lists"]] == ["News", "Pro"]


def test_consent_types_move_between_sites_and_detach_before_deletion(account: Account) -> None:
    two_sites = STACK.replace(
        "  properties:", "    - {domain: shop.example.com}\n  properties:"
    ).replace("sites: [join.example.com]", "sites: [shop.example.com, join.example.com]")
    account.apply(two_sites)
    consent_id = account.consent("Newsletter")["consent_id"]  # type: ignore[index]
    assert account.site("shop.example.com")["consents"] == [consent_id]  # type: ignore[index]

    moved = two_sites.replace(
        "sites: [shop.example.com, join.example.com]", "sites: [shop.example.com]"
    )
    assert _actions(account.plan(moved)) == [("update", "lianamailer.consent_types[Newsletter]")]
    account.apply(moved)
    assert account.site("join.example.com")["consents"] == []  # type: ignore[index]

    pruned = "mailform:\n  prune: [lianamailer.consent_types]\n" + moved.replace(
        "  consent_types:\n"
        "    - {name: Newsletter, is_revokable: true, sites: [shop.example.com]}\n",
        "",
    )
    assert _actions(account.plan(pruned)) == [("delete", "lianamailer.consent_types[Newsletter]")]
    account.apply(pruned)
    assert account.consents() == []
    assert account.site("shop.example.com")["consents"] == []  # type: ignore[index]


def test_an_edited_consent_type_starts_a_new_revision(account: Account) -> None:
    account.apply(STACK)
    edited = STACK.replace("is_revokable: true", "is_revokable: false")
    assert _actions(account.plan(edited)) == [("update", "lianamailer.consent_types[Newsletter]")]
    account.apply(edited)
    row = account.consent("Newsletter")
    assert row is not None and row["is_revokable"] is False and row["consent_revision"] == 2


def test_an_update_read_back_answers_the_new_revision(account: Account) -> None:
    """The update answers what it wrote (an apply needs no more); the read-back that a
    surface showing outputs makes after it answers the revision the edit started."""
    account.apply(STACK)
    edited = STACK.replace("is_revokable: true", "is_revokable: false")
    (change,) = account.plan(edited).changes
    assert change.live is not None and change.declared is not None
    object_type, session = change.object_type, Session(account.client)
    updated = object_type.update(session, change.live, change.declared, change.changed)
    assert object_type.computed_on_update == ("consent_revision",)
    back = object_type.read_back(session, updated, change.declared)
    assert object_type.computed_values(back)["consent_revision"] == 2
    assert back.fields["sites"] == updated.fields["sites"]


def test_a_deleted_site_goes_after_its_lists(account: Account) -> None:
    account.apply(STACK)
    without = (
        "mailform:\n  prune: [lianamailer.sites, lianamailer.lists, lianamailer.consent_types]\n"
        "lianamailer:\n  properties:\n    - {name: firstname}\n    - {name: plan}\n"
    )
    plan = account.plan(without)
    assert [change.action for change in plan.changes] == [Action.DELETE] * 4
    assert str(plan.changes[-1].id) == "lianamailer.sites[join.example.com]"
    account.apply(without)
    assert account.sites() == []
    assert account.plan(without).changes == []


def test_export_round_trips_to_no_changes(account: Account, tmp_path: Path) -> None:
    account.apply(STACK)
    from mailform.stackfile.yamlout import dump_yaml

    section = account.manager().export("lianamailer", frozenset())
    exported = tmp_path / "exported.yaml"
    exported.write_text(dump_yaml({"lianamailer": section}), encoding="utf-8")
    stack = load_stack(exported, catalog())
    assert account.manager().plan(stack, services=["lianamailer"]).changes == []
    rules = [{"name": "plan", "condition": "=", "value": "pro"}]
    assert section["lists"][1]["condition"] == {"conditions": rules}


def test_a_change_made_by_hand_is_planned_back(account: Account) -> None:
    account.apply(STACK)
    news = account.mailing_list("News")
    assert news is not None
    account.call("editMailingList", news["id"], "News", "Edited by hand")
    plan = account.plan(STACK)
    assert _actions(plan) == [("update", "lianamailer.lists[News]")]
    assert plan.changes[0].fields[0].before == "Edited by hand"


def test_a_segment_cannot_be_cleared_so_the_plan_says_so(account: Account) -> None:
    segment = "lianamailer:\n  lists:\n    - {name: Segment, cem_segment: 12}\n"
    account.apply(segment)
    plan = account.plan(segment.replace("cem_segment: 12", "cem_segment: null"))
    assert plan.changes == []
    assert "cannot take a list off its CEM segment (12)" in plan.problems[0].message
    moved = segment.replace("cem_segment: 12", "cem_segment: 13")
    assert _actions(account.plan(moved)) == [("update", "lianamailer.lists[Segment]")]


def test_deleting_a_consent_type_detaches_it_from_sites_that_offer_it_now(
    account: Account,
) -> None:
    account.apply(STACK)
    consent_id = account.consent("Newsletter")["consent_id"]  # type: ignore[index]
    declared = "    - {name: Newsletter, is_revokable: true, sites: [join.example.com]}\n"
    without = "mailform:\n  prune: [lianamailer.consent_types]\n" + STACK.replace(
        "  consent_types:\n" + declared, ""
    )
    plan = account.plan(without)
    account.call("createSite", "shop.example.com", {"consents": [consent_id]})  # after the plan
    report = account.manager().apply(plan)
    assert report.succeeded, [r.detail for r in report.results]
    assert account.consents() == []
    assert account.site("shop.example.com")["consents"] == []  # type: ignore[index]


def test_a_dynamic_list_can_become_a_segment_list_in_one_edit(account: Account) -> None:
    account.apply(STACK)
    segment = STACK.replace(CONDITION, "condition: null, cem_segment: 7")
    assert _actions(account.plan(segment)) == [("update", "lianamailer.lists[Pro]")]
    account.apply(segment)
    pro = account.mailing_list("Pro")
    assert pro is not None and (pro["condition"], pro["cem_segment"]) == (None, 7)
    assert account.plan(segment).changes == []


def test_a_condition_is_checked_where_it_is_written(account: Account) -> None:
    with pytest.raises(StackFileError) as error:
        account.stack(
            "lianamailer:\n  lists:\n"
            "    - name: X\n"
            "      condition: {conditions: [{name: plan, condition: '==', value: pro}]}\n"
        )
    text = str(error.value)
    assert ":4:" in text and "lianamailer.lists[0].condition" in text
    assert "allowed: <>, =, ilike, ilike-not, in, begins" in text


def test_a_dynamic_list_waits_for_the_properties_its_condition_names(account: Account) -> None:
    plan = account.plan(STACK)
    pro = next(change for change in plan.changes if change.id.key == ("Pro",))
    assert {str(target) for target in pro.requires} == {"lianamailer.properties[plan]"}
    news = next(change for change in plan.changes if change.id.key == ("News",))
    assert {str(target) for target in news.requires} == {"lianamailer.sites[join.example.com]"}
    email_rule = STACK.replace("name: plan, condition", "name: email, condition")
    pro = next(c for c in account.plan(email_rule).changes if c.id.key == ("Pro",))
    assert pro.requires == frozenset()  # the recipient's own field: nothing to wait for
