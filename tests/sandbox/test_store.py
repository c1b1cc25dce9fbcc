"""The state file: atomic writes, rollback of refused changes, persistence across restarts."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from mailform.sandbox.inprocess import SandboxTransport
from mailform.sandbox.server import SandboxApp, SandboxServer
from mailform.sandbox.store import StateFileError, StateStore
from tests.sandbox.caller import Caller


def test_changes_are_written_atomically(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "sandbox.json"
    store = StateStore(path)
    with store.change() as state:
        state["luxsci"] = {"answer": 42}
    assert json.loads(path.read_text())["luxsci"] == {"answer": 42}
    assert [item.name for item in path.parent.iterdir()] == ["sandbox.json"]
    assert StateStore(path).snapshot()["luxsci"] == {"answer": 42}


def test_a_change_that_fails_is_rolled_back(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    store = StateStore(path)
    with store.change() as state:
        state["kept"] = 1
    with pytest.raises(RuntimeError), store.change() as state:
        state["kept"] = 2
        raise RuntimeError("refused half-way")
    with store.read() as state:
        assert state["kept"] == 1
    assert json.loads(path.read_text())["kept"] == 1


def test_an_unreadable_state_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    path.write_text("{broken")
    with pytest.raises(StateFileError, match="cannot read"):
        StateStore(path)
    path.write_text("[]")
    with pytest.raises(StateFileError, match="not a sandbox state"):
        StateStore(path)


def test_the_account_survives_a_restart_with_the_same_state(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    first = SandboxApp(store=StateStore(path))
    credentials = first.credentials
    with SandboxServer(first) as server, httpx.Client(base_url=server.base_url) as http:
        caller = Caller(
            http, token=credentials.token, secret=credentials.secret,
            account=credentials.account_id,
        ).login()  # fmt: skip
        created = caller.data(caller.post(f"{caller.acct}/domains", {"domain": "example.com"}))
        auth = caller.auth

    second = SandboxApp(store=StateStore(path))
    assert second.credentials == credentials
    transport = SandboxTransport(second)
    with httpx.Client(transport=transport, base_url="https://rest.luxsci.com") as http:
        caller = Caller(
            http, token=credentials.token, secret=credentials.secret,
            account=credentials.account_id,
        )  # fmt: skip
        caller.auth = auth
        assert caller.data(caller.get(f"{caller.acct}/domains")) == [created]
        again = caller.data(caller.post(f"{caller.acct}/domains", {"domain": "example.org"}))
        assert again["domain_id"] == created["domain_id"] + 1
