"""The session's list cache: one read per list and run, kept up to date by the run's own
writes (``amend``) rather than read again after each of them."""

from __future__ import annotations

from mailform.engine.session import Session


def test_a_write_amends_the_cached_list_instead_of_reading_it_again() -> None:
    session: Session[None] = Session(None)
    reads: list[int] = []

    def fetch() -> list[str]:
        reads.append(1)
        return ["a"]

    assert session.cached("k", fetch) == ["a"]
    session.amend("k", lambda rows: [*rows, "b"])
    assert session.cached("k", fetch) == ["a", "b"]
    assert len(reads) == 1


def test_an_amend_that_cannot_tell_drops_the_list() -> None:
    session: Session[None] = Session(None)
    session.cached("k", lambda: ["a"])
    session.amend("k", lambda rows: None)
    assert session.cached("k", lambda: ["fresh"]) == ["fresh"]


def test_an_amend_of_a_list_not_read_reads_nothing() -> None:
    session: Session[None] = Session(None)
    session.amend("k", lambda rows: [*rows, "b"])
    assert session.cached("k", lambda: ["fresh"]) == ["fresh"]


def test_forget_matching_drops_the_lists_a_rename_makes_stale() -> None:
    session: Session[None] = Session(None)
    for key in (("luxsci", "lists", "ann"), ("luxsci", "lists", "bob"), ("luxsci", "users")):
        session.cached(key, lambda: ["old"])
    session.forget_matching(lambda key: isinstance(key, tuple) and key[-1] == "ann")
    assert session.cached(("luxsci", "lists", "ann"), lambda: ["new"]) == ["new"]
    assert session.cached(("luxsci", "lists", "bob"), lambda: ["new"]) == ["old"]
    assert session.cached(("luxsci", "users"), lambda: ["new"]) == ["old"]


def test_a_list_read_while_it_was_amended_is_not_kept() -> None:
    session: Session[None] = Session(None)
    session.cached("k", lambda: ["a"])
    session.forget("k")

    def racing() -> list[str]:
        session.amend("k", lambda rows: [*rows, "b"])  # a create lands during the read
        return ["a"]

    assert session.cached("k", racing) == ["a"]
    assert session.cached("k", lambda: ["a", "b"]) == ["a", "b"]


def test_a_list_read_while_another_list_was_written_is_kept() -> None:
    """A deployment writes all the time, and its checks read other lists meanwhile: those
    reads are not thrown away (each would cost a call again)."""
    session: Session[None] = Session(None)

    def racing() -> list[str]:
        session.amend("other", lambda rows: [*rows, "b"])
        session.forget("another")
        session.forget_matching(lambda key: key == "third")
        return ["a"]

    assert session.cached("k", racing) == ["a"]
    assert session.cached("k", lambda: ["read again"]) == ["a"]


def test_a_list_read_while_a_matching_list_was_dropped_is_not_kept() -> None:
    session: Session[None] = Session(None)

    def racing() -> list[str]:
        session.forget_matching(lambda key: key == "k")
        return ["old"]

    assert session.cached("k", racing) == ["old"]
    assert session.cached("k", lambda: ["new"]) == ["new"]
