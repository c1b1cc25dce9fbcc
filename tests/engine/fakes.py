"""A small in-memory service for engine tests that need replacements and failures, which
no single LuxSci type shows together."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from pydantic import Field

from mailform.engine.objecttype import Declared, LiveObject, ObjectId, ObjectType, Reference
from mailform.errors import ServiceUnavailable


class Shelf(Declared):
    name: str
    colour: str | None = None


class Book(Declared):
    title: str
    shelf: str
    pages: int | None = None
    isbn: str | None = Field(default=None, description="immutable")


class Store:
    """The fake account: rows by type, plus names whose changes fail, and whether the
    service is down (every call refused as a client's circuit breaker refuses it)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, dict[str, Any]]] = {"shelves": {}, "books": {}}
        self.failing: set[str] = set()
        self.down = False
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def record(self, call: str, name: str) -> None:
        with self.lock:
            self.calls.append(f"{call} {name}")
        if self.down:
            raise ServiceUnavailable(
                "not sent: the service looks down",
                service="fake",
                operation=f"{call} {name}",
                failures=10,
                last_failure="ConnectError",
            )
        if name in self.failing:
            raise RuntimeError(f"{call} {name} refused")


class FakeType(ObjectType[Declared]):
    service = "fake"

    def read(self, session: Any, owners: frozenset[str]) -> list[LiveObject]:
        return [
            LiveObject(self.id_of(row), dict(row), name, dict(row))
            for name, row in session.client.rows[self.name].items()
        ]

    def create(self, session: Any, declared: Declared) -> LiveObject:
        fields = declared.model_dump(exclude={"protected"})
        name = self.key_of(fields)[0]
        session.client.record("create", name)
        session.client.rows[self.name][name] = fields
        return LiveObject(self.id_of(fields), fields, name)

    def update(
        self, session: Any, live: LiveObject, declared: Declared, changed: set[str]
    ) -> LiveObject:
        session.client.record("update", live.api_id)
        row = session.client.rows[self.name][live.api_id]
        row.update({name: getattr(declared, name) for name in changed})
        return live

    def delete(self, session: Any, live: LiveObject) -> None:
        session.client.record("delete", live.api_id)
        del session.client.rows[self.name][live.api_id]


class ShelfType(FakeType):
    name = "shelves"
    title = "Shelf"
    model = Shelf
    key_fields = ("name",)


class BookType(FakeType):
    name = "books"
    title = "Book"
    model = Book
    key_fields = ("title",)
    immutable = frozenset({"isbn"})

    def references(self, fields: Mapping[str, Any]) -> list[Reference]:
        return [Reference(ObjectId("fake", "shelves", (fields["shelf"],)), "shelf")]


FAKE_TYPES = (ShelfType(), BookType())
