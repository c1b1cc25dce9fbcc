"""Reading a stack file: only a regular file, never past the size limit, UTF-8 text only."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from mailform.stackfile import Location, load_yaml
from mailform.stackfile.reading import UnreadableFile, decode_text, read_regular_file

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


@needs_fifo
def test_a_named_pipe_is_refused_at_once_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "stack.yaml"
    os.mkfifo(pipe)

    [problem] = load_yaml(pipe).problems

    assert problem.location == Location(str(pipe), 1, 1)
    assert problem.message == (
        "a named pipe (FIFO), not a regular file: stack files are read from regular files only"
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_that_never_ends_is_refused_without_reading_it() -> None:
    [problem] = load_yaml("/dev/zero").problems

    assert str(problem).startswith("/dev/zero:1:1: a device, not a regular file")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    [problem] = load_yaml(tmp_path).problems

    assert "a directory, not a regular file" in problem.message


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets here")
def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(path))
        with pytest.raises(UnreadableFile, match="a socket, not a regular file"):
            read_regular_file(path)


def test_a_file_over_the_limit_is_refused_after_reading_one_byte_past_it(tmp_path: Path) -> None:
    path = tmp_path / "stack.yaml"
    path.write_bytes(b"x" * 11)

    assert read_regular_file(path, limit=11) == b"x" * 11
    with pytest.raises(UnreadableFile, match="larger than 10 bytes, the most a stack file may be"):
        read_regular_file(path, limit=10)


def test_a_utf8_byte_order_mark_is_accepted_and_not_counted_as_a_column() -> None:
    assert decode_text(b"\xef\xbb\xbfluxsci: {}\n", "s.yaml") == "luxsci: {}\n"


@pytest.mark.parametrize(
    ("encoding", "name"), [("utf-16", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32")]
)
def test_utf16_and_utf32_files_are_named_as_such(encoding: str, name: str) -> None:
    raw = "luxsci: {}\n".encode(encoding)
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw

    problem = decode_text(raw, "s.yaml")

    assert not isinstance(problem, str)
    assert problem.location == Location("s.yaml", 1, 1)
    assert problem.message.startswith(f"the file is {name} text; stack files are UTF-8")


def test_a_nul_byte_is_located_and_hints_at_utf16_without_a_byte_order_mark() -> None:
    problem = decode_text(b"luxsci:\n  x: ab\0c\n", "s.yaml")

    assert not isinstance(problem, str)
    assert problem.location == Location("s.yaml", 2, 8)
    assert "NUL character (U+0000)" in problem.message
    assert "UTF-16 without a byte-order mark" in problem.message


def test_a_control_character_is_located_and_named() -> None:
    problem = decode_text(b"a: b\n  c: d\x07\n", "s.yaml")

    assert not isinstance(problem, str)
    assert problem.location == Location("s.yaml", 2, 7)
    assert "control character U+0007" in problem.message


def test_bytes_that_are_not_utf8_are_located_in_characters_not_bytes() -> None:
    # "é" is two bytes: the bad byte is the 6th character of its line, though the 7th byte.
    problem = decode_text("a:\n  é: ".encode() + b"\xff", "s.yaml")

    assert not isinstance(problem, str)
    assert problem.location == Location("s.yaml", 2, 6)
    assert problem.message == "the file is not valid UTF-8 text (byte 0xff); stack files are UTF-8"


def test_an_encoded_surrogate_is_not_utf8() -> None:
    problem = decode_text(b"a: \xed\xa0\x80\n", "s.yaml")

    assert not isinstance(problem, str)
    assert problem.location == Location("s.yaml", 1, 4)
