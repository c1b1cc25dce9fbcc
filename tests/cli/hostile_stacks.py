"""Hostile stack files, made from valid ones: what an attacker (or an accident) puts in a pull
request for CI to validate and plan (issue 14).

Each case is derived from a valid stack file by one kind of attack, chosen in turn:

- **scalar**: a value replaced by what YAML builds into something unexpected: impossible
  dates and times, numbers of thousands of digits, infinity, binary data, unknown tags,
  lone surrogate escapes, undefined aliases, stray indicators;
- **nesting**: a value (or the whole file) nested 65 to 500,000 levels deep, in flow or
  block style;
- **aliases**: a "billion laughs" of lists or mappings, over or under the size limit, put
  where a field, an object list, the settings or a merge key will see it; aliases that
  repeat the collection holding them;
- **encoding**: the file in UTF-16 or UTF-32 (with or without a byte-order mark), with a
  UTF-8 byte-order mark (valid), or with an invalid byte, a NUL, a control character, an
  encoded surrogate or an overlong sequence at a random place;
- **empty**: nothing, blanks, comments, ``null``, a bare document marker;
- **documents**: several documents, directives;
- **mutation**: one to three random edits (lines dropped, repeated, swapped, re-indented,
  truncated; YAML indicators inserted).

A case says whether no valid stack can come out of it (``must_fail``); otherwise either
verdict is right, as long as it is given properly. Cases are a function of the seed and
their number only, so a failure is reproduced by its number, and any stretch of the stream
can be generated alone. To look at a corpus::

    .venv/bin/python -m tests.cli.hostile_stacks OUT_DIR [--count 500] [--seed 14]
"""

from __future__ import annotations

import argparse
import codecs
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mailform.stackfile.limits import MAX_DEPTH, MAX_NODES

#: Valid stack files the attacks start from: one in block style, one in flow style.
BASES = (
    """\
# yaml-language-server: $schema=mailform.schema.json
mailform:
  prune: [luxsci.aliases]
  create_limits: {luxsci.users: 20}
  ignore:
    - luxsci.aliases[test-*@example.com]
luxsci:
  domains:
    - domain: example.com
      settings: {spam_filter: high}
      protected: true
    - domain: news.example.com
  dkim:
    - domain: news.example.com
  bounce_domains:
    - bounce_domain: bounce.news.example.com
      from_domain: news.example.com
  users:
    - user: ann@example.com
      name: Ann Example
      status: enabled
    - user: bob@example.com
      name: Bob Example
      password: {env: BOB_PASSWORD}
      password_version: 1
  aliases:
    - alias: sales@example.com
      dest: [ann@example.com, bob@example.com]
      action: email
  servers:
    - host: rs101
      rate: 2000
      auto_warmup: true
  custom_fields:
    - owner: ann@example.com
      code_word: first_name
      name: First name
      type: text
  template_groups:
    - owner: ann@example.com
      name: Newsletters
  templates:
    - owner: ann@example.com
      name: Monthly newsletter
      code_word: monthly
      group: Newsletters
      subject: News
      body_html: <p>Hello</p>
lianamailer:
  sites:
    - domain: join.example.com
      language: EN
      ssl: true
  properties:
    - name: plan
      type: select
      choices: [free, pro]
      position: 2
  consent_types:
    - name: Newsletter
      is_revokable: true
      sites: [join.example.com]
  lists:
    - name: Pro customers
      description: Everyone on the pro plan
      condition:
        conditions: [{name: plan, condition: '=', value: pro}]
        enabled: true
""",
    """\
luxsci:
  domains: [{domain: example.com}]
  aliases:
    - {alias: sales@example.com, dest: [ann@example.com], action: email, status: enabled}
    - {alias: info@example.com, dest: [bob@example.com, ann@example.com]}
  servers: [{host: rs999, rate: 1000, auto_warmup: false}]
  list_groups: [{owner: ann@example.com, name: Customers}]
  lists:
    - {owner: ann@example.com, name: Customers EU, group: Customers, from_email: a@example.com}
lianamailer:
  sites: [{domain: join.example.com, language: EN, welcome: 1234, ssl: true}]
  lists: [{name: Newsletter EN, description: Monthly news, self_service: true}]
""",
)


@dataclass(frozen=True)
class Case:
    """One generated file: what attack made it, its bytes, and whether it must be refused."""

    number: int
    kind: str
    content: bytes
    must_fail: bool

    @property
    def name(self) -> str:
        """``00042-aliases:settings``: the number reproduces it, the kind says what it is."""
        return f"{self.number:05d}-{self.kind}"


#: Scalars YAML builds into something a stack file's field does not expect, or cannot build.
HOSTILE_SCALARS = (
    "2024-02-30",
    "2024-13-01",
    "2024-01-01T25:00:00",
    "2024-01-01 10:00:00 +25:00",
    "2024-01-01",
    "9" * 4_301,
    "-" + "9" * 20_000,
    "0x" + "f" * 50_000,
    "1" + "0" * 100_000 + ".5",
    ".inf",
    "-.Inf",
    ".NaN",
    "1e999",
    "0o777",
    "0b101",
    "1_000",
    "!!binary aGVsbG8=",
    "!!timestamp 2024-01-01",
    "!!bool maybe",
    "!!int ''",
    "!!float x",
    "!!null x",
    "!!str 25",
    "!!python/object/apply:os.system [echo]",
    "!vault abc",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!map []",
    '"\\ud800"',
    '"x\\udfff"',
    '"\\ud83d\\ude00"',
    '"\\0"',
    '"\\U00110000"',
    "'\\ud800'",
    "=",
    "<<",
    "~",
    "",
    "*undefined",
    "&anchor value",
    "yes",
    "{",
    "]",
    "'unterminated",
    "? x",
    "- x",
    "@x",
    "%x",
    "x" * 100_000,
    "é" * 2_000,
    "\u2028",
    "\ufeff",
    "\u0085",
    "|\n  block\n  text",
)

_VALUE = re.compile(r"(?<=\w: )[^\s\[\]{},#][^\n\[\]{},#]*")


def cases(seed: int, count: int, start: int = 0) -> Iterator[Case]:
    """Cases ``start`` to ``start + count - 1`` of the stream for ``seed``."""
    for number in range(start, start + count):
        yield case(seed, number)


def case(seed: int, number: int) -> Case:
    """Case ``number`` of the stream for ``seed``: the attack is chosen in turn, its details
    by a generator seeded with both, so it can be made alone."""
    rng = random.Random(f"{seed}:{number}")
    attack = ATTACKS[number % len(ATTACKS)]
    kind, content, must_fail = attack(rng, rng.choice(BASES))
    return Case(number, kind, content, must_fail)


def _replace_value(rng: random.Random, base: str, value: str) -> str:
    """``base`` with one of its plain scalar values (not in a comment) replaced by ``value``."""
    spans = [
        match.span()
        for match in _VALUE.finditer(base)
        if not base[base.rfind("\n", 0, match.start()) + 1 :].lstrip().startswith("#")
    ]
    begin, end = rng.choice(spans)
    return base[:begin] + value + base[end:]


def _scalar(rng: random.Random, base: str) -> tuple[str, bytes, bool]:
    return "scalar", _replace_value(rng, base, rng.choice(HOSTILE_SCALARS)).encode(), False


def _nested(rng: random.Random, depth: int) -> str:
    """A value nested ``depth`` levels deep, in one of the ways YAML nests."""
    style = rng.choice(("lists", "maps", "mixed", "compact", "block"))
    if style == "lists":
        return "[" * depth + "]" * depth
    if style == "maps":
        return "{a: " * depth + "x" + "}" * depth
    if style == "mixed":
        openers = [rng.choice(("[", "{k: ")) for _ in range(depth)]
        return "".join(openers) + "x" + "".join("]" if o == "[" else "}" for o in openers[::-1])
    if style == "compact":
        return "\n" + "- " * depth + "x"
    # Block mappings grow with the square of the depth: deep enough, no deeper.
    return "".join(f"\n{'  ' * level}k{level}:" for level in range(min(depth, 2_000))) + " x"


def _nesting(rng: random.Random, base: str) -> tuple[str, bytes, bool]:
    nested = _nested(rng, rng.choice((MAX_DEPTH + 1, 100, 1_000, 10_000, 100_000, 500_000)))
    if rng.random() < 0.3:
        return "nesting:document", nested.lstrip("\n").encode(), True
    return "nesting:value", _replace_value(rng, base, nested).encode(), True


#: Where a bomb is put: a field, an object list, the settings, a merge key, the top level.
_BOMB_PLACES = (
    ("field", "luxsci:\n  domains:\n    - domain: example.com\n      settings: {bomb}\n"),
    ("dest", "luxsci:\n  aliases:\n    - alias: a@example.com\n      dest: {bomb}\n"),
    ("condition", "lianamailer:\n  lists:\n    - name: L\n      condition: {bomb}\n"),
    ("objects", "luxsci:\n  aliases: {bomb}\n"),
    ("settings", "mailform:\n  ignore: {bomb}\n"),
    ("merge", "luxsci:\n  aliases:\n    - alias: a@example.com\n      <<: {bomb}\n"),
    ("top", "luxsci: {bomb}\n"),
)


def _aliases(rng: random.Random, base: str) -> tuple[str, bytes, bool]:
    if rng.random() < 0.2:
        loop = rng.choice(
            ("&a [x, *a]", "&a {b: *a}", "&a {<<: *a}", "&a [[[*a]]]", "&a {b: [{c: *a}]}")
        )
        return "aliases:loop", _replace_value(rng, base, loop).encode(), True
    width = rng.randint(2, 12)
    levels = rng.randint(3, 14)
    mapping = rng.random() < 0.5
    lines = [f"x0: &x0 {{{', '.join(f'k{i}: lol' for i in range(width))}}}"]
    for level in range(1, levels):
        if mapping:
            items = ", ".join(f"k{i}: *x{level - 1}" for i in range(width))
            lines.append(f"x{level}: &x{level} {{{items}}}")
        else:
            lines.append(f"x{level}: &x{level} [{', '.join([f'*x{level - 1}'] * width)}]")
    values = 1 + 2 * width  # the first mapping, a key and a value per entry
    for _ in range(1, levels):
        values = 1 + width * (values + (1 if mapping else 0))
    place, template = rng.choice(_BOMB_PLACES)
    anchors = "anchors:\n" + "".join(f"  {line}\n" for line in lines)
    size = "over" if values > MAX_NODES else "under"
    # The anchors sit under a key of their own, an unknown service: the file is refused
    # whatever else is found, but only after the bomb has been composed and placed.
    text = anchors + template.format(bomb=f"*x{levels - 1}")
    return f"aliases:{place}:{size}", text.encode(), True


def _encoding(rng: random.Random, base: str) -> tuple[str, bytes, bool]:
    choice = rng.randrange(9)
    if choice == 0:
        encoding = rng.choice(("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"))
        return f"encoding:{encoding}", base.encode(encoding), True
    if choice == 1:
        return "encoding:utf-8-bom", codecs.BOM_UTF8 + base.encode(), False
    raw = base.encode()
    at = rng.randrange(len(raw))
    inserted = {
        2: ("invalid-byte", rng.choice((b"\xff", b"\xfe", b"\x80", b"\xc3"))),
        3: ("nul", b"\x00"),
        4: ("control", bytes([rng.choice((1, 7, 8, 11, 12, 27, 127))])),
        5: ("surrogate", b"\xed\xa0\x80"),
        6: ("overlong", b"\xc0\xaf"),
        7: ("c1-control", "\u009b".encode()),
        8: ("latin-1", "café".encode("latin-1")),
    }
    name, extra = inserted[choice]
    return f"encoding:{name}", raw[:at] + extra + raw[at:], True


def _empty(rng: random.Random, base: str) -> tuple[str, bytes, bool]:
    text = rng.choice(("", " ", "\n\n\n", "\t\n", "# nothing\n", "null", "~\n", "---\n", "--- ~\n"))
    return "empty", (codecs.BOM_UTF8 if rng.random() < 0.2 else b"") + text.encode(), True


def _documents(rng: random.Random, base: str) -> tuple[str, bytes, bool]:
    if rng.random() < 0.5:
        return "documents:several", f"{base}---\n{base}".encode(), True
    directive = rng.choice(("%YAML 1.1", "%YAML 1.2", "%YAML 2.0", "%TAG ! tag:evil.example,2024:"))
    return "documents:directive", f"{directive}\n---\n{base}".encode(), False


_INDICATORS = ":-?[]{},#&*!|>'\"%@`\t\\"


def _mutation(rng: random.Random, base: str) -> tuple[str, bytes, bool]:
    lines = base.splitlines(keepends=True)
    edits = []
    for _ in range(rng.randint(1, 3)):
        edit = rng.choice(("drop", "repeat", "swap", "indent", "truncate", "insert", "replace"))
        edits.append(edit)
        index = rng.randrange(len(lines))
        if edit == "drop" and len(lines) > 1:
            del lines[index]
        elif edit == "repeat":
            lines.insert(index, lines[index])
        elif edit == "swap":
            other = rng.randrange(len(lines))
            lines[index], lines[other] = lines[other], lines[index]
        elif edit == "indent":
            lines[index] = " " * rng.randint(1, 7) + lines[index].lstrip(" ")
        elif edit == "truncate":
            text = "".join(lines)
            lines = [text[: rng.randrange(len(text) + 1)]]
        else:
            text = "".join(lines)
            at = rng.randrange(len(text) + 1)
            piece = "".join(rng.choice(_INDICATORS) for _ in range(rng.randint(1, 4)))
            cut = at + (len(piece) if edit == "replace" else 0)
            lines = [text[:at] + piece + text[cut:]]
    return f"mutation:{'+'.join(edits)}", "".join(lines).encode(), False


Attack = Callable[[random.Random, str], tuple[str, bytes, bool]]

ATTACKS: tuple[Attack, ...] = (
    _scalar,
    _nesting,
    _aliases,
    _encoding,
    _scalar,
    _empty,
    _mutation,
    _documents,
    _aliases,
    _mutation,
)


def main() -> None:
    """Write a corpus to a directory, one file per case, named by number and kind."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    args.directory.mkdir(parents=True, exist_ok=True)
    for item in cases(args.seed, args.count):
        (args.directory / f"{item.name.replace(':', '-')}.yaml").write_bytes(item.content)


if __name__ == "__main__":
    main()
