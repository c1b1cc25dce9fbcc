"""``mailform sandbox dump``: the state as a person reads it, secrets masked unless asked for;
and the state an earlier mailform kept at the old default place, carried over."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from mailform.cli.connect import EMBEDDED_STATE, LEGACY_EMBEDDED_STATE
from mailform.cli.sandbox_commands import sandbox
from mailform.sandbox.dump import MASK, masked, public_state, render
from mailform.sandbox.store import StateStore

STACK = """\
luxsci:
  users: [{user: ann@example.com, name: Ann}]
sandbox:
  luxsci:
    users: [{user: ann@example.com, password: known-password}]
"""


@pytest.fixture
def state(tmp_path: Path) -> Path:
    """A state file seeded with a domain and a user (whose password the state hashes)."""
    stack = tmp_path / "stack.yaml"
    stack.write_text(STACK)
    path = tmp_path / "sandbox.sqlite3"
    result = CliRunner().invoke(sandbox, ["seed", str(stack), "--state", str(path)])
    assert result.exit_code == 0, result.output
    return path


def kept(state: Path) -> dict[str, Any]:
    """The state as the file holds it, secrets and all."""
    with StateStore(state) as store:
        return store.snapshot()


def test_secrets_are_masked_wherever_they_are() -> None:
    document = {
        "luxsci": {
            "integrations": [{"token": "t", "secret": "s"}],
            "users": {"a": {"_password": {}}},
        },
        "lianamailer": {"credentials": {"realm": "EUR", "secret": "x"}},
    }
    assert masked(document) == {
        "luxsci": {
            "integrations": [{"token": "t", "secret": MASK}],
            "users": {"a": {"_password": MASK}},
        },
        "lianamailer": {"credentials": {"realm": "EUR", "secret": MASK}},
    }
    assert json.loads(render(document, "json", show_secrets=True)) == document


def test_dump_prints_the_accounts_as_yaml_with_secrets_masked(state: Path) -> None:
    held = kept(state)
    result = CliRunner().invoke(sandbox, ["dump", "--state", str(state)])
    assert result.exit_code == 0, result.output
    document = YAML(typ="safe").load(result.stdout)
    luxsci = document["luxsci"]
    assert luxsci["account_id"] == held["luxsci"]["account_id"]
    assert luxsci["users"]["ann@example.com"]["name"] == "Ann"
    assert luxsci["users"]["ann@example.com"]["_password"] == MASK
    assert luxsci["integrations"][0] == {
        **luxsci["integrations"][0],
        "token": held["luxsci"]["integrations"][0]["token"],
        "secret": MASK,
    }
    assert document["lianamailer"]["credentials"]["secret"] == MASK
    assert document["control"] == {"control_token": MASK}
    for secret in (
        held["luxsci"]["integrations"][0]["secret"],
        held["lianamailer"]["credentials"]["secret"],
        held["control"]["control_token"],
    ):
        assert secret not in result.stdout


def test_dump_shows_secrets_as_json_when_asked(state: Path) -> None:
    arguments = ["dump", "--state", str(state), "--format", "json", "--show-secrets"]
    result = CliRunner().invoke(sandbox, arguments)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document == public_state(kept(state))
    assert set(document["luxsci"]["users"]["ann@example.com"]["_password"]) == {"salt", "sha256"}


def test_dump_says_so_when_there_is_no_state(tmp_path: Path) -> None:
    result = CliRunner().invoke(sandbox, ["dump", "--state", str(tmp_path / "none.sqlite3")])
    assert result.exit_code == 1
    assert "no sandbox state here" in result.output
    assert not (tmp_path / "none.sqlite3").exists()
    help_text = CliRunner().invoke(sandbox, ["dump", "--help"]).output
    assert "--show-secrets" in help_text and "masked" in help_text


def test_a_state_at_the_old_default_place_is_carried_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    LEGACY_EMBEDDED_STATE.parent.mkdir()
    document = {"version": 1, "luxsci": {"account_id": "4242", "domains": {}}}
    LEGACY_EMBEDDED_STATE.write_text(json.dumps(document))
    result = CliRunner().invoke(sandbox, ["dump", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"luxsci": {"account_id": "4242", "domains": {}}}
    assert sorted(path.name for path in EMBEDDED_STATE.parent.iterdir()) == [EMBEDDED_STATE.name]
