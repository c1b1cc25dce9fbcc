"""LuxSci does not keep the names of a user's templates, lists and groups unique. The oldest
of a name is managed; every other one is reported as an unmanaged duplicate, never touched,
and left out of ``export``, whose output then validates and re-plans to no changes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mailform.services.luxsci.client import LuxSciClient
from mailform.services.luxsci.objects.email_template import TEMPLATES
from mailform.services.luxsci.objects.group import TEMPLATE_GROUPS
from mailform.services.luxsci.objects.marketing_list import MARKETING_LISTS
from mailform.services.luxsci.objects.rest import RestApi

pytestmark = pytest.mark.integration

SEED = """
luxsci:
  domains: [{domain: example.com}]
  users: [{user: ann@example.com}]
"""
OWNER = "ann@example.com"


def make_duplicates(client: LuxSciClient) -> None:
    """Two objects of one name for each type, as the web interface allows."""
    for _ in range(2):
        RestApi(client, TEMPLATE_GROUPS.endpoint).create({"name": "Letters"}, OWNER)
    for code_word in ("monthly", "monthly2"):
        RestApi(client, TEMPLATES.endpoint).create(
            {"name": "Monthly", "code_word": code_word, "subject": code_word}, OWNER
        )
    for sender in ("a@example.com", "b@example.com"):
        RestApi(client, MARKETING_LISTS.endpoint).create(
            {"name": "Customers", "from_email": sender}, OWNER
        )


def test_duplicate_names_are_reported_and_exported_without_them(  # type: ignore[no-untyped-def]
    run, control: httpx.Client, client: LuxSciClient, tmp_path: Path
) -> None:
    control.post("/seed", content=SEED).raise_for_status()
    make_duplicates(client)
    exported = tmp_path / "export.yaml"
    result = run("export", "--service", "luxsci", "-o", exported)
    assert result.exit_code == 0, result.output
    text = exported.read_text()
    assert text.count("name: Customers") == 1 and text.count("name: Monthly") == 1
    assert run("validate", exported).exit_code == 0
    assert run("plan", exported).exit_code == 0

    drift = run("drift", exported)
    assert drift.exit_code == 2
    for duplicate in ("Customers (duplicate #", "Monthly (duplicate #", "Letters (duplicate #"):
        assert duplicate in drift.output


def test_a_teammates_templates_are_not_the_owners(  # type: ignore[no-untyped-def]
    run, control: httpx.Client, client: LuxSciClient, tmp_path: Path
) -> None:
    control.post(
        "/seed",
        content=SEED + "  templates:\n"
        "    - {owner: ann@example.com, name: Hello, subject: Hi}\n"
        "    - {owner: bob@example.com, name: Welcome, subject: Welcome}\n"
        "sandbox:\n  luxsci:\n    teams: {sales: [ann@example.com, bob@example.com]}\n",
    ).raise_for_status()
    # The API shows Bob's template in Ann's list: they are one Team.
    assert {row["name"] for row in RestApi(client, TEMPLATES.endpoint).list(OWNER)} == {
        "Hello",
        "Welcome",
    }
    stack = tmp_path / "stack.yaml"
    stack.write_text(
        SEED + "  templates: [{owner: ann@example.com, name: Hello, subject: Hi}]\n"
        "mailform: {prune: [luxsci.templates]}\n",
        encoding="utf-8",
    )
    planned = run("plan", stack)
    assert planned.exit_code == 0, planned.output  # nothing to delete: Welcome is Bob's
    exported = tmp_path / "export.yaml"
    assert run("export", "--service", "luxsci", "-o", exported).exit_code == 0
    text = exported.read_text()
    assert text.count("name: Welcome") == 1 and text.count("name: Hello") == 1
    assert run("plan", exported).exit_code == 0
