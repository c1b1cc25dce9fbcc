"""The session's copies of the API's lists, as writes amend them (``mailform.engine.rows``):
never changed in place, rows kept in the API's order, and each write finding its row
without a scan."""

from __future__ import annotations

from typing import Any

from mailform.engine.rows import Rows, with_row, with_row_replaced


def key(row: dict[str, Any]) -> Any:
    return row["id"]


def listed(count: int) -> list[dict[str, Any]]:
    return [{"id": n, "name": f"n{n}"} for n in range(count)]


def test_a_replacement_keeps_the_order_and_leaves_the_old_list_alone() -> None:
    rows = listed(5)
    replaced = with_row_replaced(rows, key, 2, {"id": 2, "name": "two"})
    assert replaced is not None
    assert [r["name"] for r in replaced] == ["n0", "n1", "two", "n3", "n4"]
    assert rows[2]["name"] == "n2"  # a reader of the old list sees it as it was


def test_a_removal_and_an_append_and_their_lookups_after() -> None:
    rows = with_row(listed(4), {"id": 9, "name": "new"}, key)
    gone = with_row_replaced(rows, key, 1, None)
    assert gone is not None and [r["id"] for r in gone] == [0, 2, 3, 9]
    again = with_row_replaced(gone, key, 9, {"id": 9, "name": "nine"})
    assert again is not None and again[-1] == {"id": 9, "name": "nine"}
    assert [r["id"] for r in rows] == [0, 1, 2, 3, 9]


def test_a_row_that_is_not_there_says_so() -> None:
    assert with_row_replaced(listed(3), key, 7, {"id": 7}) is None
    assert with_row_replaced(listed(3), key, 7, None) is None


def test_places_are_found_once_for_a_run_of_replacements() -> None:
    calls = 0

    def counted(row: dict[str, Any]) -> Any:
        nonlocal calls
        calls += 1
        return row["id"]

    rows: list[dict[str, Any]] | None = listed(1000)
    for n in range(200):
        assert rows is not None
        rows = with_row_replaced(rows, counted, n, {"id": n, "name": "changed"})
    assert isinstance(rows, Rows)
    assert calls < 1000 + 2 * 200  # one pass, then a check per write: not 200 scans
    assert sum(1 for r in rows if r["name"] == "changed") == 200


def test_a_stale_place_is_checked_and_found_again() -> None:
    rows = Rows(listed(3), places={1: 0})  # wrong: the row at 0 is not id 1
    assert rows.place_of(key, 1) == 1
