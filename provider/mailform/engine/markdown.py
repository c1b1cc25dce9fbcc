"""Building blocks of GitHub markdown that show values as text, never as markup.

A plan shows values the stack file and the live account hold: a template's HTML, a
content tag's snippet, names anyone could type. Posted as a pull-request comment, a value
with ``<script>``, ``<details>``, ``|``, ``**`` or ``@someone`` would otherwise become
markup, break the layout (a table cell, a collapsible section) or notify strangers. Every
value in the comment goes through one of these functions:

- ``text``: running text and table cells: HTML's ``< > &`` as entities, markdown's
  punctuation backslash-escaped (``|`` too, for cells), ``@mentions`` and ``#123``
  references put in code so that GitHub links neither;
- ``code``: a value in a ``<code>`` element, escaped the same way (GitHub links nothing
  inside code), or for HTML alone inside an HTML block, where markdown is not read;
- ``fence``: a fenced code block, which needs no escaping, with a fence longer than any
  run of backticks in the content so that nothing in it can close the block early.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: HTML's special characters, as entities.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
#: Markdown punctuation that could start emphasis, code, links, strikethrough or a table
#: cell boundary; a backslash makes each a literal character.
_PUNCTUATION = frozenset("\\`*_[]~|")
#: What GitHub turns into a notification or a link: ``@user``, ``@org/team``, ``#123``.
_AUTOLINKED = re.compile(r"(?<![\w@/.`])(@[A-Za-z0-9][A-Za-z0-9-]*(?:/[\w.-]+)?|#\d+)\b")
_BACKTICKS = re.compile(r"`+")


def text(value: str) -> str:
    """``value`` as literal text in running markdown or a table cell, on one line."""
    result = []
    position = 0
    for match in _AUTOLINKED.finditer(value):
        result.append(_escape(value[position : match.start()]))
        result.append(f"`{match.group()}`")
        position = match.end()
    result.append(_escape(value[position:]))
    return "".join(result)


def code(value: str, *, html: bool = False) -> str:
    """``value`` as literal text in a ``<code>`` element (an object's key, a field path);
    ``html`` when it goes inside an HTML block (a ``<summary>``), where GitHub reads no
    markdown, so that only HTML's characters are escaped there."""
    escaped = _entities(value) if html else _escape(value)
    return f"<code>{escaped}</code>"


def fence(lines: Iterable[str], info: str = "") -> str:
    """A fenced code block of ``lines`` (shown as they are), tagged ``info`` (``diff``)."""
    body = "\n".join(line.replace("\r", "") for line in lines)
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{body}\n{ticks}"


def details(summary: str, body: str) -> str:
    """A collapsed section; ``summary`` is HTML already escaped (by ``text`` or ``code``).
    The blank lines around the body let GitHub read markdown inside the HTML block."""
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"


def _escape(value: str) -> str:
    """Entities for HTML, backslashes for markdown punctuation; line breaks as spaces."""
    value = " ".join(value.splitlines())
    return "".join(_ENTITIES.get(c) or (f"\\{c}" if c in _PUNCTUATION else c) for c in value)


def _entities(value: str) -> str:
    """Entities for HTML only; line breaks as spaces."""
    return "".join(_ENTITIES.get(c, c) for c in " ".join(value.splitlines()))
