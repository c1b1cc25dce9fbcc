"""Problems found in a stack file, and the error that reports all of them at once.

A stack file is checked completely before anything is reported: every check appends a
`Problem` to a `Problems` collector, and the collector raises one `StackFileError` carrying
all of them at the end. Each problem points at the user's text (file, line, column) and names
the field in the same dotted form the user would write (`luxsci.aliases[2].action`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

PathPart = str | int | float | None
"""One step into YAML data: a 0-based sequence index, or a mapping key, which YAML lets be
any scalar (a number, ``true``, ``null``) though a stack file's keys are words."""

FieldPath = tuple[PathPart, ...]
"""Where a value sits in the YAML data: mapping keys and 0-based sequence indexes."""

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def format_path(path: FieldPath) -> str:
    """Render a field path the way a user reads it: `luxsci.aliases[2].action`.

    Sequence indexes are 0-based, as in jq and JSONPath. Keys that are not plain words
    (dots, spaces, numbers) are quoted in brackets so the rendering stays unambiguous.
    """
    rendered = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            rendered += f"[{part}]"
        elif isinstance(part, str) and _PLAIN_KEY.match(part):
            rendered += f".{part}" if rendered else part
        else:
            rendered += f"[{part!r}]"
    return rendered


@dataclass(frozen=True, order=True)
class Location:
    """A position in a file, 1-based like an editor shows it.

    Ordering is by file, then line, then column, which is the order problems are reported in.
    """

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a stack file: where, which field, what, and what is allowed.

    `field` is the dotted path (see `format_path`); it is empty for problems with the file as
    a whole, such as a YAML syntax error. `message` quotes a value only where the field can
    hold no secret (``'nobody' is not an email address``); for a secret field (a literal
    where `{env: NAME}` belongs) it never does, and the location shows where to look.
    """

    location: Location
    field: str
    message: str
    allowed: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.location}: "
        if self.field:
            text += f"{_shorten(self.field)}: "
        text += _shorten(self.message)
        if self.allowed:
            text += f" (allowed: {', '.join(self.allowed)})"
        return text

    def sort_key(self) -> tuple[Location, str, str]:
        """Key that orders problems by file, line, column, then field and message."""
        return (self.location, self.field, self.message)


#: The most characters of a field or a message a problem prints. Both may quote the user's
#: text (a key, a name that is not an address), which a stack file allows up to megabytes
#: long: a CI log gets the start and the end of it, not all of it.
MAX_SHOWN = 400


def _shorten(text: str) -> str:
    if len(text) <= MAX_SHOWN:
        return text
    half = MAX_SHOWN // 2
    return f"{text[:half]}…({len(text) - 2 * half:,} characters not shown)…{text[-half:]}"


class StackFileError(Exception):
    """A stack file (or several) is invalid; carries every problem found, sorted.

    `str()` renders one problem per line as `file:line:col: field: message (allowed: ...)`,
    ready to print for a user or a CI log.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(
            sorted(dict.fromkeys(problems), key=Problem.sort_key)
        )
        if not self.problems:
            raise ValueError("StackFileError needs at least one problem")
        super().__init__("\n".join(str(problem) for problem in self.problems))


class Problems:
    """Collects problems while a stack file is checked, then raises them all at once.

    Checks append with `add`/`extend` and carry on, so that one run reports everything that
    is wrong; `raise_if_any` at the end turns the collection into a `StackFileError`.
    """

    def __init__(self, problems: Iterable[Problem] = ()) -> None:
        self._problems: list[Problem] = list(problems)

    def add(self, problem: Problem) -> None:
        """Record one problem."""
        self._problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record several problems, e.g. those returned by a validation function."""
        self._problems.extend(problems)

    def raise_if_any(self) -> None:
        """Raise `StackFileError` with every recorded problem; do nothing if there are none."""
        if self._problems:
            raise StackFileError(self._problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(sorted(dict.fromkeys(self._problems), key=Problem.sort_key))

    def __len__(self) -> int:
        return len(dict.fromkeys(self._problems))

    def __bool__(self) -> bool:
        return bool(self._problems)
