"""Names the services do not keep unique (LuxSci: a user's template groups, list groups,
templates and marketing lists; LianaMailer: mailing lists and consent types). The oldest of
a name is managed; every other one is a duplicate, never touched, left out of ``export``
(whose output then validates and re-plans to no changes), and named as a duplicate, with
its id and the managed one's, by plan (text, markdown, JSON), drift and export."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import httpx
import pytest

from mailform.services.lianamailer.service import LIANAMAILER
from mailform.services.luxsci.client import LuxSciClient
from mailform.services.luxsci.objects.email_template import TEMPLATES
from mailform.services.luxsci.objects.group import LIST_GROUPS, TEMPLATE_GROUPS
from mailform.services.luxsci.objects.marketing_list import MARKETING_LISTS
from mailform.services.luxsci.objects.rest import RestApi

pytestmark = pytest.mark.integration

SEED = """
luxsci:
  domains: [{domain: example.com}]
  users: [{user: ann@example.com}]
"""
OWNER = "ann@example.com"

#: A duplicate as every surface names it: the name, its id, the managed one's.
Named = str


def make_duplicates(client: LuxSciClient) -> list[Named]:
    """Two objects of one name for each LuxSci type that allows it, as the web interface
    does; answers how each second one is named."""
    created = {
        "template_groups/Letters": [
            RestApi(client, TEMPLATE_GROUPS.endpoint).create({"name": "Letters"}, OWNER)
            for _ in range(2)
        ],
        "list_groups/Segments": [
            RestApi(client, LIST_GROUPS.endpoint).create({"name": "Segments"}, OWNER)
            for _ in range(2)
        ],
        "templates/Monthly": [
            RestApi(client, TEMPLATES.endpoint).create(
                {"name": "Monthly", "code_word": code_word, "subject": code_word}, OWNER
            )
            for code_word in ("monthly", "monthly2")
        ],
        "lists/Customers": [
            RestApi(client, MARKETING_LISTS.endpoint).create(
                {"name": "Customers", "from_email": sender}, OWNER
            )
            for sender in ("a@example.com", "b@example.com")
        ],
    }
    id_fields = {
        "template_groups": TEMPLATE_GROUPS.endpoint.id_field,
        "list_groups": LIST_GROUPS.endpoint.id_field,
        "templates": TEMPLATES.endpoint.id_field,
        "lists": MARKETING_LISTS.endpoint.id_field,
    }
    named = []
    for where, (first, second) in created.items():
        kind, name = where.split("/")
        ids = first[id_fields[kind]], second[id_fields[kind]]
        named.append(f"luxsci.{kind}[{OWNER}/{name}] #{max(ids)}, a duplicate of #{min(ids)}")
    return named


def every_surface_names(run, stack: Path, named: list[Named], *, service: str) -> None:  # type: ignore[no-untyped-def]
    """Plan (text, markdown, JSON), drift (with and without --ignore-unmanaged) and export
    name each duplicate, with both ids."""
    planned = run("plan", stack)
    assert planned.exit_code == 0, planned.output  # nothing to change...
    assert f"Duplicates: {len(named)} live object(s)" in planned.output  # ...but this
    markdown = run("plan", stack, "--format", "markdown").stdout
    assert "**Duplicates (" in markdown
    document = json.loads(run("plan", stack, "--format", "json").stdout)
    assert document["summary"]["duplicates"] == len(named)
    shown = {
        f"{d['id']} #{d['api_id']}, a duplicate of #{d['managed_api_id']}"
        for d in document["duplicates"]
    }
    assert shown == set(named)
    for flags in ((), ("--ignore-unmanaged",)):
        drift = run("drift", stack, *flags)
        assert drift.exit_code == 2, drift.output
        assert f"holds {len(named)} duplicate(s) of a managed object's name" in drift.output
        for text in (planned.output, drift.output):
            for duplicate in named:
                assert duplicate in text
    exported = stack.parent / "again.yaml"
    result = run("export", "--service", service, "-o", exported)
    assert result.exit_code == 0, result.output
    written = exported.read_text()
    for duplicate in named:
        assert f"which no stack file can declare: {duplicate}" in result.output
        assert f"\n#   {duplicate}\n" in written


def test_luxsci_duplicates_are_named_everywhere_and_exported_without_them(  # type: ignore[no-untyped-def]
    run, control: httpx.Client, client: LuxSciClient, tmp_path: Path
) -> None:
    control.post("/seed", content=SEED).raise_for_status()
    named = make_duplicates(client)
    exported = tmp_path / "export.yaml"
    result = run("export", "--service", "luxsci", "-o", exported)
    assert result.exit_code == 0, result.output
    text = exported.read_text()
    assert text.count("name: Customers") == 1 and text.count("name: Monthly") == 1
    assert run("validate", exported).exit_code == 0
    every_surface_names(run, exported, named, service="luxsci")


def test_lianamailer_duplicates_are_named_everywhere_and_exported_without_them(  # type: ignore[no-untyped-def]
    run, control: httpx.Client, env: Mapping[str, str], tmp_path: Path
) -> None:
    control.post("/seed", content="lianamailer:\n  sites: [{domain: join.example.com}]\n")
    session = LIANAMAILER.connect(environ=env, rate_limit=0)
    try:
        lists = [session.client.call("createMailingList", "News", "by hand") for _ in range(2)]
        terms = [session.client.call("createConsentType", "Terms", True) for _ in range(2)]
    finally:
        session.close()
    named = [
        f"lianamailer.lists[News] #{max(lists)}, a duplicate of #{min(lists)}",
        f"lianamailer.consent_types[Terms] #{max(terms)}, a duplicate of #{min(terms)}",
    ]
    exported = tmp_path / "export.yaml"
    assert run("export", "--service", "lianamailer", "-o", exported).exit_code == 0
    assert run("validate", exported).exit_code == 0
    every_surface_names(run, exported, named, service="lianamailer")


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
