"""The most a stack file may hold, so that no file can exhaust a run's time, memory or stack.

A stack file comes from a pull request, and CI runs `mailform validate` and `plan` on it
before anyone has read it. YAML lets a small file ask for a lot: nesting that recurses the
parser until the process dies, or aliases that repeat a repeated value until a 1 KB file
stands for a billion ("billion laughs"). Each limit here is far above what a real stack file
needs and low enough that the largest file it allows loads in seconds; a file over one is
refused with one problem that says which limit and where (``docs/stack-files.md``,
"Limits").

Aliases count as the values they stand for: ``*defaults`` used 500 times counts its values
500 times, because that is how many every later layer (validation, the plan) will see.
"""

from __future__ import annotations

from typing import Any, Final

from ruamel.yaml.error import YAMLError

MAX_FILE_BYTES: Final = 64 * 1024 * 1024
"""64 MiB. A stack file of 50,000 objects of the usual shape (users of five fields, aliases
of four, in block style) is about 7 MB; the rest leaves room for templates' HTML bodies. The
bytes are read at most once and never beyond this, so a device such as ``/dev/zero`` or a
file that keeps growing cannot fill the memory."""

MAX_DEPTH: Final = 64
"""Levels of nesting, the top-level mapping being the first. The deepest value the schema
has is a LianaMailer list's condition rule at level 7; 64 leaves room for any nested setting
while staying far from the depth at which a recursive YAML composer (ruamel's, in C) overflows its
stack (near 100,000 levels it crashes the process) and Python's recursion limit."""

MAX_NODES: Final = 1_000_000
"""Values in the file, counting every mapping, list, key and scalar, and counting an alias
as the values it repeats. 50,000 objects of the usual shape are about 600,000 (an object of
five fields is eleven: the mapping, and a key and a value per field), so the limit is above
50,000 objects; the largest file it allows loads in seconds and about 1 GB of memory."""


class LimitExceeded(YAMLError):
    """A stack file goes over one of the limits; ``mark`` is where (a ruamel mark, whose
    ``line`` and ``column`` are 0-based, or None for the file as a whole)."""

    def __init__(self, message: str, mark: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


def too_deep() -> str:
    """The message for nesting beyond `MAX_DEPTH`."""
    return f"nested more than {MAX_DEPTH} levels deep (the limit; a stack file needs about 7)"


def too_many() -> str:
    """The message for a file beyond `MAX_NODES`."""
    return (
        f"the file holds more than {MAX_NODES:,} values (keys, values and list items, an "
        "alias counting as every value it repeats): split it into several stack files"
    )
