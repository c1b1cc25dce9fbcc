"""The LianaMailer account as the state file keeps it: one row per property, mailing list and
consent type, so that a write touches its own row; answers in id order whatever order the rows
load in; the lists people read; and the state files of earlier mailforms, converted."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mailform.cli.sandbox_commands import sandbox
from mailform.sandbox.clock import SandboxClock
from mailform.sandbox.lianamailer.model import new_state
from mailform.sandbox.lianamailer.signing import Credentials
from mailform.sandbox.server import SandboxApp
from mailform.sandbox.statefile import FORMAT_VERSION
from mailform.sandbox.store import StateFileError, StateStore
from tests.sandbox import liana_caller as vectors
from tests.sandbox.liana_caller import LianaCaller, liana_caller

CREDENTIALS = Credentials(vectors.REALM, vectors.USER_ID, vectors.SECRET)
SITE = "news.example.com"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "sandbox.sqlite3"


def opened(path: Path, clock: SandboxClock) -> SandboxApp:
    """A sandbox over the state file at ``path``, signing with the test vectors' secret."""
    return SandboxApp(store=StateStore(path), clock=clock, lianamailer_credentials=CREDENTIALS)


@pytest.fixture
def filed(path: Path, clock: SandboxClock) -> Iterator[LianaCaller]:
    """A LianaMailer caller against a sandbox whose state is the file at ``path``."""
    app = opened(path, clock)
    with app.store, liana_caller(app, clock) as caller:
        yield caller


def rows(path: Path) -> dict[tuple[str, ...], str]:
    """Every row and every plain entry of the state file, by path, as its JSON text."""
    with sqlite3.connect(path) as db:
        found = {
            (section, collection, key): value
            for section, collection, key, value in db.execute("SELECT * FROM rows")
        }
        found.update(
            ((section, name), value)
            for section, name, value in db.execute("SELECT * FROM entries")
            if value is not None
        )
    return found


def changed_by(path: Path, write: Any) -> set[tuple[str, ...]]:
    """The paths of the rows the call ``write()`` added, changed or removed in the file."""
    before = rows(path)
    write()
    after = rows(path)
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def test_a_write_touches_only_the_row_of_its_object(filed: LianaCaller, path: Path) -> None:
    liana = filed
    liana.call("createSite", SITE)
    for n in range(300):
        liana.call("createMailingList", f"List {n}", "", False, None, SITE)
    handle = liana.call("createCustomerProperty", "firstname", "FI")
    consent = liana.call("createConsentType", "Newsletter", True)
    assert sum(key[:2] == ("lianamailer", "lists") for key in rows(path)) == 300

    edit = ("editMailingList", 57, "Renamed", "new text")
    assert changed_by(path, lambda: liana.call(*edit)) == {("lianamailer", "lists", "57")}
    assert json.loads(rows(path)["lianamailer", "lists", "57"])["name"] == "Renamed"
    assert changed_by(path, lambda: liana.call("deleteMailingList", 200)) == {
        ("lianamailer", "lists", "200")
    }
    assert changed_by(path, lambda: liana.call("createMailingList", "One more", "")) == {
        ("lianamailer", "lists", "301"),
        ("lianamailer", "next_id", "list"),
    }
    rename = ("renameCustomerProperty", "firstname", "givenname", "FI")
    assert changed_by(path, lambda: liana.call(*rename)) == {
        ("lianamailer", "properties", str(handle))
    }
    edit_consent = ("editConsentType", consent, "Newsletter", False)
    assert changed_by(path, lambda: liana.call(*edit_consent)) == {
        ("lianamailer", "consent_types", str(consent))
    }
    assert changed_by(path, lambda: liana.call("deleteConsentType", consent)) == {
        ("lianamailer", "consent_types", str(consent))
    }


def test_answers_keep_id_order_when_the_rows_load_back_by_key_text(
    path: Path, clock: SandboxClock
) -> None:
    app = opened(path, clock)
    with app.store, liana_caller(app, clock) as liana:
        liana.call("createSite", SITE)
        for n in range(12):
            liana.call("createMailingList", f"List {n}", "", False, None, SITE)
            liana.call("createConsentType", f"Consent {n}", True)
            liana.call("createCustomerProperty", f"field{n}", "FI", "text", None, False, True)
        liana.call("deleteMailingList", 3)
        # A seeded property that exists is replaced in its place: the handle stays.
        app.seed(
            "lianamailer:\n  properties:\n    - {name: field1, language: EN, subscription: true}\n"
        )
    app = opened(path, clock)  # "10" < "2" in the file
    with app.store, liana_caller(app, clock) as liana:
        assert [item["id"] for item in liana.call("getMailingLists", 1)] == list(range(1, 13))
        live = [item["id"] for item in liana.call("getMailingLists")]
        assert live == [n for n in range(1, 13) if n != 3]
        assert [item["id"] for item in liana.call("getSite", SITE)["lists"]] == live
        consents = liana.call("getConsentTypes")
        assert [item["consent_id"] for item in consents] == list(range(1, 13))
        properties = liana.call("getCustomerProperties")
        assert [item["name"] for item in properties] == [f"field{n}" for n in range(12)]
        assert [item["handle"] for item in properties] == list(range(1, 13))
        assert properties[1]["language"] == "EN"
        assert liana.call("getSite", SITE)["properties"] == [
            {"handle": item["handle"], "name": item["name"]} for item in properties
        ]
        # The replacement took a handle, as it did when the properties were one list.
        assert liana.call("createCustomerProperty", "later", "FI") == 14


def test_the_state_people_read_lists_the_objects_in_id_order(
    path: Path, clock: SandboxClock
) -> None:
    app = opened(path, clock)
    with app.store, liana_caller(app, clock) as liana:
        for n in range(11):
            liana.call("createMailingList", f"List {n}", "")
            liana.call("createConsentType", f"Consent {n}", True)
        liana.call("createCustomerProperty", "firstname", "FI")
        with app.control_client() as control:
            served = control.get("/state").raise_for_status().json()
    dumped = CliRunner().invoke(
        sandbox, ["dump", "--state", str(path), "--format", "json", "--show-secrets"]
    )
    assert dumped.exit_code == 0, dumped.output
    assert json.loads(dumped.stdout) == served
    section = served["lianamailer"]
    assert [item["id"] for item in section["lists"]] == list(range(1, 12))
    assert [item["consent_id"] for item in section["consent_types"]] == list(range(1, 12))
    assert [item["name"] for item in section["properties"]] == ["firstname"]


def old_section() -> dict[str, Any]:
    """A LianaMailer section as mailform kept it before each object was a row: lists."""
    section = new_state({"realm": CREDENTIALS.realm, "user_id": CREDENTIALS.user_id})
    section["credentials"]["secret"] = CREDENTIALS.secret
    section["sites"] = {SITE: {"domain": SITE, "language": "FI", "welcome": None, "ssl": True}}
    section["properties"] = [
        {"handle": handle, "name": name, "language": "FI", "type": "text", "datatype": "text"}
        | {"choices": [], "required": False, "subscription": True, "position": 0}
        for handle, name in ((1, "firstname"), (3, "lastname"))
    ]
    section["lists"] = [
        {"id": n, "name": f"List {n}", "description": "", "self_service": False}
        | {"condition": None, "site": SITE, "cem_segment": None, "ext_id": None}
        | {"ext_id_type": None, "member_count": 0, "deleted": n == 2}
        for n in range(1, 12)
    ]
    section["consent_types"] = [
        {"consent_id": 4, "consent_revision": 2, "name": "Terms", "is_revokable": False}
    ]
    section["next_id"] = {"property": 4, "list": 12, "consent": 5}
    return section


def expect_converted(path: Path, clock: SandboxClock) -> None:
    """The old section at ``path`` opens, answers as it did, and is one row per object."""
    app = opened(path, clock)
    with app.store, liana_caller(app, clock) as liana:
        assert [item["id"] for item in liana.call("getMailingLists", 1)] == list(range(1, 12))
        assert [item["name"] for item in liana.call("getCustomerProperties")] == [
            "firstname",
            "lastname",
        ]
        assert liana.call("getConsentTypes")[0]["consent_revision"] == 2
        assert liana.call("createMailingList", "New", "") == 12
        with app.control_client() as control:
            served = control.get("/state").raise_for_status().json()["lianamailer"]
    old = old_section()
    assert served["properties"] == old["properties"]
    assert served["lists"][:11] == old["lists"]
    assert served["consent_types"] == old["consent_types"]
    held = rows(path)
    assert json.loads(held["lianamailer", "lists", "11"]) == old["lists"][10]
    assert ("lianamailer", "properties", "3") in held
    assert ("lianamailer", "consent_types", "4") in held
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == FORMAT_VERSION


def test_a_state_file_with_the_objects_as_lists_is_converted_when_opened(
    path: Path, clock: SandboxClock
) -> None:
    with StateStore(path) as store, store.change() as state:
        state["lianamailer"] = old_section()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 2")  # the layout before, entry for entry
    assert ("lianamailer", "lists") in rows(path)
    expect_converted(path, clock)


def test_a_json_state_with_the_objects_as_lists_is_converted_when_opened(
    tmp_path: Path, clock: SandboxClock
) -> None:
    path = tmp_path / "sandbox.json"
    path.write_text(json.dumps({"version": 1, "lianamailer": old_section()}))
    expect_converted(path, clock)


def test_an_old_state_file_with_an_object_without_its_id_is_refused(path: Path) -> None:
    section = old_section()
    del section["lists"][4]["id"]
    with StateStore(path) as store, store.change() as state:
        state["lianamailer"] = section
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 2")
    with pytest.raises(StateFileError, match="damaged"):
        StateStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2  # left as it was
