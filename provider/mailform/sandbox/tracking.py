"""Change tracking for the sandbox state: JSON containers that say which row a change touches.

The state is a tree three levels deep, and the third level is what the store keeps as rows::

    document   {section: ...}                              "luxsci", "lianamailer", "dns"
    section    {entry: collection or plain value}          "users", "account_id", "next_id"
    collection {key: row}                                  "ann@example.com": {...}

A mapping at the first two levels is *structure*; anything below, and any value that is not a
mapping (``"integrations": [...]`` is one value), is a *row*, addressed by its path
(``("luxsci", "users", "ann@example.com")``, ``("luxsci", "integrations")``). Every container
in the tree is a :class:`TrackedDict` or :class:`TrackedList`: plain ``dict`` and ``list``
for every reader (``json``, comparisons, ``isinstance``), whose changing methods first tell
the :class:`Journal` the path of the row they are about to change. The journal keeps, for
each row a transaction touches, its JSON text from before the first touch: that is what a
rollback puts back, and what a commit compares with to write only the rows that changed.
So the sandbox's model code stays plain Python over mappings, reads (scans included) cost
nothing extra, and a change costs the rows it changes.

A rule that needs "the rows whose field is X" (the aliases of a domain, the templates of a
user) asks :func:`where` instead of scanning the collection: on the state tree it answers from
an index kept per collection and field, built on first use and brought up to date with the
rows each transaction touched, so it costs the rows found, not the size of the account.

Assigning a value into the tree stores a tracked *copy* of it, as writing to a database would:
change the state through the tree (``data["users"][login]["name"] = ...``), not through the
dict that was assigned. Values must be JSON (mappings with string keys, lists, str, int,
float, bool, None); anything else is refused when it is assigned, so a state kept in memory
behaves exactly like one kept in a file.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, SupportsIndex

#: How deep a row is: document → section → collection → row.
ROW_DEPTH = 3

#: Where a row (or a subtree) is: ("luxsci",), ("luxsci", "users"), ("luxsci", "users", login).
RowPath = tuple[str, ...]

_SCALARS = (str, int, float, bool, type(None))
_SCALAR_TYPES = frozenset(_SCALARS)


class NotInTransaction(RuntimeError):
    """The state was changed outside ``StateStore.change()`` (or from another thread)."""


def encode(value: Any) -> str:
    """The compact JSON text the store keeps for a row."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Journal:
    """The rows the current transaction touched, each with its JSON text from before.

    One journal serves one tree (:attr:`root`). ``begin`` and ``end`` bracket a transaction
    (they nest: an inner block joins the outer one); :meth:`touch` is called by the tracked
    containers before every change, and refuses changes made outside a transaction or from
    a thread other than the one that opened it.
    """

    def __init__(self) -> None:
        self.root: TrackedDict = track({}, self, (), structure=True)
        self.depth = 0
        self._thread: int | None = None
        #: Path → JSON text before the first touch (None: the row did not exist). Only the
        #: highest touched path of a subtree is kept: it covers everything below it.
        self._before: dict[RowPath, str | None] = {}
        #: What the transaction touched, for the indexes: row keys by collection path, and
        #: the sections and entries it replaced whole.
        self._touched_rows: dict[RowPath, set[str]] = {}
        self._replaced: set[RowPath] = set()
        #: Collection path → field → index, right for every row no open transaction touched.
        self._indexes: dict[RowPath, dict[str, _Index]] = {}

    def attach(self, document: Mapping[str, Any]) -> TrackedDict:
        """Make ``document`` (plain JSON values) the tracked tree; return its root."""
        self.root = track(document, self, (), structure=True, decoded=True)
        self._indexes.clear()
        return self.root

    def begin(self) -> None:
        """Open a transaction, or join the one this thread has open."""
        self.depth += 1
        self._thread = threading.get_ident()

    def end(self) -> None:
        """Leave the transaction; the outermost ``end`` brings the indexes up to date with
        the rows it touched (committed or rolled back) and forgets them."""
        self.depth -= 1
        if self.depth > 0:
            return
        self._thread = None
        self._before.clear()
        for replaced in self._replaced:
            for path in [path for path in self._indexes if path[: len(replaced)] == replaced]:
                del self._indexes[path]
        for path, keys in self._touched_rows.items():
            indexes = self._indexes.get(path)
            collection = self.lookup(path)
            if indexes and not isinstance(collection, dict):
                del self._indexes[path]
            elif indexes:
                for key in keys:
                    row = collection.get(key, MISSING)
                    for index in indexes.values():
                        index.sync(key, row)
        self._touched_rows.clear()
        self._replaced.clear()

    def touch(self, path: RowPath) -> None:
        """Note that the row at ``path`` is about to change (keeping its text from before)."""
        if self.depth == 0 or self._thread != threading.get_ident():
            raise NotInTransaction(
                "the sandbox state was changed outside StateStore.change(): "
                f"{'/'.join(path) or 'the document'}"
            )
        before = self._before
        if path in before:
            return
        for length in range(1, len(path)):
            if path[:length] in before:
                return
        found = self.lookup(path)
        before[path] = None if found is MISSING else encode(found)
        if len(path) == ROW_DEPTH:
            self._touched_rows.setdefault(path[:-1], set()).add(path[-1])
        else:
            self._replaced.add(path)

    def where(self, path: RowPath, field: str, value: Any) -> dict[str, Any]:
        """The rows of the collection at ``path`` whose ``field`` equals ``value``, by key
        (see :func:`where`)."""
        collection = self.lookup(path)
        if not isinstance(collection, dict):
            return {}
        if path in self._replaced or path[:1] in self._replaced:
            return _scan(collection, field, value)
        indexes = self._indexes.setdefault(path, {})
        index = indexes.get(field)
        if index is None:
            index = indexes[field] = _Index(field, collection)
        keys = set(index.keys_by_value.get(value, ()))
        for key in self._touched_rows.get(path, ()):
            if _field(collection.get(key), field) == value:
                keys.add(key)
            else:
                keys.discard(key)
        return {key: collection[key] for key in keys}

    def lookup(self, path: RowPath) -> Any:
        """The value at ``path``, or ``MISSING``."""
        node: Any = self.root
        for part in path:
            if not isinstance(node, dict) or part not in node:
                return MISSING
            node = node[part]
        return node

    def changes(self) -> Iterator[tuple[RowPath, Any]]:
        """The touched subtrees whose JSON differs from before, with their value now
        (``MISSING``: removed). A path is left out when a touched ancestor covers it."""
        before = self._before
        for path, text in before.items():
            if any(path[:length] in before for length in range(1, len(path))):
                continue
            now = self.lookup(path)
            if now is MISSING:
                if text is not None:
                    yield path, MISSING
            elif text is None or encode(now) != text:
                yield path, now

    def rollback(self) -> None:
        """Put every touched row back as it was when the transaction began, and forget them.

        Rows are restored newest touch first, so a subtree replaced after one of its rows
        was touched comes back whole before that row is put back.
        """
        for path, text in reversed(list(self._before.items())):
            parent = self.lookup(path[:-1])
            if not isinstance(parent, TrackedDict):  # pragma: no cover - restored ancestors first
                continue
            key = path[-1]
            if text is None:
                dict.pop(parent, key, None)
            else:
                structure = parent._structure and len(path) < ROW_DEPTH
                value = json.loads(text)
                tracked = track(value, self, path, structure=structure, decoded=True)
                dict.__setitem__(parent, key, tracked)
        self._before.clear()


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


def where(collection: Mapping[str, Any], field: str, value: Any) -> dict[str, Any]:
    """The rows of ``collection`` whose ``field`` equals ``value`` (a JSON scalar), by key.

    On a collection of the state tree this answers from an index (built on first use, kept
    up to date as rows change), so it costs the rows found, not the collection: use it for
    the rules a write checks. On any other mapping it scans.
    """
    if (
        isinstance(collection, TrackedDict)
        and collection._structure
        and len(collection._path) == ROW_DEPTH - 1
    ):
        return collection._journal.where(collection._path, field, value)
    return _scan(collection, field, value)


def _scan(collection: Mapping[str, Any], field: str, value: Any) -> dict[str, Any]:
    return {key: row for key, row in collection.items() if _field(row, field) == value}


def _field(row: Any, field: str) -> Any:
    """The row's ``field`` when it is a scalar (what an index can hold), else ``MISSING``."""
    if isinstance(row, dict):
        value = row.get(field, MISSING)
        if isinstance(value, _SCALARS):
            return value
    return MISSING


class _Index:
    """The keys of one collection's rows by the value of one field."""

    __slots__ = ("field", "keys_by_value", "value_of_key")

    def __init__(self, field: str, collection: Mapping[str, Any]) -> None:
        self.field = field
        self.keys_by_value: dict[Any, set[str]] = {}
        self.value_of_key: dict[str, Any] = {}
        for key, row in collection.items():
            self.sync(key, row)

    def sync(self, key: str, row: Any) -> None:
        """File ``key`` under the field's value in ``row`` now (``MISSING``: removed)."""
        old = self.value_of_key.pop(key, MISSING)
        if old is not MISSING:
            keys = self.keys_by_value[old]
            keys.discard(key)
            if not keys:
                del self.keys_by_value[old]
        value = _field(row, self.field)
        if value is not MISSING:
            self.value_of_key[key] = value
            self.keys_by_value.setdefault(value, set()).add(key)


#: Stands for "no value at this path" (a row that does not exist, or was removed).
MISSING: Any = _Missing()


def track(
    value: Any, journal: Journal, path: RowPath, *, structure: bool, decoded: bool = False
) -> Any:
    """A tracked copy of the JSON ``value`` placed at ``path``: structure (a mapping above the
    row level) or part of the row at ``path``. Raises TypeError for values JSON cannot hold,
    unless ``decoded`` says the value comes straight from ``json.loads`` (loading a state
    file of many rows: no checks needed)."""
    if type(value) in _SCALAR_TYPES:
        return value
    if isinstance(value, Mapping):
        tracked = TrackedDict(value)  # copied in C; nested containers replaced below
        tracked._journal, tracked._path, tracked._structure = journal, path, structure
        for key, item in tracked.items():
            if not decoded and type(key) is not str:
                raise TypeError(f"state keys must be strings, not {key!r} at {path}")
            if type(item) in _SCALAR_TYPES:
                continue
            child = (*path, key) if structure else path
            nested = structure and len(child) < ROW_DEPTH and isinstance(item, Mapping)
            dict.__setitem__(
                tracked, key, track(item, journal, child, structure=nested, decoded=decoded)
            )
        return tracked
    if isinstance(value, list | tuple):
        items = TrackedList(value)
        items._journal, items._path = journal, path
        for index, item in enumerate(items):
            if type(item) not in _SCALAR_TYPES:
                tracked_item = track(item, journal, path, structure=False, decoded=decoded)
                list.__setitem__(items, index, tracked_item)
        return items
    if isinstance(value, _SCALARS):  # a subclass of str or int
        return value
    raise TypeError(f"the sandbox state holds JSON values only, not {type(value).__name__}")


class TrackedDict(dict[str, Any]):
    """A ``dict`` of the state tree that reports its changes to the journal first."""

    __slots__ = ("_journal", "_path", "_structure")

    _journal: Journal
    _path: RowPath
    _structure: bool

    def _child(self, key: str) -> tuple[RowPath, bool]:
        """The row path a change of ``key`` touches, and whether its value is structure."""
        if self._structure:
            if not isinstance(key, str):
                raise TypeError(f"state keys must be strings, not {key!r} at {self._path}")
            path = (*self._path, key)
            return path, len(path) < ROW_DEPTH
        return self._path, False

    def _set(self, key: str, value: Any) -> None:
        path, structure = self._child(key)
        self._journal.touch(path)
        nested = structure and isinstance(value, Mapping)
        dict.__setitem__(self, key, track(value, self._journal, path, structure=nested))

    def __setitem__(self, key: str, value: Any) -> None:
        self._set(key, value)

    def __delitem__(self, key: str) -> None:
        if key in self:
            self._journal.touch(self._child(key)[0])
        dict.__delitem__(self, key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self._set(key, value)

    def __ior__(self, other: Any) -> TrackedDict:  # type: ignore[override,misc]
        self.update(other)
        return self

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self._set(key, default)
        return self[key]

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self._journal.touch(self._child(key)[0])
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[str, Any]:
        if self:
            self._journal.touch(self._child(next(reversed(self)))[0])
        return dict.popitem(self)

    def clear(self) -> None:
        for key in list(self):
            del self[key]

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        return json.loads(encode(self))

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return dict, (dict(self),)


class TrackedList(list[Any]):
    """A ``list`` of the state tree (always part of one row) that reports its changes first."""

    __slots__ = ("_journal", "_path")

    _journal: Journal
    _path: RowPath

    def _touch(self) -> None:
        self._journal.touch(self._path)

    def _tracked(self, value: Any) -> Any:
        return track(value, self._journal, self._path, structure=False)

    def __setitem__(self, index: Any, value: Any) -> None:
        self._touch()
        if isinstance(index, slice):
            list.__setitem__(self, index, [self._tracked(item) for item in value])
        else:
            list.__setitem__(self, index, self._tracked(value))

    def __delitem__(self, index: SupportsIndex | slice) -> None:
        self._touch()
        list.__delitem__(self, index)

    def __iadd__(self, values: Iterable[Any]) -> TrackedList:  # type: ignore[misc]
        self.extend(values)
        return self

    def __imul__(self, times: SupportsIndex) -> TrackedList:
        self._touch()
        list.__imul__(self, times)
        return self

    def append(self, value: Any) -> None:
        self._touch()
        list.append(self, self._tracked(value))

    def extend(self, values: Iterable[Any]) -> None:
        self._touch()
        list.extend(self, [self._tracked(item) for item in values])

    def insert(self, index: SupportsIndex, value: Any) -> None:
        self._touch()
        list.insert(self, index, self._tracked(value))

    def remove(self, value: Any) -> None:
        self._touch()
        list.remove(self, value)

    def pop(self, index: SupportsIndex = -1) -> Any:
        self._touch()
        return list.pop(self, index)

    def clear(self) -> None:
        self._touch()
        list.clear(self)

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._touch()
        list.sort(self, *args, **kwargs)

    def reverse(self) -> None:
        self._touch()
        list.reverse(self)

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        return json.loads(encode(self))

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return list, (list(self),)
