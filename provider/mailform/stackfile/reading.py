"""Reading a stack file's text: regular files only, at most `MAX_FILE_BYTES`, UTF-8 only.

The path comes from a command line or a CI job, so it may name anything: a directory, a
named pipe that blocks until someone writes to it, a device that never ends. Only a regular
file is read, opened without blocking, and never beyond the size limit. Its bytes must be
UTF-8 text as YAML allows it (a UTF-8 byte-order mark is accepted and dropped, as editors on
Windows write one); anything else is one problem at the line and column of the first
offending byte, saying what it is, rather than a parser's message about a string position.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

from mailform.stackfile.limits import MAX_FILE_BYTES
from mailform.stackfile.problems import Location, Problem


class UnreadableFile(OSError):
    """The path is not a regular file, or is larger than `MAX_FILE_BYTES`.

    An ``OSError``, so that every caller that already reports an unreadable file (exit 1,
    the path and the reason) reports this one the same way; ``reason`` is the message
    without the path.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def read_regular_file(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at ``path``, which must not be larger than ``limit``.

    Raises `UnreadableFile` for a directory, a named pipe, a device or a socket (never
    waiting on a pipe with no writer) and for a file over the limit (read no further than
    one byte past it, so that a file that keeps growing cannot fill the memory); other
    ``OSError`` s (no such file, permission denied) as the system raises them.
    """
    file = str(path)
    # The type is checked before the open (a socket cannot even be opened) and again on the
    # opened file (the path may have changed in between). O_NONBLOCK: opening a FIFO for
    # reading otherwise waits for a writer; it changes nothing for a regular file.
    _check_regular(file, os.stat(path).st_mode)
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        _check_regular(file, os.fstat(descriptor).st_mode)
    except BaseException:
        os.close(descriptor)
        raise
    with os.fdopen(descriptor, "rb") as opened:
        data = opened.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(
            file, f"larger than {limit:,} bytes, the most a stack file may be: split it"
        )
    return data


def _check_regular(file: str, mode: int) -> None:
    if not stat.S_ISREG(mode):
        reason = f"{_kind(mode)}, not a regular file: stack files are read from regular files"
        raise UnreadableFile(file, f"{reason} only")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)

#: A character that YAML does not allow in a file (YAML 1.2, 5.1 "c-printable"): the C0
#: controls but tab, line feed and carriage return; DEL; the C1 controls but NEL; lone
#: surrogates; U+FFFE and U+FFFF. (A double-quoted string can still hold one, escaped.)
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def decode_text(raw: bytes, file: str) -> str | Problem:
    """The text of a stack file's bytes, or the problem that keeps them from being one.

    Problems are located at the first offending byte, line and column counted as an editor
    shows them (the column in characters); a file in UTF-16 or UTF-32 is named as such.
    """
    for bom, encoding in _WIDE_BOMS:
        if raw.startswith(bom):
            return Problem(
                Location(file, 1, 1),
                "",
                f"the file is {encoding} text; stack files are UTF-8: convert it (for "
                f"example `iconv -f {encoding} -t UTF-8`)",
            )
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        column = len(raw[line_start : error.start].decode("utf-8", errors="replace")) + 1
        line = raw.count(b"\n", 0, error.start) + 1
        return Problem(
            Location(file, line, column),
            "",
            f"the file is not valid UTF-8 text (byte 0x{raw[error.start]:02x}); stack "
            "files are UTF-8",
        )
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return text
    position = found.start()
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return Problem(Location(file, line, column), "", _not_printable(found.group()))


def _not_printable(character: str) -> str:
    code = f"U+{ord(character):04X}"
    if character == "\0":
        return (
            f"the file holds a NUL character ({code}), which YAML text cannot: is it UTF-16 "
            "without a byte-order mark, or not text at all? Stack files are UTF-8 text"
        )
    return (
        f"the file holds the control character {code}, which YAML text cannot; inside a "
        f'double-quoted string, write it as an escape ("\\u{ord(character):04x}")'
    )
