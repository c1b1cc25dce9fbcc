"""The programs under Pulumi's mocks: the YAML-driven program registers one resource per
declared object, with the right type token, name, inputs, dependencies, protection and
secrets, for every stack file in ``stacks/`` and ``examples/``; ``__main__.py`` runs it for
the current stack; the hand-written example orders itself through outputs."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from mailform.engine.stack import Stack, load_stack
from mailform.pulumi.program import register
from mailform.pulumi.properties import Properties
from mailform.services import catalog
from mailform.stackfile.secrets import SecretRef
from tests.accounts import REPO
from tests.pulumi.engine import is_secret
from tests.pulumi.programs import Registration, run_program

TOKEN = "pulumi-python:dynamic/{service}:"


def stack_files() -> list[Path]:
    """Every stack file of the repository (Pulumi's own stack config files excluded)."""
    files = sorted((REPO / "stacks").glob("*.yaml")) + sorted((REPO / "examples").glob("*.yaml"))
    return [path for path in files if not path.name.startswith("Pulumi.")]


def load(path: Path, tmp_path: Path) -> Stack:
    """A stack file; a sandbox seed file is a stack file plus a ``sandbox`` key, dropped."""
    yaml = YAML(typ="rt")
    data = yaml.load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "sandbox" in data:
        del data["sandbox"]
        copy = tmp_path / path.name
        with copy.open("w", encoding="utf-8") as stream:
            yaml.dump(data, stream)
        path = copy
    return load_stack(path, catalog())


def secrets_of(stack: Stack) -> dict[str, str]:
    """A value for every environment variable the stack's secret references name."""
    return {
        value.env: f"secret-from-{value.env}"
        for obj in stack.objects
        for value in obj.value.__dict__.values()
        if isinstance(value, SecretRef)
    }


def test_there_are_stack_files_to_test() -> None:
    names = {path.name for path in stack_files()}
    assert {"dev.yaml", "accounts.yaml"} <= names


@pytest.mark.parametrize("path", stack_files(), ids=lambda path: path.name)
def test_the_program_registers_each_declared_object(path: Path, tmp_path: Path) -> None:
    stack = load(path, tmp_path)
    environ = secrets_of(stack)
    registrations = run_program(lambda: register(stack, environ=environ))

    assert len(registrations) == len(stack.objects)
    declared = {(obj.object_type.title, "/".join(obj.id.key)): obj for obj in stack.objects}
    urn_of = {declared[(r.title, r.name)].id: r.urn for r in registrations}
    seen: set[str] = set()
    for registration in registrations:  # in the order the program registered them
        obj = declared[(registration.title, registration.name)]
        assert registration.type == TOKEN.format(service=obj.id.service) + obj.object_type.title
        _assert_inputs(registration, obj.value, environ)
        assert registration.inputs["__declared_at"] == str(obj.location)
        targets = {
            urn_of[ref.target]
            for ref in obj.object_type.references(obj.value.model_dump())
            if ref.target in urn_of
        }
        assert set(registration.dependencies) == targets
        assert targets <= seen  # parents are registered first
        assert registration.protect == obj.value.protected
        seen.add(registration.urn)


def _assert_inputs(registration: Registration, value: Any, environ: dict[str, str]) -> None:
    properties = Properties(_type_of(registration))
    declared = set(value.model_fields_set) - {"protected"}
    inputs = {k: v for k, v in registration.inputs.items() if not k.startswith("__")}
    assert set(inputs) == declared
    assert is_secret(registration.inputs["__provider"])
    for name in declared:
        if name in properties.secrets:
            assert is_secret(inputs[name])
            assert inputs[name]["value"] == environ[getattr(value, name).env]
            assert registration.additional_secret_outputs == (name,)
        else:
            assert inputs[name] == value.model_dump(mode="json")[name]


def _type_of(registration: Registration) -> Any:
    from mailform.pulumi.resources import RESOURCES

    return RESOURCES[registration.service][registration.title].object_type


def test_a_secret_whose_variable_is_not_set_is_left_out(tmp_path: Path) -> None:
    stack = load(REPO / "stacks" / "dev.yaml", tmp_path)
    registrations = run_program(lambda: register(stack, environ={}))
    users = [r for r in registrations if r.title == "User"]
    assert users and all("password" not in r.inputs for r in users)


def test_main_runs_the_current_stacks_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("BOB_PASSWORD", "from-the-environment")
    registrations = run_program(
        lambda: runpy.run_path(str(REPO / "__main__.py"), run_name="__main__"), stack="dev"
    )
    stack = load_stack(REPO / "stacks" / "dev.yaml", catalog())
    assert len(registrations) == len(stack.objects)
    bob = next(r for r in registrations if r.name == "bob@example.com")
    assert bob.inputs["password"]["value"] == "from-the-environment"


def test_a_stack_without_a_file_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    with pytest.raises(Exception, match=r"stacks/nowhere\.yaml: no stack file for stack"):
        run_program(lambda: runpy.run_path(str(REPO / "__main__.py")), stack="nowhere")


def test_the_hand_written_example_orders_itself_through_outputs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    registrations = run_program(
        lambda: runpy.run_path(str(REPO / "examples" / "pulumi_program.py")),
        config={"mailform:bobPassword": "from-config"},
        secret_keys=["mailform:bobPassword"],
    )
    by_name = {(r.title, r.name): r for r in registrations}
    assert len(registrations) == 20
    assert {r.service for r in registrations} == {"luxsci", "lianamailer"}
    assert all(r.type == TOKEN.format(service=r.service) + r.title for r in registrations)

    def depends(title: str, name: str, *on: tuple[str, str]) -> None:
        assert {by_name[target].urn for target in on} <= set(by_name[(title, name)].dependencies)

    example, news = ("Domain", "example.com"), ("Domain", "news.example.com")
    ann, bob = ("User", "ann@example.com"), ("User", "bob@example.com")
    depends("Dkim", "news.example.com", news)
    depends("BounceDomain", "bounce.news.example.com", news, ("Dkim", "news.example.com"))
    depends("Alias", "sales@example.com", example, ann, bob)
    depends("EmailTemplate", "Monthly newsletter", ann, ("TemplateGroup", "Newsletters"))
    depends(
        "MarketingList", "Customers EU", ann, news, ("ListGroup", "Customers"),
        ("CustomField", "first_name"),
    )  # fmt: skip
    join = ("Site", "join.example.com")
    depends("ConsentType", "Newsletter", join)
    depends("MailingList", "Newsletter EN", join)
    depends("MailingList", "Pro customers", ("Property", "plan"))
    rules = by_name[("MailingList", "Pro customers")].inputs["condition"]["conditions"]
    assert rules == [{"name": "plan", "condition": "=", "value": "pro"}]
    assert by_name[example].protect
    password = by_name[bob].inputs["password"]
    assert is_secret(password) and password["value"] == "from-config"
