"""Secrets: a password arrives as a Pulumi secret, reaches the account, and is nowhere in
clear in what the engine stores, in an error, or in the plugin's logs; credentials come
from config and are never on the pickled provider."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from pulumi.runtime.proto import provider_pb2

from mailform.luxsci import User
from tests.accounts import Account
from tests.pulumi.engine import (
    CheckFailed,
    EngineError,
    MiniEngine,
    ProviderProcess,
    is_secret,
    plain_strings,
    strip_secrets,
    to_struct,
)
from tests.pulumi.programs import capture

PASSWORD = "correct-Horse-battery-7"
ROTATED = "second-Staple-battery-8"
DOMAIN = "luxsci:\n  domains: [{domain: example.com}]\n"


def _password_is(account: Account, login: str, password: str) -> bool:
    stored = account.state()["luxsci"]["users"][login]["_password"]
    digest = hashlib.sha256(f"{stored['salt']}:{password}".encode()).hexdigest()
    return digest == stored["sha256"]


def _everything_stored(engine: MiniEngine) -> list[str]:
    return [
        text
        for state in engine.state.values()
        for bag in (state.inputs, state.outputs)
        for text in plain_strings(bag)
    ]


def test_a_password_is_sent_but_never_stored_in_clear(
    engine: MiniEngine, account: Account, plugin: ProviderProcess
) -> None:
    account.seed(DOMAIN)
    user = capture(User, "ann", user="ann@example.com", password=PASSWORD, password_version=1)
    assert is_secret(user.inputs["password"])  # the resource class makes it a secret
    assert user.additional_secret_outputs == ("password",)

    step = engine.up(user.type, user.name, user.inputs, additional_secret_outputs=["password"])
    state = engine.state[step.urn]
    assert _password_is(account, "ann@example.com", PASSWORD)
    assert "password" not in state.outputs  # never an output, not even a secret one
    assert is_secret(state.inputs["password"])  # the engine's encrypted inputs only
    assert is_secret(state.outputs["__provider"])
    assert state.outputs["password_version"] == 1
    assert not any(PASSWORD in text for text in _everything_stored(engine))
    assert PASSWORD not in plugin.stderr


def test_bumping_password_version_rotates_it_and_changing_only_the_secret_does_not(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(DOMAIN)
    first = capture(User, "ann", user="ann@example.com", password=PASSWORD, password_version=1)
    engine.up(first.type, first.name, first.inputs)
    quiet = capture(User, "ann", user="ann@example.com", password=ROTATED, password_version=1)
    assert engine.up(quiet.type, quiet.name, quiet.inputs).op == "same"
    assert _password_is(account, "ann@example.com", PASSWORD)

    rotated = capture(User, "ann", user="ann@example.com", password=ROTATED, password_version=2)
    assert engine.up(rotated.type, rotated.name, rotated.inputs, preview=True).op == "update"
    assert engine.up(rotated.type, rotated.name, rotated.inputs).op == "update"
    assert _password_is(account, "ann@example.com", ROTATED)


def test_refresh_keeps_the_version_and_never_brings_the_password_back(
    engine: MiniEngine, account: Account
) -> None:
    account.seed(DOMAIN)
    user = capture(User, "ann", user="ann@example.com", password=PASSWORD, password_version=3)
    step = engine.up(user.type, user.name, user.inputs)
    refreshed = engine.refresh(step.urn)
    assert refreshed.op == "same"
    inputs = strip_secrets(refreshed.inputs)
    assert inputs["password_version"] == 3
    assert "password" not in inputs
    assert engine.up(user.type, user.name, user.inputs).op == "same"


def test_errors_and_check_failures_never_quote_a_secret(
    engine: MiniEngine, account: Account, plugin: ProviderProcess
) -> None:
    account.seed("luxsci:\n  domains: [{domain: example.com}]\n")
    nowhere = capture(User, "eve", user="eve@nowhere.example", password=PASSWORD)
    with pytest.raises(CheckFailed) as refused:
        engine.up(nowhere.type, nowhere.name, nowhere.inputs)
    assert "Domain nowhere.example is not in the account" in str(refused.value)
    assert PASSWORD not in str(refused.value)
    # The API's own refusal, when the create is sent all the same (as after a preview that
    # ran before the domain was deleted):
    request = provider_pb2.CreateRequest(
        urn="urn:eve", properties=to_struct(strip_secrets(nowhere.inputs))
    )
    with pytest.raises(EngineError) as failure:
        engine._call("Create", request)
    assert "User" in failure.value.details or "users" in failure.value.details
    assert PASSWORD not in failure.value.details

    invalid = capture(User, "eve", user="eve@example.com", password=PASSWORD, status="asleep")
    with pytest.raises(CheckFailed) as failed:
        engine.up(invalid.type, invalid.name, invalid.inputs)
    assert [name for name, _ in failed.value.failures] == ["status"]
    assert PASSWORD not in str(failed.value)
    assert PASSWORD not in plugin.stderr


def test_a_user_without_a_password_cannot_be_created(engine: MiniEngine, account: Account) -> None:
    account.seed(DOMAIN)
    user = capture(User, "ann", user="ann@example.com", name="Ann")
    with pytest.raises(CheckFailed, match="does not exist, and creating it needs password"):
        engine.up(user.type, user.name, user.inputs, preview=True)  # refused at preview


def test_the_pickled_provider_holds_two_names_and_no_credentials(
    engine: MiniEngine, account: Account, plugin: ProviderProcess
) -> None:
    account.seed(DOMAIN)
    user = capture(User, "ann", user="ann@example.com", password=PASSWORD)
    step = engine.up(user.type, user.name, user.inputs)
    pickled = base64.b64decode(strip_secrets(engine.state[step.urn].outputs["__provider"]))
    assert len(pickled) < 120
    assert b"mailform.pulumi.provider" in pickled and b"users" in pickled
    credentials = account.app.credentials
    for value in (credentials.token, credentials.secret, PASSWORD):
        assert value.encode() not in pickled
        assert value not in plugin.stderr
    assert credentials.secret not in json.dumps(_stored(engine))


def _stored(engine: MiniEngine) -> list[dict[str, Any]]:
    return [{"inputs": s.inputs, "outputs": s.outputs} for s in engine.state.values()]
