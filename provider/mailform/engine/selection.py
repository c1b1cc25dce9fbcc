"""Which objects a run is about: ``--target`` options and the stack file's ``ignore`` rules.

Both name objects the way plans show them: ``TYPE`` (every object of a type) or
``TYPE[KEY]``, where ``TYPE`` is ``service.type`` (``luxsci.aliases``) and ``KEY`` a natural
key (parts joined with ``/``: ``ann@example.com/Newsletters``), with shell-style wildcards
(``luxsci.aliases[test-*@example.com]``), compared without regard to case, as the services
compare addresses.

- A **target** limits a plan to the objects it names and what they need: the changes they
  require first (a new alias's new domain; for a delete, the deletes of what references
  it). As ``terraform -target``, it is for the exceptional run, not the daily one.
- An **ignore** rule says that live objects it names are not mailform's concern: never
  listed as unmanaged, never pruned, never drift. They still count for the rules that look
  at the whole account (an address an ignored alias holds is not free).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from mailform.engine.objecttype import ObjectId

_SELECTOR = re.compile(r"^(?P<kind>[a-z_]+\.[a-z_]+)(?:\[(?P<key>.+)\])?$")


class SelectorError(ValueError):
    """A selector that names no object type, or is not written ``TYPE`` or ``TYPE[KEY]``."""


@dataclass(frozen=True)
class Selector:
    """``kind`` (``luxsci.aliases``) and an optional key pattern."""

    kind: str
    pattern: str | None = None

    @classmethod
    def parse(cls, text: str, kinds: Iterable[str]) -> Selector:
        """``luxsci.aliases`` or ``luxsci.aliases[sales@example.com]``; ``kinds`` are the
        object types there are (``service.type``). Raises ``SelectorError`` saying what is
        allowed."""
        match = _SELECTOR.match(text.strip())
        known = sorted(kinds)
        if match is None:
            raise SelectorError(
                f"{text!r} is not TYPE or TYPE[KEY] (like luxsci.aliases[sales@example.com])"
            )
        if match["kind"] not in known:
            raise SelectorError(f"{text!r} names no object type; allowed types: {', '.join(known)}")
        key = match["key"]
        return cls(match["kind"], key.strip().casefold() if key else None)

    def matches(self, object_id: ObjectId) -> bool:
        """Whether the selector names ``object_id``."""
        if f"{object_id.service}.{object_id.type_name}" != self.kind:
            return False
        if self.pattern is None:
            return True
        return fnmatchcase("/".join(object_id.key).casefold(), self.pattern)

    def __str__(self) -> str:
        return self.kind if self.pattern is None else f"{self.kind}[{self.pattern}]"


def any_matches(selectors: Iterable[Selector], object_id: ObjectId) -> bool:
    """Whether one of ``selectors`` names ``object_id``."""
    return any(selector.matches(object_id) for selector in selectors)
