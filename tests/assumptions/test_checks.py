"""The checks, on answers made up here: what each finds in what a server sent."""

from __future__ import annotations

from email.utils import formatdate
from typing import Any

from mailform.assumptions.base import (
    Clock,
    Exchange,
    Observed,
    Status,
    check_no_rate_limit_headers,
    check_retry_after,
    check_rows,
    shown,
)
from mailform.services.luxsci.objects.alias import ALIASES

NOW = 1_700_000_000.0


def answer(body: Any, *, status: int = 200, **headers: str) -> Exchange:
    return Exchange("GET", "/x", "", status, headers, body, True, NOW)


def test_the_clock_agrees_within_the_margin_and_not_beyond() -> None:
    clock = Clock(margin=60, tolerance=300)
    observed = Observed("luxsci", [answer({}, date=formatdate(NOW + 20, usegmt=True))])
    assert clock.check(observed).status is Status.CONFIRMED
    observed = Observed("luxsci", [answer({}, date=formatdate(NOW - 200, usegmt=True))])
    finding = clock.check(observed)
    assert finding.status is Status.CONTRADICTED
    assert "200 s behind" in finding.seen
    assert clock.check(Observed("luxsci", [answer({})])).status is Status.NOT_SEEN


def test_rows_lacking_a_field_contradict_and_unread_fields_are_harmless() -> None:
    rows = [{"alias": "a@example.com", "destinations": ["b@example.com"], "action": "email"}]
    objects = [ALIASES.live(None, None, row) for row in rows]
    finding = check_rows(ALIASES, rows, objects, ("alias", "dest", "action"))
    assert finding.status is Status.CONTRADICTED
    assert "`dest` missing from 1 of 1 row" in finding.seen
    assert "`destinations`" in finding.seen
    assert "a@example.com" not in finding.seen  # values only through `values`

    rows = [{"alias": "a@example.com", "dest": ["b@example.com"], "alias_id": 3}]
    objects = [ALIASES.live(None, None, row) for row in rows]
    finding = check_rows(ALIASES, rows, objects, ("alias", "dest"))
    assert finding.status is Status.CONFIRMED
    assert "harmless): `alias_id`" in finding.seen


def test_a_value_the_model_cannot_read_contradicts() -> None:
    rows = [{"alias": "a@example.com", "dest": "not a list of addresses", "status": "on"}]
    objects = [ALIASES.live(None, None, row) for row in rows]
    finding = check_rows(ALIASES, rows, objects, ("alias", "dest", "status"))
    assert finding.status is Status.CONTRADICTED
    assert "`status` not a value mailform reads" in finding.seen


def test_no_rows_is_nothing_seen() -> None:
    assert check_rows(ALIASES, [], [], ("alias",)).status is Status.NOT_SEEN


def test_rate_limit_headers_and_retry_after() -> None:
    quiet = Observed("luxsci", [answer({})])
    assert check_no_rate_limit_headers(quiet).status is Status.CONFIRMED
    announced = Observed("luxsci", [answer({}, **{"x-ratelimit-limit": "120"})])
    finding = check_no_rate_limit_headers(announced)
    assert finding.status is Status.CONTRADICTED and "`x-ratelimit-limit`" in finding.seen
    assert check_retry_after(quiet).status is Status.NOT_CHECKABLE
    limited = Observed("luxsci", [answer({}, status=429, **{"retry-after": "3"})])
    assert check_retry_after(limited).status is Status.CONFIRMED
    limited = Observed("luxsci", [answer({}, status=429)])
    assert check_retry_after(limited).status is Status.CONTRADICTED


def test_secret_looking_values_are_masked_even_when_shown() -> None:
    assert shown("auth", "12-34-abc") == "***"
    assert shown("password", "x") == "***"
    assert shown("dest", ["a@example.com"]) == ["a@example.com"]
    assert shown("first row", {"name": "Ann", "settings": {"api_key": "k"}}) == {
        "name": "Ann",
        "settings": {"api_key": "***"},
    }


def test_a_refused_value_is_never_quoted_in_what_was_seen() -> None:
    rows = [{"alias": "a@example.com", "dest": ["not-an-address"], "status": "enabled"}]
    objects = [ALIASES.live(None, None, row) for row in rows]
    finding = check_rows(ALIASES, rows, objects, ("alias", "dest", "status"))
    assert finding.status is Status.CONTRADICTED
    assert "`dest` not a value mailform reads" in finding.seen
    assert "not-an-address" not in finding.seen
    assert ("luxsci.aliases[a@example.com] dest", ["not-an-address"]) in finding.values
