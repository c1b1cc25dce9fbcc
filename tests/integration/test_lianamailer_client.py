"""The LianaMailer client against the sandbox over real HTTP: create, read, update and delete
of every managed object type, the documented refusals, authentication, and the faults a
client must survive."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mailform.errors import (
    AuthenticationError,
    Conflict,
    InvalidRequest,
    NotFound,
    ServerError,
)
from mailform.http import RetryPolicy
from mailform.services.lianamailer.client import LianaMailerClient, LianaMailerCredentials

pytestmark = pytest.mark.integration

SITE = "news.example.com"
FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=120.0)


def connect(env: dict[str, str], **options: Any) -> LianaMailerClient:
    options = {"rate_limit": False, "retry": FAST_RETRY, "timeout": 5.0, **options}
    return LianaMailerClient(LianaMailerCredentials.from_env(env), **options)


@pytest.fixture
def liana(env: dict[str, str]) -> Iterator[LianaMailerClient]:
    """A client of an empty sandbox LianaMailer account."""
    with connect(env) as client:
        yield client


def test_sites_create_read_update_delete(liana: LianaMailerClient) -> None:
    assert liana.call("createSite", SITE, {"language": "EN"}) == SITE
    site = liana.read("getSite", SITE)
    assert (site["domain"], site["language"], site["ssl"]) == (SITE, "EN", True)
    assert liana.call("updateSite", SITE, {"ssl": False, "welcome": 12}) is True
    (listed,) = liana.read("sites", {"properties": False, "lists": False})
    assert (listed["language"], listed["ssl"], listed["welcome"]) == ("EN", False, 12)
    with pytest.raises(Conflict, match="already exists"):
        liana.call("createSite", SITE)
    with pytest.raises(InvalidRequest, match="unknown site settings"):
        liana.call("updateSite", SITE, {"colour": "blue"})
    assert liana.call("deleteSite", SITE) is True
    with pytest.raises(NotFound):
        liana.read("getSite", SITE)


def test_properties_create_rename_delete_and_their_rules(liana: LianaMailerClient) -> None:
    handle = liana.call("createCustomerProperty", "Plan", "EN", "select", ["basic", "pro"])
    assert isinstance(handle, int)
    (prop,) = liana.read("getCustomerProperties")
    assert (prop["handle"], prop["name"], prop["type"], prop["choices"]) == (
        handle,
        "Plan",
        "select",
        ["basic", "pro"],
    )
    with pytest.raises(InvalidRequest, match="reserved"):
        liana.call("createCustomerProperty", "Email")
    with pytest.raises(Conflict, match="already exists"):
        liana.call("createCustomerProperty", "plan")
    assert liana.call("renameCustomerProperty", "Plan", "Tier", "EN") is None
    assert [p["name"] for p in liana.read("getCustomerProperties")] == ["Tier"]
    with pytest.raises(InvalidRequest, match="reserved"):
        liana.call("renameCustomerProperty", "Tier", "ID", "EN")
    assert liana.call("deleteCustomerProperty", "Tier") is None
    assert liana.read("getCustomerProperties") == []
    with pytest.raises(NotFound):
        liana.call("deleteCustomerProperty", "Tier")


def test_a_mailing_list_on_a_site(liana: LianaMailerClient) -> None:
    liana.call("createSite", SITE)
    list_id = liana.call("createMailingList", "News", "Monthly news", True, None, SITE)
    row = liana.read("getMailingList", list_id)
    assert (row["name"], row["site"], row["self_service"]) == ("News", SITE, True)
    assert [entry["id"] for entry in liana.read("getSite", SITE)["lists"]] == [list_id]
    with pytest.raises(Conflict, match="in use"):
        liana.call("deleteSite", SITE)
    edited = liana.call("editMailingList", list_id, "Newsletter", "Weekly", False, None, "", None)
    assert edited == list_id
    row = liana.read("getMailingList", list_id)
    assert (row["name"], row["description"], row["site"]) == ("Newsletter", "Weekly", None)
    assert liana.call("deleteMailingList", list_id) is None
    assert liana.read("getMailingLists") == []
    assert [entry["deleted"] for entry in liana.read("getMailingLists", 1)] == [True]
    with pytest.raises(NotFound, match="Mailinglist not found"):
        liana.call("editMailingList", list_id, "Again", "")
    with pytest.raises(NotFound, match="Site not found"):
        liana.call("createMailingList", "Orphan", "", True, None, "missing.example.com")


def test_consent_types_create_edit_delete(liana: LianaMailerClient) -> None:
    consent_id = liana.call("createConsentType", "Newsletter", True)
    assert liana.call("editConsentType", consent_id, "Newsletter", False) == 1
    (row,) = liana.read("getConsentTypes")
    assert row == {
        "consent_id": consent_id,
        "consent_revision": 2,
        "name": "Newsletter",
        "is_revokable": False,
    }
    assert liana.call("deleteConsentType", consent_id) == 1
    assert liana.read("getConsentTypes") == []
    with pytest.raises(NotFound):
        liana.call("editConsentType", consent_id, "Newsletter", True)


def test_an_unknown_call_and_an_unsimulated_version_are_not_found(
    liana: LianaMailerClient,
) -> None:
    with pytest.raises(NotFound) as caught:
        liana.call("noSuchCall")
    assert caught.value.status_code == 404
    with pytest.raises(NotFound):
        liana.request("GET", "/api/v3/events", params={"type": "mailopen"})


def test_a_wrong_secret_is_refused_without_showing_it(env: dict[str, str]) -> None:
    wrong = {**env, "LIANAMAILER_API_SECRET": "not-the-secret"}
    with connect(wrong) as client, pytest.raises(AuthenticationError) as caught:
        client.read("sites")
    assert caught.value.status_code == 401
    assert "not-the-secret" not in str(caught.value)


def test_a_clock_twenty_minutes_off_is_refused(env: dict[str, str]) -> None:
    with (
        connect(env, clock=lambda: time.time() - 20 * 60) as client,
        pytest.raises(AuthenticationError, match="Date"),
    ):
        client.read("sites")
    with connect(env, clock=lambda: time.time() + 10 * 60) as client:
        assert client.read("sites") == []


def test_429_is_honoured_and_retried(env: dict[str, str], control: httpx.Client) -> None:
    control.put("/faults", json={"rate_limit": "1/60s"}).raise_for_status()
    slept: list[float] = []

    def wait(seconds: float) -> None:
        # Instead of waiting a minute, the "wait" lifts the limit, as the minute would.
        slept.append(seconds)
        control.put("/faults", json={"rate_limit": None}).raise_for_status()

    with connect(env, sleep=wait) as client:
        assert client.read("sites") == []
        assert client.call("createConsentType", "News", True) == 1
        assert client.requests_sent == 3
    assert slept == [60.0]


def test_server_errors_on_reads_are_retried(
    liana: LianaMailerClient, control: httpx.Client
) -> None:
    control.put("/faults", json={"error_rate": 0.4, "seed": 7}).raise_for_status()
    for _ in range(10):
        assert liana.read("getMailingLists") == []
    assert liana.requests_sent > 10


def test_a_call_is_not_repeated_after_a_server_error(
    liana: LianaMailerClient, control: httpx.Client
) -> None:
    control.put("/faults", json={"error_rate": 1.0}).raise_for_status()
    with pytest.raises(ServerError):
        liana.call("createConsentType", "News", True)
    assert liana.requests_sent == 1


def test_a_create_whose_connection_drops_after_commit_is_not_duplicated(
    liana: LianaMailerClient, control: httpx.Client
) -> None:
    def find_news() -> int | None:
        ids = [row["id"] for row in liana.read("getMailingLists") if row["name"] == "News"]
        return ids[0] if ids else None

    control.put("/faults", json={"drop_next": 1}).raise_for_status()
    list_id = liana.create("createMailingList", "News", find_existing=find_news)
    assert [(row["id"], row["name"]) for row in liana.read("getMailingLists")] == [
        (list_id, "News")
    ]
    assert control.get("/faults").json()["drop_next"] == 0
