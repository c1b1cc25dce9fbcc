"""The sandbox's state: a tree of JSON rows in memory, each change committed as one transaction.

The state is a mapping with one section per simulated service (``{"luxsci": {...},
"lianamailer": {...}}``), each section a mapping of collections of rows (see
:mod:`mailform.sandbox.tracking`). Services read it under :meth:`StateStore.read` and change it
under :meth:`StateStore.change`; one API call is one ``change()`` block, which is one
transaction:

- when the block ends normally, the rows it changed are written (with a path: to the SQLite
  state file of :mod:`mailform.sandbox.statefile`, in one database transaction, before the
  call answers);
- when it raises, every row it touched is put back as it was, in memory (nothing was written
  yet), so a request refused half-way never leaves a partial change behind.

The work a change costs is the rows it touches: the tracked containers note which rows are
about to change, and only those are compared and written; the rest of the account is neither
copied nor serialised.

With a path the state is loaded when the store is created and survives restarts, which is
what lets ``apply`` then ``plan`` converge across runs; a call that has answered is in the
file even if the sandbox is killed right after. Without a path the state lives only in
memory, which is what most tests want.

Earlier versions of mailform kept the state as one JSON file (``.mailform/sandbox.json`` by
default). Such a file is not refused and not left behind: the first store to open it
converts it to SQLite in place, atomically, with the same content (see
:mod:`mailform.sandbox.statefile`); the CLI first moves one found at the old default place to
the new one, ``.mailform/sandbox.sqlite3``, so ``--sandbox`` keeps its account. Any other file
is refused with a :class:`StateFileError` that says what was found.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from mailform.sandbox.statefile import StateFile, StateFileError
from mailform.sandbox.tracking import Journal, NotInTransaction, encode

__all__ = ["Document", "NotInTransaction", "StateFileError", "StateStore"]

Document = dict[str, Any]


class StateStore:
    """Thread-safe holder of the sandbox state, optionally persisted to ``path``.

    Use :meth:`read` for a consistent view and :meth:`change` for a transaction: both hold the
    store's lock for the duration of the ``with`` block, so a request sees and changes the
    state atomically with respect to every other request. A ``change()`` inside another joins
    it (the outermost one commits); an exception leaving any of them rolls the whole
    transaction back. Changing the state outside ``change()`` raises
    :class:`~mailform.sandbox.tracking.NotInTransaction`.

    :meth:`close` (or ``with StateStore(path) as store:``) closes the state file.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.log = logging.getLogger(f"{__name__}.StateStore")
        self.path = Path(path) if path is not None else None
        self._lock = threading.RLock()
        self._file = StateFile(self.path) if self.path is not None else None
        self._closed = False
        self._journal = Journal()
        try:
            document = self._file.load() if self._file is not None else {}
            self._document = self._journal.attach(document)
        except BaseException:
            self.close()
            raise
        if self.path is not None:
            self.log.info("__init__: loaded state from %s", self.path)

    @contextmanager
    def read(self) -> Iterator[Document]:
        """Hold the lock and yield the live document; the caller must not change it."""
        with self._lock:
            yield self._document

    @contextmanager
    def change(self) -> Iterator[Document]:
        """Hold the lock and yield the live document for changing, as one transaction.

        When the outermost block ends normally the changed rows are committed; when any
        block raises, the touched rows go back to how they were when the transaction began
        and the exception propagates.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError(f"the sandbox state store ({self.path}) is closed")
            journal = self._journal
            journal.begin()
            try:
                yield self._document
                if journal.depth == 1 and self._file is not None:
                    self._file.write(journal.changes())
            except BaseException:
                journal.rollback()
                raise
            finally:
                journal.end()

    def snapshot(self) -> Document:
        """Return a deep copy of the document as plain JSON values, safe to keep and change."""
        with self._lock:
            document: Document = json.loads(encode(self._document))
            return document

    def close(self) -> None:
        """Close the state file (nothing to do without one). The store must not be used
        after."""
        with self._lock:
            self._closed = True
            if self._file is not None:
                self._file.close()
                self._file = None

    def __enter__(self) -> StateStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
