"""The sandbox's state: one JSON document in memory, saved atomically after every change.

The document is a mapping with one section per simulated service (``{"version": 1, "luxsci":
{...}}``). With a path, it is loaded when the store is created and written after each change,
so that a sandbox started again with the same ``--state`` file sees the same account: that is
what lets ``apply`` then ``plan`` converge across runs. Without a path the state lives only in
memory, which is what most tests want.

A write goes to a temporary file in the same directory, is flushed and fsynced, and then
replaces the old file with :func:`os.replace`, so a crash leaves either the old or the new
state on disk, never half of one. A change that raises is rolled back to the last saved state,
so a request refused half-way never leaves a partial change behind.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1

Document = dict[str, Any]


class StateFileError(Exception):
    """The state file exists but cannot be read as a sandbox state."""


class StateStore:
    """Thread-safe holder of the sandbox document, optionally persisted to ``path``.

    Use :meth:`read` for a consistent view and :meth:`change` for a transaction: both hold the
    store's lock for the duration of the ``with`` block, so a request sees and changes the state
    atomically with respect to every other request.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.log = logging.getLogger(f"{__name__}.StateStore")
        self.path = Path(path) if path is not None else None
        self._lock = threading.RLock()
        self._document: Document = self._load()
        self._saved_text = self._serialize(self._document)

    def _load(self) -> Document:
        if self.path is None or not self.path.exists():
            return {"version": FORMAT_VERSION}
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise StateFileError(f"{self.path}: cannot read sandbox state: {error}") from error
        if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
            raise StateFileError(
                f"{self.path}: not a sandbox state file (expected a JSON object with "
                f'"version": {FORMAT_VERSION})'
            )
        self.log.info("_load: loaded state from %s", self.path)
        return document

    @staticmethod
    def _serialize(document: Document) -> str:
        # Compact: this runs on every change (to detect it and to keep a rollback copy), and
        # an indented, sorted dump costs several times more on a 5,000-object account.
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False)

    @contextmanager
    def read(self) -> Iterator[Document]:
        """Hold the lock and yield the live document; the caller must not change it."""
        with self._lock:
            yield self._document

    @contextmanager
    def change(self) -> Iterator[Document]:
        """Hold the lock and yield the live document for changing.

        When the block ends normally the document is saved (if it changed); when it raises,
        the document goes back to the last saved state and the exception propagates.
        """
        with self._lock:
            try:
                yield self._document
            except BaseException:
                self._document = json.loads(self._saved_text)
                raise
            text = self._serialize(self._document)
            if text != self._saved_text:
                self._write(text)
                self._saved_text = text

    def snapshot(self) -> Document:
        """Return a deep copy of the document, safe to keep and to change."""
        with self._lock:
            document: Document = json.loads(self._saved_text)
            return document

    def _write(self, text: str) -> None:
        if self.path is None:
            return
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._fsync_directory(directory)

    @staticmethod
    def _fsync_directory(directory: Path) -> None:
        # Makes the rename itself durable; not every platform can open a directory.
        try:
            descriptor = os.open(directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(descriptor)
        except OSError:
            pass
        finally:
            os.close(descriptor)
