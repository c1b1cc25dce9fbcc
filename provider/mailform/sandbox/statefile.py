"""The sandbox's state file: an SQLite database of rows, written one transaction per change.

The file holds the state tree of :mod:`mailform.sandbox.tracking` in three tables, one per
level, so that a change writes only the rows it changed::

    sections(name, value)                      value NULL: the section maps entries
    entries(section, name, value)              value NULL: the entry is a collection of rows
    rows(section, collection, key, value)      one row: its JSON text

Values are compact JSON text, so the file can be read with any SQLite tool, e.g.
``sqlite3 .mailform/sandbox.sqlite3 "select key, value from rows where collection = 'users'"``
(``mailform sandbox dump`` prints all of it as YAML or JSON). The file says what it is in its
header: ``application_id`` :data:`APPLICATION_ID` and ``user_version`` :data:`FORMAT_VERSION`.

Durability: the journal is a write-ahead log (WAL) and ``synchronous`` is NORMAL. A change is
in the log before the API call that made it answers, so killing the sandbox (a crash, kill -9,
a closed terminal) loses no answered call; the database stays consistent whatever happens.
What NORMAL gives up, against FULL, is the fsync of every commit: after a power cut or an
operating-system crash the last calls before it may be missing. For a local simulator that
is the right trade: on the machine ``benchmarks/sandbox.py`` was first run on, a commit took
0.03 ms with NORMAL and 1.5 ms with FULL, more than twice the sandbox's whole CPU per write.

A state file written by an earlier mailform is converted in place the first time it is
opened, with the same content:

- format 2 (this layout, but LianaMailer's properties, lists and consent types each held as
  one JSON list, so that a change of one object rewrote them all): each such list becomes a
  collection of one row per object, keyed by its id (see
  :mod:`mailform.sandbox.lianamailer.model`), in one transaction that also sets the version;
- format 1 (one JSON document): its content, with those lists keyed the same way, goes into
  a new database beside it, which then replaces it (the JSON is left as it was if that fails
  half-way).

Any other file is refused with a :class:`StateFileError` saying what was found.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mailform.sandbox.lianamailer.model import ID_FIELDS, SECTION, stored_section
from mailform.sandbox.tracking import MISSING, ROW_DEPTH, RowPath, encode

#: Says "a mailform sandbox state" in the database header ("mfsb").
APPLICATION_ID = 0x6D667362
#: The layout above, with each LianaMailer object a row.
FORMAT_VERSION = 3
#: The layout above, with LianaMailer's objects a JSON list per type.
LIST_ROWS_VERSION = 2
#: A single JSON document.
LEGACY_JSON_VERSION = 1

_SQLITE_HEADER = b"SQLite format 3\x00"
_SCHEMA = """
CREATE TABLE sections (name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE entries (
    section TEXT NOT NULL, name TEXT NOT NULL, value TEXT, PRIMARY KEY (section, name)
) WITHOUT ROWID;
CREATE TABLE rows (
    section TEXT NOT NULL, collection TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (section, collection, key)
) WITHOUT ROWID;
"""

log = logging.getLogger(__name__)


class StateFileError(Exception):
    """The state file exists but cannot be read as a sandbox state."""


class StateFile:
    """An open state file: :meth:`load` the whole tree, :meth:`write` the changed subtrees in
    one transaction, :meth:`close` when done (which also folds the log back into the file).

    Not thread-safe by itself: the store calls it under its lock.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        kind = _kind(self.path)
        if kind == "json":
            _convert_json(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            self._prepare()
        except BaseException:
            self._db.close()
            raise

    def _prepare(self) -> None:
        db = self._db
        # Before anything that takes the write lock: another process may hold it a moment.
        db.execute("PRAGMA busy_timeout=5000")
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if application_id == 0 and tables == 0:
            _create(db)
            log.info("StateFile: created %s", self.path)
        elif application_id != APPLICATION_ID:
            raise StateFileError(
                f"{self.path}: not a sandbox state file (an SQLite database of another application)"
            )
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (FORMAT_VERSION, LIST_ROWS_VERSION):
            raise StateFileError(
                f"{self.path}: sandbox state format {version}, but this mailform reads "
                f"format {FORMAT_VERSION}: use the mailform that wrote it"
            )
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # The state holds secrets: one replaced or deleted is overwritten with zeros, not
        # left in the file's free space for anyone who reads its bytes (the pages a change
        # touches are written anyway; the CPU per write did not measurably change).
        db.execute("PRAGMA secure_delete=ON")
        if version == LIST_ROWS_VERSION:
            self._convert_list_rows()

    def _convert_list_rows(self) -> None:
        """Make each LianaMailer object of a format-2 file its own row, in one transaction
        (converting again what another process has converted meanwhile changes nothing)."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            held = {
                name: json.loads(value)
                for name, value in db.execute(
                    "SELECT name, value FROM entries WHERE section = ? AND value IS NOT NULL",
                    (SECTION,),
                )
                if name in ID_FIELDS
            }
            for name, value in stored_section(held).items():
                _delete(db, (SECTION, name))
                _insert(db, (SECTION, name), value)
            db.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
            db.execute("COMMIT")
        except (KeyError, TypeError, ValueError) as error:
            db.execute("ROLLBACK")
            raise StateFileError(f"{self.path}: damaged sandbox state: {error!r}") from error
        except BaseException:
            db.execute("ROLLBACK")
            raise
        log.warning(
            "StateFile: converted %s from format 2 (LianaMailer objects as lists)", self.path
        )

    def load(self) -> dict[str, Any]:
        """The whole state tree, as plain JSON values."""
        document: dict[str, Any] = {}
        try:
            for name, value in self._db.execute("SELECT name, value FROM sections"):
                document[name] = {} if value is None else json.loads(value)
            for section, name, value in self._db.execute(
                "SELECT section, name, value FROM entries"
            ):
                document[section][name] = {} if value is None else json.loads(value)
            for section, collection, key, value in self._db.execute(
                "SELECT section, collection, key, value FROM rows"
            ):
                document[section][collection][key] = json.loads(value)
        except (KeyError, TypeError, ValueError, sqlite3.DatabaseError) as error:
            raise StateFileError(f"{self.path}: damaged sandbox state: {error!r}") from error
        return document

    def write(self, changes: Iterable[tuple[RowPath, Any]]) -> None:
        """Replace each subtree at a path with its new value (``MISSING``: remove it), all in
        one transaction."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for path, value in changes:
                if len(path) == ROW_DEPTH:
                    if value is MISSING:
                        db.execute(
                            "DELETE FROM rows WHERE section = ? AND collection = ? AND key = ?",
                            path,
                        )
                    else:
                        db.execute(
                            "INSERT OR REPLACE INTO rows VALUES (?, ?, ?, ?)",
                            (*path, encode(value)),
                        )
                    continue
                _delete(db, path)
                if value is not MISSING:
                    _insert(db, path, value)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the database (the write-ahead log is checkpointed and removed)."""
        self._db.close()


def _kind(path: Path) -> str:
    """``"new"`` (no file, or an empty one), ``"sqlite"`` or ``"json"``; anything else is an
    error."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return "new"
    except OSError as error:
        raise StateFileError(f"{path}: cannot read sandbox state: {error}") from error
    if not head:
        return "new"
    if head == _SQLITE_HEADER:
        return "sqlite"
    if head.lstrip()[:1] in (b"{", b"["):
        return "json"
    raise StateFileError(f"{path}: not a sandbox state file (neither SQLite nor JSON)")


def _create(db: sqlite3.Connection) -> None:
    db.execute("BEGIN IMMEDIATE")
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
    db.execute("COMMIT")


def _delete(db: sqlite3.Connection, path: RowPath) -> None:
    """Remove the subtree at a section or entry path."""
    if len(path) == 1:
        db.execute("DELETE FROM rows WHERE section = ?", path)
        db.execute("DELETE FROM entries WHERE section = ?", path)
        db.execute("DELETE FROM sections WHERE name = ?", path)
    else:
        db.execute("DELETE FROM rows WHERE section = ? AND collection = ?", path)
        db.execute("DELETE FROM entries WHERE section = ? AND name = ?", path)


def _insert(db: sqlite3.Connection, path: RowPath, value: Any) -> None:
    """Insert the subtree ``value`` at a section or entry path (none there yet)."""
    sections: list[tuple[str, str | None]] = []
    entries: list[tuple[str, str, str | None]] = []
    rows: list[tuple[str, str, str, str]] = []

    def entry(section: str, name: str, item: Any) -> None:
        if isinstance(item, dict):
            entries.append((section, name, None))
            rows.extend((section, name, key, encode(row)) for key, row in item.items())
        else:
            entries.append((section, name, encode(item)))

    if len(path) == 1:
        (name,) = path
        if isinstance(value, dict):
            sections.append((name, None))
            for entry_name, item in value.items():
                entry(name, entry_name, item)
        else:
            sections.append((name, encode(value)))
    else:
        entry(path[0], path[1], value)
    db.executemany("INSERT INTO sections VALUES (?, ?)", sections)
    db.executemany("INSERT INTO entries VALUES (?, ?, ?)", entries)
    db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?)", rows)


def _convert_json(path: Path) -> None:
    """Replace the format-1 JSON state at ``path`` with a database of the same content."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise StateFileError(f"{path}: cannot read sandbox state: {error}") from error
    if not isinstance(document, dict) or document.get("version") != LEGACY_JSON_VERSION:
        raise StateFileError(
            f"{path}: not a sandbox state file (expected an SQLite sandbox state, or a JSON "
            f'object with "version": {LEGACY_JSON_VERSION} from an earlier mailform)'
        )
    del document["version"]
    if isinstance(document.get(SECTION), dict):
        try:
            document[SECTION] = stored_section(document[SECTION])
        except (KeyError, TypeError) as error:
            raise StateFileError(f"{path}: damaged sandbox state: {error!r}") from error
    converting = path.with_name(f".{path.name}.converting")
    converting.unlink(missing_ok=True)
    try:
        db = sqlite3.connect(converting, isolation_level=None)
        try:
            _create(db)
            db.execute("PRAGMA synchronous=FULL")
            db.execute("BEGIN IMMEDIATE")
            for name, value in document.items():
                _insert(db, (name,), value)
            db.execute("COMMIT")
        finally:
            db.close()
        os.replace(converting, path)
    except BaseException:
        converting.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)
    log.warning("StateFile: converted %s from JSON (format 1) to SQLite", path)


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
