"""Secrets are references in the file, read from the environment only when used."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from mailform.stackfile import (
    MissingSecretError,
    SecretRef,
    YamlSource,
    validate_objects,
)

LoadStack = Callable[[str], YamlSource]


class User(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: str
    password: SecretRef | None = None


def test_a_literal_secret_in_the_file_is_refused_without_repeating_it(
    load_stack: LoadStack,
) -> None:
    source = load_stack(
        """
        users:
          - user: alice@example.com
            password: hunter2
          - user: bob@example.com
            password: {env: BOB_PASSWORD}
        """
    )

    users, problems = validate_objects(source.data["users"], User, ("users",), source)

    assert [str(problem) for problem in problems] == [
        "stack.yaml:3:5: users[0].password: a literal secret is not allowed here; write {env: NAME}"
    ]
    assert "hunter2" not in str(problems)
    assert [declared.value.password for declared in users] == [SecretRef(env="BOB_PASSWORD")]


def test_the_reference_must_name_an_environment_variable(load_stack: LoadStack) -> None:
    source = load_stack(
        """
        users:
          - user: alice@example.com
            password: {env: 1PASSWORD}
          - user: bob@example.com
            password: {env: BOB_PASSWORD, default: x}
          - user: carol@example.com
            password: {}
        """
    )

    _, problems = validate_objects(source.data["users"], User, ("users",), source)

    assert [(p.location.line, p.field, p.message, p.allowed) for p in problems] == [
        (
            3,
            "users[0].password.env",
            "'1PASSWORD' is not an environment variable name; "
            "use letters, digits and underscores, not starting with a digit",
            (),
        ),
        (5, "users[1].password.default", "unknown key", ("env",)),
        (7, "users[2].password.env", "required field is missing", ()),
    ]


def test_resolve_reads_the_environment_at_the_moment_of_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reference = SecretRef(env="ALICE_PASSWORD")
    monkeypatch.setenv("ALICE_PASSWORD", "s3cret-value")

    assert reference.resolve() == "s3cret-value"
    assert reference.resolve({"ALICE_PASSWORD": "from-mapping"}) == "from-mapping"


def test_an_unset_variable_is_named_in_the_error_and_no_value_is_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ALICE_PASSWORD", raising=False)
    monkeypatch.setenv("OTHER_SECRET", "s3cret-value")

    with pytest.raises(MissingSecretError) as raised:
        SecretRef(env="ALICE_PASSWORD").resolve()

    assert raised.value.env == "ALICE_PASSWORD"
    assert "ALICE_PASSWORD" in str(raised.value)
    assert "s3cret-value" not in str(raised.value)
    with pytest.raises(MissingSecretError):
        SecretRef(env="EMPTY").resolve({"EMPTY": ""})


def test_references_hold_no_value_and_are_equal_by_variable_name() -> None:
    reference = SecretRef.model_validate({"env": "ALICE_PASSWORD"})

    assert str(reference) == "{env: ALICE_PASSWORD}"
    assert repr(reference) == "SecretRef(env='ALICE_PASSWORD')"
    assert reference == SecretRef(env="ALICE_PASSWORD")
    assert reference != SecretRef(env="BOB_PASSWORD")
    assert len({reference, SecretRef(env="ALICE_PASSWORD")}) == 1
    assert reference.model_dump() == {"env": "ALICE_PASSWORD"}


def test_a_literal_given_to_the_reference_type_directly_is_not_echoed() -> None:
    with pytest.raises(ValidationError) as raised:
        SecretRef.model_validate("hunter2")

    assert "a literal secret is not allowed here" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_the_json_schema_tells_editors_what_a_reference_looks_like() -> None:
    schema = SecretRef.model_json_schema()

    assert schema["required"] == ["env"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["env"]["pattern"] == "^[A-Za-z_][A-Za-z0-9_]*$"
