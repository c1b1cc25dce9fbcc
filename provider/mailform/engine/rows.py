"""A session's cached list of an API's rows, as a run's writes amend it.

A write does not make the run read a list again: it amends the session's copy
(``Session.amend``), adding, replacing or removing one row. The copy is never changed in
place, since a reader (another worker, a Pulumi check) may be iterating it: the write makes
a new list. Copying a list is cheap; finding the row to replace was not. Scanning for it
made a run of W writes to a list of N rows cost N times W calls of Python (an apply of 250
updates to an account of 5,000 aliases spent most of its CPU there). So the list carries
the place of each row, by the row's API id, found once and kept by the lists that a
replacement or an append makes, since neither moves a row. A removal moves the rows after
it: the new list finds the places again when a later write asks.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

Row = dict[str, Any]
#: The API id of a row, as the writes of its type name it.
RowKey = Callable[[Row], Hashable]


class Rows(list[Row]):
    """Rows in the API's order, with the place of each row by API id (the first row of an
    id), found on first use. The places are a hint, checked before use: a place that does
    not hold the row asked for makes them be found again."""

    __slots__ = ("_places",)

    def __init__(self, rows: Iterable[Row] = (), places: dict[Hashable, int] | None = None) -> None:
        super().__init__(rows)
        self._places = places

    def place_of(self, key: RowKey, api_id: Hashable) -> int | None:
        """Where the row of ``api_id`` is, or None when no row has that id."""
        places = self._places
        if places is not None:
            place = places.get(api_id)
            if place is not None and place < len(self) and key(self[place]) == api_id:
                return place
        places = {}
        for place, row in enumerate(self):
            places.setdefault(key(row), place)
        self._places = places
        return places.get(api_id)


def with_row(rows: list[Row], row: Row, key: RowKey) -> Rows:
    """``rows`` and, after them, the row a create made."""
    places = rows._places if isinstance(rows, Rows) else None
    added = Rows(rows, places)
    added.append(row)
    if places is not None:
        # shared with ``rows``, where this place is past the end: checked, never trusted
        places.setdefault(key(row), len(added) - 1)
    return added


def with_row_replaced(
    rows: list[Row], key: RowKey, api_id: Hashable, row: Row | None
) -> Rows | None:
    """``rows`` with the row of ``api_id`` replaced by ``row`` in its place, or removed when
    ``row`` is None; None when no row has that id (the list was read under another path, a
    renamed owner's, and cannot be trusted: the caller drops it)."""
    indexed = rows if isinstance(rows, Rows) else Rows(rows)
    place = indexed.place_of(key, api_id)
    if place is None:
        return None
    if row is None:
        return Rows(indexed[:place] + indexed[place + 1 :])
    replaced = Rows(indexed, indexed._places)
    replaced[place] = row
    return replaced
