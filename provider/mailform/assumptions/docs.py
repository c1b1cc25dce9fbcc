"""The tables of ``docs/api-assumptions.md``, generated from the registry.

The page keeps its prose; each table sits between two marker comments naming the part of
the registry it shows (``<!-- assumptions: luxsci.transport -->`` … ``<!-- /assumptions
-->``), and this module writes what goes between them, so that the page, the code and
``mailform doctor`` cannot drift apart (a test checks that the page is what this module
makes of it)::

    .venv/bin/python -m mailform.assumptions.docs                          # print the tables
    .venv/bin/python -m mailform.assumptions.docs docs/api-assumptions.md  # rewrite the page

Every registered assumption must appear in exactly one table: a section without a marker,
or a marker naming no section, is an error.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from mailform.assumptions import all_assumptions
from mailform.assumptions.base import Assumption

START = re.compile(r"<!-- assumptions: (?P<section>[a-z0-9_.]+) -->\n")
END = "<!-- /assumptions -->\n"

#: The columns of a type's table, by service: what its call and its answer are called.
CALL_COLUMNS = {
    "luxsci": ("method, path", "body / answer"),
    "lianamailer": ("call and positional args", "result"),
}


def cell(text: str) -> str:
    """Text for a table cell: a bar, even in a code span, would end the cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def doctor_column(assumption: Assumption) -> str:
    """How ``mailform doctor`` treats the row: checks it, checks it when the examination
    happens to see it, or it is checked by hand."""
    if not assumption.checkable:
        return "by hand"
    return "checks when seen, else by hand" if assumption.manual else "checks"


def table(assumptions: Sequence[Assumption]) -> str:
    """One generated table (every assumption of one section of one service)."""
    first = assumptions[0]
    if first.section == "transport":
        lines = ["| id | topic | assumption | tag | doctor |", "|---|---|---|---|---|"]
        lines += [
            f"| `{a.id}` | {cell(a.topic)} | {cell(a.statement)} | {cell(a.evidence)} | "
            f"{doctor_column(a)} |"
            for a in assumptions
        ]
    else:
        call, answer = CALL_COLUMNS[first.service]
        lines = [f"| id | op | {call} | {answer} | tag | doctor |", "|---|---|---|---|---|---|"]
        lines += [
            f"| `{a.id}` | {cell(a.topic)} | {cell(a.call)} | {cell(a.statement)} | "
            f"{cell(a.evidence)} | {doctor_column(a)} |"
            for a in assumptions
        ]
    return "\n".join(lines) + "\n"


def sections(assumptions: Iterable[Assumption]) -> dict[str, list[Assumption]]:
    """The assumptions by ``service.section``, in registry order."""
    found: dict[str, list[Assumption]] = {}
    for assumption in assumptions:
        found.setdefault(f"{assumption.service}.{assumption.section}", []).append(assumption)
    return found


def with_tables(page: str, assumptions: Iterable[Assumption] | None = None) -> str:
    """``page`` with every marked table replaced by the one the registry makes. Raises
    ``ValueError`` for a marker that names no section, a section shown twice or not at all,
    or a marker without its end."""
    wanted = sections(all_assumptions() if assumptions is None else assumptions)
    shown: list[str] = []
    parts: list[str] = []
    position = 0
    for match in START.finditer(page):
        if match.start() < position:
            continue
        name = match.group("section")
        if name not in wanted:
            raise ValueError(f"the page marks a table {name!r}, and the registry has none")
        end = page.find(END, match.end())
        if end < 0:
            raise ValueError(f"the table {name!r} has no end marker ({END.strip()})")
        parts += [page[position : match.end()], table(wanted[name]), END]
        shown.append(name)
        position = end + len(END)
    parts.append(page[position:])
    twice = sorted({name for name in shown if shown.count(name) > 1})
    missing = [name for name in wanted if name not in shown]
    if twice or missing:
        raise ValueError(f"one table per section: twice {twice}, not shown {missing}")
    return "".join(parts)


def main(argv: Sequence[str] | None = None) -> None:
    """Print every table, or rewrite the page named on the command line."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        path = Path(args[0])
        path.write_text(with_tables(path.read_text(encoding="utf-8")), encoding="utf-8")
        return
    for name, chosen in sections(all_assumptions()).items():
        print(f"<!-- assumptions: {name} -->\n{table(chosen)}{END}")


if __name__ == "__main__":
    main()
