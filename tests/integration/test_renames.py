"""``renamed_from`` renames in place, keeping what the object holds, for every LuxSci type
the API can rename: a user keeps its mailbox (its id, password, settings), a group its
members, a template its id and code word, a marketing list its id and contacts. Checked in
the sandbox's own state, not by reading back through the client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration

ACCOUNT = """
luxsci:
  domains: [{domain: example.com}]
  users:
    - {user: ann@example.com, name: Ann}
  custom_fields:
    - {owner: ann@example.com, code_word: first_name, name: First name, type: text}
  template_groups:
    - {owner: ann@example.com, name: Letters}
  templates:
    - {owner: ann@example.com, name: Monthly, code_word: monthly, subject: Hi, group: Letters}
  list_groups:
    - {owner: ann@example.com, name: Prospects}
  lists:
    - {owner: ann@example.com, name: Customers, group: Prospects, from_email: n@example.com}
"""

#: The assets renamed (one run)...
RENAMED_ASSETS = """
luxsci:
  domains: [{domain: example.com}]
  users:
    - {user: ann@example.com, name: Ann}
  template_groups:
    - {owner: ann@example.com, name: Newsletters, renamed_from: Letters}
  templates:
    - owner: ann@example.com
      name: Monthly news
      renamed_from: Monthly
      code_word: monthly
      group: Newsletters
  list_groups:
    - {owner: ann@example.com, name: Customers, renamed_from: Prospects}
  lists:
    - owner: ann@example.com
      name: Customers EU
      renamed_from: Customers
      group: Customers
"""

#: ...then their owner (the next run): the assets follow the user to its new login.
RENAMED_OWNER = (
    RENAMED_ASSETS.replace("ann@example.com", "anna@example.com")
    .replace(
        "- {user: anna@example.com,", "- {user: anna@example.com, renamed_from: ann@example.com,"
    )
    .replace("renamed_from: Letters", "")
)


def luxsci(control: httpx.Client) -> dict[str, Any]:
    return control.get("/state").json()["luxsci"]


def one(rows: dict[str, dict[str, Any]], **match: Any) -> dict[str, Any]:
    (row,) = [row for row in rows.values() if all(row.get(k) == v for k, v in match.items())]
    return row


def test_every_renamable_luxsci_type_is_renamed_in_place(  # type: ignore[no-untyped-def]
    run, control: httpx.Client, tmp_path: Path
) -> None:
    control.post("/seed", content=ACCOUNT).raise_for_status()
    before = luxsci(control)
    path = tmp_path / "renamed.yaml"
    path.write_text(RENAMED_ASSETS, encoding="utf-8")

    planned = run("plan", path)
    assert planned.exit_code == 2, planned.output
    assert "Plan: 0 to create, 4 to update, 0 to replace, 0 to delete." in planned.output
    applied = run("apply", path, "--yes")
    assert applied.exit_code == 0, applied.output
    assert run("plan", path).exit_code == 0

    after = luxsci(control)
    group = one(after["template_groups"], name="Newsletters")
    assert (
        group["template_group_id"]
        == one(before["template_groups"], name="Letters")["template_group_id"]
    )
    template = one(after["templates"], name="Monthly news")
    old_template = one(before["templates"], name="Monthly")
    assert template["template_id"] == old_template["template_id"]
    assert template["code_word"] == "monthly"
    assert template["template_group_id"] == group["template_group_id"]
    list_group = one(after["list_groups"], name="Customers")
    assert (
        list_group["list_group_id"] == one(before["list_groups"], name="Prospects")["list_group_id"]
    )
    marketing = one(after["lists"], name="Customers EU")
    assert marketing["list_id"] == one(before["lists"], name="Customers")["list_id"]
    assert marketing["list_group_id"] == list_group["list_group_id"]


def test_a_renamed_user_keeps_its_mailbox_and_its_assets(  # type: ignore[no-untyped-def]
    run, control: httpx.Client, tmp_path: Path
) -> None:
    control.post("/seed", content=ACCOUNT).raise_for_status()
    ann = luxsci(control)["users"]["ann@example.com"]
    path = tmp_path / "renamed.yaml"
    path.write_text(RENAMED_ASSETS, encoding="utf-8")
    assert run("apply", path, "--yes").exit_code == 0
    path.write_text(RENAMED_OWNER, encoding="utf-8")

    planned = run("plan", path)
    assert planned.exit_code == 2, planned.output
    assert "user: ann@example.com → anna@example.com" in planned.output
    assert "Plan: 0 to create, 1 to update, 0 to replace, 0 to delete." in planned.output
    assert run("apply", path, "--yes").exit_code == 0
    assert run("plan", path).exit_code == 0, "the assets followed their owner"

    after = luxsci(control)
    anna = after["users"]["anna@example.com"]
    assert "ann@example.com" not in after["users"]
    assert (anna["user_id"], anna["_password"]) == (ann["user_id"], ann["_password"])
    assert len(after["custom_fields"]) == 1


def test_a_user_and_its_assets_renamed_in_one_run(  # type: ignore[no-untyped-def]
    run, control: httpx.Client, tmp_path: Path
) -> None:
    control.post("/seed", content=ACCOUNT).raise_for_status()
    before = luxsci(control)
    both = RENAMED_ASSETS.replace("ann@example.com", "anna@example.com").replace(
        "- {user: anna@example.com,", "- {user: anna@example.com, renamed_from: ann@example.com,"
    )
    path = tmp_path / "renamed.yaml"
    path.write_text(both, encoding="utf-8")
    planned = run("plan", path)
    assert "Plan: 0 to create, 5 to update, 0 to replace, 0 to delete." in planned.output
    applied = run("apply", path, "--yes")
    assert applied.exit_code == 0, applied.output
    assert run("plan", path).exit_code == 0
    after = luxsci(control)
    template = one(after["templates"], name="Monthly news")
    assert template["template_id"] == one(before["templates"], name="Monthly")["template_id"]
    assert (
        after["users"]["anna@example.com"]["user_id"]
        == before["users"]["ann@example.com"]["user_id"]
    )
