"""User-scope assets: template groups, templates, content tags, custom fields, list groups,
and the paged marketing list report."""

from __future__ import annotations

from mailform.sandbox.server import SandboxApp
from tests.sandbox.caller import Caller, failure

# Template groups and templates


def test_template_groups_are_created_renamed_and_deleted(luxsci: Caller, owner: str) -> None:
    first = luxsci.data(luxsci.post(f"{owner}/template_group", {"name": "News"}))
    second = luxsci.data(luxsci.post(f"{owner}/template_group/0", {"name": "Promos"}))
    assert first == {"template_group_id": first["template_group_id"], "name": "News"}
    assert second["template_group_id"] == first["template_group_id"] + 1
    group = first["template_group_id"]
    renamed = luxsci.data(luxsci.put(f"{owner}/template_group/{group}", {"name": "Newsletters"}))
    assert renamed["name"] == "Newsletters"
    assert luxsci.data(luxsci.get(f"{owner}/template_groups")) == [renamed, second]
    assert failure(luxsci.put(f"{owner}/template_group/{group}", {}), 400)
    assert failure(luxsci.put(f"{owner}/template_group/1", {"name": "x"}), 404)


def test_deleting_a_template_group_ungroups_its_templates(luxsci: Caller, owner: str) -> None:
    group = luxsci.data(luxsci.post(f"{owner}/template_group", {"name": "News"}))
    body = {"name": "Monthly", "template_group_id": group["template_group_id"]}
    template = luxsci.data(luxsci.post(f"{owner}/templates", body))
    luxsci.data(luxsci.delete(f"{owner}/template_group/{group['template_group_id']}"))
    assert luxsci.data(luxsci.get(f"{owner}/template_groups")) == []
    again = luxsci.data(luxsci.get(f"{owner}/template/{template['template_id']}"))
    assert again["template_group_id"] == 0


def test_a_team_members_list_shows_the_teams_non_private_templates(
    app: SandboxApp, luxsci: Caller
) -> None:
    app.seed(
        "luxsci:\n  domains: [{domain: example.com}]\n  templates:\n"
        "    - {owner: ann@example.com, name: Mine}\n"
        "    - {owner: bob@example.com, name: Shared}\n"
        "    - {owner: bob@example.com, name: Secret, is_private: true}\n"
        "    - {owner: eve@example.com, name: Elsewhere}\n"
        "sandbox:\n  luxsci:\n    teams: {sales: [ann@example.com, bob@example.com]}\n"
    )
    rows = luxsci.data(luxsci.get("/user/ann@example.com/templates"))
    assert [row["name"] for row in rows] == ["Mine", "Shared"]
    bob = next(row["user_id"] for row in rows if row["name"] == "Shared")
    narrowed = luxsci.data(luxsci.get(f"/user/ann@example.com/templates?user_id={bob}"))
    assert [row["name"] for row in narrowed] == ["Shared"]
    rows = luxsci.data(luxsci.get("/user/eve@example.com/templates"))
    assert [row["name"] for row in rows] == ["Elsewhere"]


def test_templates_are_found_by_id_or_code_word(luxsci: Caller, owner: str) -> None:
    body = {"name": "Monthly", "code_word": "monthly", "subject": "News", "body_html": "<p>Hi"}
    row = luxsci.data(luxsci.post(f"{owner}/templates", body))
    assert row == {
        "template_id": row["template_id"],
        "user_id": row["user_id"],
        "name": "Monthly",
        "code_word": "monthly",
        "subject": "News",
        "body_html": "<p>Hi",
        "body_text": "",
        "template_group_id": 0,
        "is_private": False,
    }
    assert luxsci.data(luxsci.get(f"{owner}/template/monthly")) == row
    assert luxsci.data(luxsci.get(f"{owner}/template/{row['template_id']}")) == row
    assert luxsci.data(luxsci.get(f"{owner}/templates")) == [row]
    assert failure(luxsci.get(f"{owner}/template/weekly"), 404)


def test_a_template_update_replaces_all_fields(luxsci: Caller, owner: str) -> None:
    body = {"name": "Monthly", "code_word": "monthly", "subject": "News", "is_private": 1}
    row = luxsci.data(luxsci.post(f"{owner}/templates", body))
    replaced = luxsci.data(luxsci.put(f"{owner}/template/monthly", {"name": "Monthly v2"}))
    assert replaced == {
        **row,
        "name": "Monthly v2",
        "code_word": "",
        "subject": "",
        "is_private": False,
    }
    assert failure(luxsci.get(f"{owner}/template/monthly"), 404)


def test_template_rules(luxsci: Caller, owner: str) -> None:
    path = f"{owner}/templates"
    luxsci.data(luxsci.post(path, {"name": "A", "code_word": "a"}))
    assert "code word" in failure(luxsci.post(path, {"name": "B", "code_word": "a"}), 409)
    assert failure(luxsci.post(path, {"name": "B", "template_group_id": 424242}), 400)
    assert failure(luxsci.post(path, {"code_word": "c"}), 400)
    assert luxsci.data(luxsci.delete(f"{owner}/template/a")) is None
    assert luxsci.data(luxsci.get(path)) == []


# Content tags


def test_content_tags_are_static_and_replaced_on_update(luxsci: Caller, owner: str) -> None:
    path = f"{owner}/content_tags"
    body = {"code_word": "footer", "name": "Footer", "content": "Bye"}
    row = luxsci.data(luxsci.post(path, body))
    assert row == {"tag_id": row["tag_id"], **body, "type": "static"}
    assert failure(luxsci.post(path, {"code_word": "x", "type": "dynamic"}), 400)
    assert failure(luxsci.post(path, {"code_word": "footer"}), 409)
    replaced = luxsci.data(luxsci.put(f"{path}/footer", {"code_word": "footer", "name": "F"}))
    assert replaced == {**row, "name": "F", "content": ""}
    assert "type" in failure(
        luxsci.put(f"{path}/footer", {"code_word": "footer", "type": "dynamic"}), 403
    )
    assert luxsci.data(luxsci.get(f"{path}/{row['tag_id']}")) == replaced
    assert luxsci.data(luxsci.delete(f"{path}/footer")) is None
    assert luxsci.data(luxsci.get(path)) == []


def test_dynamic_tag_rules_cannot_be_changed(app: SandboxApp, luxsci: Caller, owner: str) -> None:
    app.seed(
        "sandbox:\n  luxsci:\n    content_tags:\n"
        "      - {owner: marketing@example.com, code_word: region, type: dynamic,"
        " rules: {country: FI}}\n"
    )
    path = f"{owner}/content_tags/region"
    assert luxsci.data(luxsci.get(path))["type"] == "dynamic"
    assert "rules" in failure(luxsci.put(path, {"code_word": "region", "rules": {}}), 403)
    renamed = luxsci.data(luxsci.put(path, {"code_word": "region", "name": "Region"}))
    assert (renamed["name"], renamed["type"]) == ("Region", "dynamic")


# Custom fields


def test_custom_fields_are_create_and_list_only(luxsci: Caller, owner: str) -> None:
    path = f"{owner}/fields"
    row = luxsci.data(luxsci.post(path, {"code_word": "first_name", "name": "First name"}))
    assert row == {"field_id": row["field_id"], "code_word": "first_name", "name": "First name",
                   "type": "text"}  # fmt: skip
    assert luxsci.data(luxsci.get(path)) == [row]
    assert failure(luxsci.post(path, {"code_word": "first_name"}), 409)
    assert failure(luxsci.post(path, {"code_word": "age", "type": "colour"}), 400)
    assert failure(luxsci.put(path, {"code_word": "first_name"}), 405)
    assert failure(luxsci.delete(f"{path}/first_name"), 404)


def test_a_custom_field_code_word_is_unique_per_owner(luxsci: Caller, owner: str) -> None:
    luxsci.data(luxsci.post(f"{luxsci.acct}/users", {"user": "b@example.com", "password": "p"}))
    luxsci.data(luxsci.post(f"{owner}/fields", {"code_word": "first_name"}))
    assert failure(luxsci.post(f"{owner}/fields", {"code_word": "first_name"}), 409)
    assert luxsci.data(luxsci.get("/user/b@example.com/fields")) == []
    luxsci.data(luxsci.post("/user/b@example.com/fields", {"code_word": "first_name"}))
    visible = luxsci.data(luxsci.get("/user/b@example.com/fields"))
    assert [row["code_word"] for row in visible] == ["first_name"]


# Lists and list groups


def test_a_custom_field_must_exist_before_a_list_uses_it(luxsci: Caller, owner: str) -> None:
    path = f"{owner}/marketing/list"
    body = {"name": "EU", "custom_fields": ["first_name"]}
    assert "must exist" in failure(luxsci.post(path, body), 400)
    luxsci.data(luxsci.post(f"{owner}/fields", {"code_word": "first_name"}))
    row = luxsci.data(luxsci.post(path, body))
    assert row["custom_fields"] == ["first_name"]
    assert set(row) == {
        "list_id", "owner_id", "created", "modified", "name", "from_email", "from_name",
        "reply_email", "n_subscribers", "list_group_id", "custom_fields",
    }  # fmt: skip


def test_lists_are_created_updated_and_deleted(luxsci: Caller, owner: str) -> None:
    row = luxsci.data(
        luxsci.post(f"{owner}/marketing/list", {"name": "EU", "from_email": "News@Example.com"})
    )
    assert (row["from_email"], row["list_group_id"], row["n_subscribers"]) == (
        "news@example.com", 0, 0,
    )  # fmt: skip
    path = f"{owner}/marketing/list/{row['list_id']}"
    updated = luxsci.data(luxsci.put(path, {"from_name": "News"}))
    assert (updated["name"], updated["from_name"]) == ("EU", "News")
    assert failure(luxsci.put(path, {"list_group_id": 424242}), 400)
    assert failure(luxsci.put(path, {"from_email": "nope"}), 400)
    assert luxsci.data(luxsci.delete(f"{path}?contacts_only=1")) is None
    assert luxsci.data(luxsci.get(path))["name"] == "EU"
    assert luxsci.data(luxsci.delete(path)) is None
    assert failure(luxsci.get(path), 404)


def test_deleting_a_list_group_orphans_its_lists(luxsci: Caller, owner: str) -> None:
    group = luxsci.data(luxsci.post(f"{owner}/marketing/list_group", {"name": "Customers"}))
    group_id = group["list_group_id"]
    assert luxsci.data(luxsci.get(f"{owner}/marketing/list_groups")) == [group]
    renamed = luxsci.data(luxsci.put(f"{owner}/marketing/list_group/{group_id}", {"name": "C"}))
    assert renamed == {"list_group_id": group_id, "name": "C"}
    body = {"name": "EU", "list_group_id": group_id}
    row = luxsci.data(luxsci.post(f"{owner}/marketing/list", body))
    luxsci.data(luxsci.delete(f"{owner}/marketing/list_group/{group_id}"))
    assert luxsci.data(luxsci.get(f"{owner}/marketing/list_groups")) == []
    again = luxsci.data(luxsci.get(f"{owner}/marketing/list/{row['list_id']}"))
    assert (again["name"], again["list_group_id"]) == ("EU", 0)


def test_the_list_report_is_paged(luxsci: Caller, owner: str) -> None:
    for n in range(5):
        luxsci.data(luxsci.post(f"{owner}/marketing/list", {"name": f"L{n}"}))
    path = f"{owner}/marketing/lists"
    page = luxsci.get(f"{path}?first_row=0&matches=2").json()
    assert page["success"] == 1 and page["total_matches"] == 5
    assert "list_id" in page["header"] and "name" in page["header"]
    assert [row["name"] for row in page["data"]] == ["L0", "L1"]
    last = luxsci.get(f"{path}?first_row=4&matches=2").json()
    assert [row["name"] for row in last["data"]] == ["L4"]
    counted = luxsci.get(f"{path}?matches=0").json()
    assert (counted["data"], counted["total_matches"]) == ([], 5)
    assert len(luxsci.get(path).json()["data"]) == 5
    assert failure(luxsci.get(f"{path}?matches=50001"), 400)
    assert failure(luxsci.get(f"{path}?first_row=-1"), 400)


def test_assets_belong_to_their_owner(luxsci: Caller, owner: str) -> None:
    luxsci.data(luxsci.post(f"{luxsci.acct}/users", {"user": "b@example.com", "password": "p"}))
    row = luxsci.data(luxsci.post(f"{owner}/marketing/list", {"name": "Mine"}))
    assert luxsci.get("/user/b@example.com/marketing/lists").json()["total_matches"] == 0
    assert failure(luxsci.get(f"/user/b@example.com/marketing/list/{row['list_id']}"), 404)
