"""The state store: one transaction per change, rollback of refused changes, only the changed
rows written, persistence across restarts (and kill -9), and the files it refuses."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from mailform.sandbox.inprocess import SandboxTransport
from mailform.sandbox.server import SandboxApp, SandboxServer
from mailform.sandbox.statefile import StateFile
from mailform.sandbox.store import NotInTransaction, StateFileError, StateStore
from mailform.sandbox.tracking import RowPath, where
from tests.sandbox.caller import Caller
from tests.sandbox.serving import served_sandbox


def users(count: int) -> dict[str, Any]:
    return {
        f"u{n}@example.com": {"user_id": n, "domainname": f"d{n % 3}.example.com", "tags": []}
        for n in range(count)
    }


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[RowPath]]]:
    """The paths each commit wrote to the state file, one list per transaction."""
    commits: list[list[RowPath]] = []
    original = StateFile.write

    def write(self: StateFile, changes: Any) -> None:
        changes = list(changes)
        commits.append([path for path, _ in changes])
        original(self, changes)

    monkeypatch.setattr(StateFile, "write", write)
    yield commits


def test_a_change_is_committed_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "sandbox.sqlite3"
    with StateStore(path) as store, store.change() as state:
        state["luxsci"] = {"account_id": "42", "users": users(3), "integrations": [{"a": 1}]}
    assert sorted(item.name for item in path.parent.iterdir()) == ["sandbox.sqlite3"]
    with StateStore(path) as again:
        snapshot = again.snapshot()
    assert snapshot["luxsci"] == {"account_id": "42", "users": users(3), "integrations": [{"a": 1}]}


def test_only_the_rows_a_change_touches_are_written(
    tmp_path: Path, written: list[list[RowPath]]
) -> None:
    with StateStore(tmp_path / "state") as store:
        with store.change() as state:
            state["luxsci"] = {"users": users(1000), "next_id": {"user": 1000}}
        with store.change() as state:
            section = state["luxsci"]
            section["users"]["u7@example.com"]["tags"].append("vip")  # a nested change
            section["users"]["u1000@example.com"] = {"user_id": 1000, "domainname": "x"}
            del section["users"]["u3@example.com"]
            section["next_id"]["user"] += 1
            section["users"]["u8@example.com"]["user_id"] = 8  # the same value: not a change
            assert len(where(section["users"], "domainname", "d1.example.com")) == 333
        with store.change() as state:
            state["luxsci"]["users"]["u9@example.com"]["tags"] = []  # as it was
    assert written[0] == [("luxsci",)]
    assert sorted(written[1]) == [
        ("luxsci", "next_id", "user"),
        ("luxsci", "users", "u1000@example.com"),
        ("luxsci", "users", "u3@example.com"),
        ("luxsci", "users", "u7@example.com"),
    ]
    assert written[2] == []
    with StateStore(tmp_path / "state") as again:
        reopened = again.snapshot()["luxsci"]
    assert reopened["users"]["u7@example.com"]["tags"] == ["vip"]
    assert "u3@example.com" not in reopened["users"] and len(reopened["users"]) == 1000
    assert reopened["next_id"] == {"user": 1001}


@pytest.mark.parametrize("persisted", [True, False], ids=["file", "memory"])
def test_a_change_that_fails_is_rolled_back_whole(tmp_path: Path, persisted: bool) -> None:
    path = tmp_path / "state"
    store = StateStore(path if persisted else None)
    with store.change() as state:
        state["luxsci"] = {"users": users(5), "dns": {"a": "b"}}
    before = store.snapshot()
    with pytest.raises(RuntimeError), store.change() as state:
        section = state["luxsci"]
        section["users"]["u1@example.com"]["tags"].append("x")
        section["users"]["new@example.com"] = {"user_id": 99}
        del section["users"]["u2@example.com"]
        section["users"] = {}  # the whole collection replaced after rows of it changed
        section["users"]["other@example.com"] = {"user_id": 7}
        state["lianamailer"] = {"lists": []}
        raise RuntimeError("refused half-way")
    assert store.snapshot() == before
    with store.read() as state:
        assert len(where(state["luxsci"]["users"], "user_id", 2)) == 1
    store.close()
    if persisted:
        with StateStore(path) as again:
            assert again.snapshot() == before


def test_changing_the_state_outside_a_change_is_refused() -> None:
    store = StateStore()
    with store.change() as state:
        state["luxsci"] = {"users": users(2)}
    with store.read() as state:
        user = state["luxsci"]["users"]["u1@example.com"]
        with pytest.raises(NotInTransaction, match="outside"):
            user["tags"].append("x")
    with pytest.raises(NotInTransaction):
        user["name"] = "kept for later"
    assert store.snapshot()["luxsci"]["users"]["u1@example.com"] == users(2)["u1@example.com"]


def test_a_change_inside_a_change_joins_it() -> None:
    store = StateStore()
    with store.change() as outer:
        outer["a"] = 1
        with store.change() as inner:
            inner["b"] = 2
        with pytest.raises(KeyError), store.change() as inner:
            inner["c"] = 3
            raise KeyError("refused")
        outer["d"] = 4
    assert store.snapshot() == {"d": 4}  # the inner refusal rolled everything back


def test_assigned_values_are_copied_and_must_be_json() -> None:
    store = StateStore()
    record: dict[str, Any] = {"user_id": 1, "tags": []}
    with store.change() as state:
        state["luxsci"] = {"users": {"ann": record}}
        record["tags"].append("lost")  # the state keeps a copy
        with pytest.raises(TypeError, match="JSON"):
            state["luxsci"]["users"]["bob"] = {"seen": {1, 2}}
        with pytest.raises(TypeError, match="strings"):
            state["luxsci"]["users"][7] = {}  # type: ignore[index]
    assert store.snapshot()["luxsci"]["users"] == {"ann": {"user_id": 1, "tags": []}}


def test_where_follows_changes_commits_and_rollbacks() -> None:
    store = StateStore()
    with store.change() as state:
        state["s"] = {"users": users(6)}

    def in_d0() -> set[str]:
        with store.read() as state:
            return set(where(state["s"]["users"], "domainname", "d0.example.com"))

    assert in_d0() == {"u0@example.com", "u3@example.com"}
    with store.change() as state:
        state["s"]["users"]["u1@example.com"]["domainname"] = "d0.example.com"
        del state["s"]["users"]["u0@example.com"]
        seen = set(where(state["s"]["users"], "domainname", "d0.example.com"))
        assert seen == {"u1@example.com", "u3@example.com"}
    assert in_d0() == {"u1@example.com", "u3@example.com"}
    with pytest.raises(RuntimeError), store.change() as state:
        state["s"]["users"]["u4@example.com"]["domainname"] = "d0.example.com"
        raise RuntimeError("refused")
    assert in_d0() == {"u1@example.com", "u3@example.com"}
    with store.change() as state:
        state["s"]["users"] = {"z": {"domainname": "d0.example.com"}}
    assert in_d0() == {"z"}
    assert where(users(6), "user_id", 4) == {"u4@example.com": users(6)["u4@example.com"]}


def test_files_that_are_not_a_sandbox_state_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "state"
    path.write_text("{broken")
    with pytest.raises(StateFileError, match="cannot read"):
        StateStore(path)
    path.write_text("[]")
    with pytest.raises(StateFileError, match="not a sandbox state"):
        StateStore(path)
    path.write_bytes(b"\x00\x01binary")
    with pytest.raises(StateFileError, match="not a sandbox state"):
        StateStore(path)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(StateFileError, match="another application"):
        StateStore(other)


def test_a_json_state_from_an_earlier_mailform_is_converted_in_place(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    document = {"version": 1, "luxsci": {"account_id": "42", "users": users(2)}}
    path.write_text(json.dumps(document))
    with StateStore(path) as store:
        assert store.snapshot() == {"luxsci": {"account_id": "42", "users": users(2)}}
    assert path.read_bytes().startswith(b"SQLite format 3")
    assert [item.name for item in tmp_path.iterdir()] == ["sandbox.json"]


def test_the_account_survives_a_restart_with_the_same_state(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.sqlite3"
    first = SandboxApp(store=StateStore(path))
    credentials = first.credentials
    with SandboxServer(first) as server, httpx.Client(base_url=server.base_url) as http:
        caller = Caller(
            http, token=credentials.token, secret=credentials.secret,
            account=credentials.account_id,
        ).login()  # fmt: skip
        created = caller.data(caller.post(f"{caller.acct}/domains", {"domain": "example.com"}))
        auth = caller.auth
    first.store.close()

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


@contextmanager
def serving(state: Path) -> Iterator[tuple[subprocess.Popen[bytes], Caller]]:
    """``mailform sandbox serve`` on ``state`` in a process of its own, and a logged-in
    caller with the credentials the state keeps; the process is killed after the block if
    it still runs."""
    with StateStore(state) as store:
        credentials = SandboxApp(store=store).credentials
    with served_sandbox(state) as (process, http):
        caller = Caller(
            http,
            token=credentials.token,
            secret=credentials.secret,
            account=credentials.account_id,
        )
        yield process, caller.login()


def test_a_killed_sandbox_loses_no_answered_call(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.sqlite3"
    with serving(state) as (process, caller):
        created = caller.data(caller.post(f"{caller.acct}/domains", {"domain": "kept.com"}))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    with StateStore(state) as reopened:
        assert reopened.snapshot()["luxsci"]["domains"]["kept.com"] == created
    assert sorted(item.name for item in tmp_path.iterdir()) == ["sandbox.sqlite3"]


def test_a_stopped_sandbox_leaves_only_its_state_file(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.sqlite3"
    with serving(state) as (process, caller):
        caller.data(caller.post(f"{caller.acct}/domains", {"domain": "kept.com"}))
        assert len(list(tmp_path.iterdir())) > 1  # the write-ahead log, while it runs
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 128 + signal.SIGTERM
    assert sorted(item.name for item in tmp_path.iterdir()) == ["sandbox.sqlite3"]
