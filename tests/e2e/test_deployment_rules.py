"""Rules over many resources under the real engine, which checks each resource in one
plugin process per deployment: two resources never manage one object, and a resource
renamed without an ``aliases`` option never deletes what its successor adopted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.accounts import Account
from tests.e2e.project import BOB_PASSWORD, PulumiProject

#: A hand-written program that declares the user ann@example.com under the resource names
#: listed in the stack config ``names``.
PROGRAM = """\
import os

import pulumi
from mailform.luxsci import Domain, User

domain = Domain("example.com", domain="example.com")
for name in pulumi.Config().require("names").split(","):
    User(
        name,
        user="ann@example.com",
        password=pulumi.Output.secret(os.environ["BOB_PASSWORD"]),
        opts=pulumi.ResourceOptions(depends_on=[domain]),
    )
"""


@pytest.fixture
def users(tmp_path: Path, pulumi_bin: Path, account: Account) -> PulumiProject:
    project = PulumiProject.from_repository(tmp_path / "users", pulumi_bin, account)
    project.program.write_text(PROGRAM, encoding="utf-8")
    project.init_stack("dev", rateLimit="0")
    return project


def test_two_resources_of_one_object_fail_the_preview(
    users: PulumiProject, account: Account
) -> None:
    users.set_config({"names": "ann,ann-too"})
    refused = users.preview(expect=None)
    assert refused.code != 0
    # The engine checks the two as they are registered, in either order.
    assert re.search(
        r"User ann@example.com is declared by the resource 'ann(-too)?' too", refused.output
    )
    assert BOB_PASSWORD not in refused.output
    assert account.state()["luxsci"]["users"] == {}


def test_a_resource_renamed_without_aliases_keeps_the_object(
    users: PulumiProject, account: Account
) -> None:
    users.set_config({"names": "ann"})
    users.up()
    users.set_config({"names": "ann-user"})
    renamed = users.up()
    assert "manages it now" in renamed.output
    assert "ann@example.com" in account.state()["luxsci"]["users"]
    assert set(users.resources()) >= {"ann-user"}
    users.preview(expect_no_changes=True)
