"""A change of the stack file previews and applies under Pulumi as ``mailform plan`` says it
would: the same objects change, in the same way, and afterwards the CLI finds nothing left
to do. An update, a rename through ``renamed_from`` and a delete, in one pull request."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from tests.accounts import REPO, Account
from tests.e2e.project import PulumiProject, steps_by_op
from tests.e2e.test_dev_stack import SERVER

MAILFORM = REPO / ".venv" / "bin" / "mailform"

TITLES = {
    "aliases": "Alias",
    "lists": "MailingList",
}


def mailform_plan(account: Account, stack_file: str) -> tuple[int, dict[str, Any]]:
    """``mailform plan --format json`` of the stack file against the sandbox."""
    done = subprocess.run(
        [MAILFORM, "plan", stack_file, "--format", "json", "--rate-limit", "0"],
        env={
            "PATH": "/usr/bin:/bin",
            **account.environ(),
            "BOB_PASSWORD": "unused",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 2), done.stderr
    return done.returncode, json.loads(done.stdout)


def as_pulumi_steps(plan: dict[str, Any]) -> dict[str, set[str]]:
    """The Pulumi steps that carry out the CLI plan's changes. A rename in place is one
    update for the CLI; under Pulumi, where the resource name is the natural key, it is the
    create of the new name (which renames the live object) and the delete of the old (which
    finds nothing left to delete)."""
    steps: dict[str, set[str]] = {}
    for change in plan["changes"]:
        title = TITLES[change["type"]]
        name = "/".join(change["key"])
        renamed = [f for f in change["fields"] if f["field"] == "name" and f["before"]]
        if change["action"] == "update" and renamed:
            steps.setdefault("create", set()).add(f"{title} {name}")
            steps.setdefault("delete", set()).add(f"{title} {renamed[0]['before']}")
        else:
            steps.setdefault(change["action"], set()).add(f"{title} {name}")
    return steps


def test_an_update_a_rename_and_a_delete_do_what_mailform_plan_says(
    project: PulumiProject, account: Account
) -> None:
    account.seed(SERVER)
    project.init_stack("dev", rateLimit="0")
    project.up()
    lists = account.state()["lianamailer"]["lists"]
    list_id = next(row["id"] for row in lists if row["name"] == "Newsletter EN")

    text = project.stack_file.read_text(encoding="utf-8")
    text = text.replace(
        "dest: [ann@example.com, bob@example.com]", "dest: [bob@example.com]"
    )  # update
    text = text.replace(
        "    - name: Newsletter EN\n",
        "    - name: Newsletter English\n      renamed_from: Newsletter EN\n",
    )  # rename in place
    text = text.replace(
        "    - alias: info@news.example.com\n      dest: [ann@example.com]\n", ""
    )  # delete (the CLI deletes undeclared aliases only when told to prune them)
    text += "\nmailform:\n  prune: [luxsci.aliases]\n"
    project.stack_file.write_text(text, encoding="utf-8")

    code, plan = mailform_plan(account, str(project.stack_file))
    assert code == 2
    expected = as_pulumi_steps(plan)
    assert expected == {
        "update": {"Alias sales@example.com"},
        "create": {"MailingList Newsletter English"},
        "delete": {"MailingList Newsletter EN", "Alias info@news.example.com"},
    }
    preview = steps_by_op(project.preview_json())
    assert {op: names for op, names in preview.items() if op != "same"} == expected

    project.up()
    assert mailform_plan(account, str(project.stack_file))[0] == 0
    lists = [row for row in account.state()["lianamailer"]["lists"] if not row["deleted"]]
    renamed = next(row for row in lists if row["name"] == "Newsletter English")
    assert renamed["id"] == list_id, "renamed in place: the list keeps its id and members"
    assert "Newsletter EN" not in {row["name"] for row in lists}
    project.preview(expect_no_changes=True)


def test_a_user_renamed_with_renamed_from_keeps_its_mailbox_and_assets(
    project: PulumiProject, account: Account
) -> None:
    account.seed(SERVER)
    project.init_stack("dev", rateLimit="0")
    project.up()
    before = account.state()["luxsci"]
    text = project.stack_file.read_text(encoding="utf-8").replace(
        "ann@example.com", "anna@example.com"
    )
    text = text.replace(
        "    - user: anna@example.com\n",
        "    - user: anna@example.com\n      renamed_from: ann@example.com\n",
    )
    project.stack_file.write_text(text, encoding="utf-8")

    project.up()
    after = account.state()["luxsci"]
    assert "ann@example.com" not in after["users"]
    anna = after["users"]["anna@example.com"]
    assert anna["user_id"] == before["users"]["ann@example.com"]["user_id"]
    assert set(after["templates"]) == set(before["templates"]), "the template was not recreated"
    assert set(after["lists"]) == set(before["lists"])
    assert mailform_plan(account, str(project.stack_file))[0] == 0
    project.preview(expect_no_changes=True)
