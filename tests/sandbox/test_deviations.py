"""Deviations: the sandbox told to answer otherwise than the documented API (a renamed
answer field, another status), and the Date header that tells its clock, for the tests of
``mailform doctor``."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import httpx

from mailform.sandbox.clock import SandboxClock
from tests.sandbox.caller import Caller
from tests.sandbox.liana_caller import LianaCaller


def deviate(control: httpx.Client, *deviations: dict[str, object]) -> httpx.Response:
    return control.put("/deviations", json={"deviations": list(deviations)})


def test_an_answer_field_is_renamed_in_the_rows_of_the_paths_it_names(
    luxsci: Caller, control: httpx.Client, domain: str
) -> None:
    deviate(control, {"path": "/domains", "rename": {"domain": "name"}}).raise_for_status()
    rows = luxsci.data(luxsci.get(f"{luxsci.acct}/domains"))
    assert [sorted(row) for row in rows] == [
        ["bounce_domain", "domain_id", "name", "settings", "status"]
    ]
    one = luxsci.data(luxsci.get(f"{luxsci.acct}/domains/{domain}"))
    assert "domain" in one  # the path ends otherwise: untouched


def test_a_status_is_answered_instead_with_the_body_as_it_was(
    luxsci: Caller, control: httpx.Client
) -> None:
    deviate(control, {"path": "/auth", "method": "POST", "status": 200}).raise_for_status()
    answer = Caller(luxsci.http).authenticate()
    assert answer.status_code == 200
    assert answer.json()["success"] == 1 and answer.json()["auth"]


def test_liana_rows_are_renamed_in_the_result(liana: LianaCaller, control: httpx.Client) -> None:
    liana.call("createSite", "join.example.com")
    deviate(control, {"path": "/sites", "rename": {"domain": "host"}}).raise_for_status()
    assert [sorted(site) for site in liana.call("sites")] == [
        sorted(["host", "language", "welcome", "ssl", "consents", "properties", "lists"])
    ]


def test_every_answer_tells_the_sandbox_clock_in_its_date(
    luxsci: Caller, clock: SandboxClock
) -> None:
    clock.set_offset(150)
    answer = luxsci.get(f"{luxsci.acct}/domains")
    told = parsedate_to_datetime(answer.headers["date"]).timestamp()
    assert abs(told - clock.now()) < 2
    assert answer.headers.get_list("date") == [answer.headers["date"]]


def test_bad_deviations_are_refused_and_reset_clears_them(control: httpx.Client) -> None:
    for bad in (
        {"path": "aliases", "status": 404},
        {"path": "/aliases"},
        {"path": "/aliases", "status": 99},
        {"path": "/aliases", "rename": {"dest": 3}},
        {"path": "/aliases", "colour": "red", "status": 404},
    ):
        refused = deviate(control, bad)
        assert refused.status_code == 400 and "error" in refused.json(), bad
    assert deviate(control, {"path": "/aliases", "status": 404}).json()["deviations"][0] == {
        "path": "/aliases",
        "method": None,
        "rename": {},
        "status": 404,
    }
    control.post("/reset").raise_for_status()
    assert control.get("/deviations").json() == {"deviations": []}
