"""Hostile requests to the sandbox: what a buggy client, a fuzzer or a web page sends to any
route of LuxSci, of LianaMailer and of the control endpoints (issue 14).

Each case is one request, made of independent choices:

- **path**: a route of the part of the sandbox it aims at, its parameters valid-looking or
  hostile (long, encoded, unicode, dots, slashes), or with a trailing slash, a suffix, a
  query; or a path no route has;
- **method**: the route's own, or any other (``PATCH``, ``OPTIONS``, ``HEAD``, made up);
- **body**: a JSON object of the fields the APIs know with values of every type and size,
  JSON of the wrong shape, invalid JSON, JSON nested 65 to 200,000 levels deep, numbers no
  API holds (``1e400``, ``NaN``, thousands of digits), raw bytes, nothing; a seed's YAML
  with impossible dates, long numbers, tags, aliases and nesting;
- **headers**: garbage or missing ``Content-Type``, ``Content-MD5``, ``Date``, signature
  cookies, ``Authorization``, ``Host`` and ``Origin``, in bytes that are not ASCII too;
- **auth**: the request signed as the service wants (LuxSci's cookie, LianaMailer's HMAC
  headers) or carrying the control token, so that the body reaches the route's handler;
  or not.

Cases are a function of the seed and their number only, so a failure is reproduced by its
number.
"""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mailform.sandbox.lianamailer.app import CALLS
from mailform.sandbox.luxsci.app import OPERATIONS
from tests.sandbox.caller import ACCOUNT, API

CONTROL_ROUTES = {
    "/_sandbox/health": ("GET",),
    "/_sandbox/faults": ("GET", "PUT"),
    "/_sandbox/reset": ("POST",),
    "/_sandbox/state": ("GET",),
    "/_sandbox/seed": ("POST",),
    "/_sandbox/clock": ("GET", "PUT"),
    "/_sandbox/deviations": ("GET", "PUT"),
}
LUXSCI_ROUTES: dict[str, tuple[str, ...]] = {"/auth": ("POST", "DELETE")}
for _operation in OPERATIONS:
    LUXSCI_ROUTES[_operation.path] = (*LUXSCI_ROUTES.get(_operation.path, ()), _operation.method)
LIANA_CALLS = sorted(CALLS)
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FROB")

#: Field names the two APIs and the control endpoints read.
FIELDS = [
    "domain",
    "alias",
    "dest",
    "user",
    "password",
    "pass",
    "name",
    "type",
    "settings",
    "code_word",
    "group",
    "list_id",
    "owner",
    "description",
    "subject",
    "body_html",
    "body_text",
    "from_name",
    "from_email",
    "reply_email",
    "content",
    "rules",
    "is_private",
    "custom_fields",
    "list_group_id",
    "template_group_id",
    "new_address",
    "rate",
    "status",
    "admin",
    "token",
    "date",
    "signature",
    "auto_warmup",
    "bounce_domain",
    "selector",
    "enabled",
    "scope",
    "acl",
    "host",
    "latency",
    "jitter",
    "rate_limit",
    "error_rate",
    "drop_rate",
    "drop_next",
    "seed",
    "expire_auth",
    "late_commit",
    "late_answer",
    "late_rate",
    "late_next",
    "advance",
    "offset",
    "requests",
    "window",
    "deviations",
    "path",
    "method",
    "rename",
]

HOSTILE_SEGMENTS = (
    "",
    "x" * 5000,
    "é",
    "%00",
    "%ff%fe",
    "..",
    "%2e%2e",
    "a%2Fb",
    "🙂",
    "%20",
    "null",
    "-1",
    "99999999999999999999999999",
    "a@b",
    "MARKETING@EXAMPLE.COM",
    "example.com.",
    "%",
)
PLAUSIBLE_SEGMENTS = ("example.com", "marketing@example.com", "1", "rs1", "x", ACCOUNT)


@dataclass(frozen=True)
class HostileRequest:
    """One request: ``auth`` says how the sender signs it (``luxsci``, ``liana``,
    ``control``) or that it does not (``none``); ``area`` is the part of the sandbox its
    path is in, whose envelope any failure must be in."""

    number: int
    kind: str
    method: str
    path: str
    body: bytes
    headers: tuple[tuple[str, bytes], ...]
    auth: str

    @property
    def area(self) -> str:
        bare = self.path.split("?", 1)[0]
        if bare == API or bare.startswith(API + "/"):
            return "luxsci"
        if bare == "/api" or bare.startswith("/api/"):
            return "lianamailer"
        return "control"

    def __str__(self) -> str:
        body = self.body if len(self.body) < 300 else self.body[:300] + b"..."
        return (
            f"case {self.number} ({self.kind}): {self.method} {self.path[:300]} auth={self.auth} "
            f"headers={self.headers!r} body={body!r}"
        )


def value(rng: random.Random, depth: int = 0) -> Any:
    """A JSON value of any type, mostly small, sometimes extreme."""
    choice = rng.randrange(14 if depth < 3 else 10)
    if choice == 0:
        return None
    if choice == 1:
        return rng.random() < 0.5
    if choice == 2:
        return rng.choice([0, 1, -1, 2**31, 2**53 + 1, 2**63 - 1, -(2**63) + 1, 10**18])
    if choice == 3:
        return rng.choice([0.5, -0.0, 1e308, -1e-308, 3.0, 1e16])
    if choice in (4, 5, 6):
        return rng.choice(
            [
                "",
                "example.com",
                "marketing@example.com",
                "yes",
                "1",
                "EUR",
                "0",
                "dynamic",
                "regular",
                "catchall",
                "text",
                "account",
                "user",
                "\x00",
                "é" * 3,
                " ",
                "2024-02-30",
                "1e400",
                "a" * rng.choice([1, 300, 70000]),
                "10/1m",
                "N/60s",
            ]
        )
    if choice == 7:
        return "".join(rng.choice(string.printable) for _ in range(rng.randrange(30)))
    if choice in (8, 9):
        return rng.randrange(-1000, 100_000)
    if choice in (10, 11):
        return [value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(FIELDS): value(rng, depth + 1) for _ in range(rng.randrange(4))}


def _json_body(rng: random.Random) -> tuple[str, bytes]:
    kind = rng.randrange(12)
    if kind < 5:
        fields = {rng.choice(FIELDS): value(rng) for _ in range(rng.randrange(1, 6))}
        return "fields", json.dumps(fields).encode()
    if kind == 5:
        return "wrong-shape", json.dumps(value(rng)).encode()
    if kind == 6:
        depth = rng.choice([65, 200, 1000, 5000, 200_000])
        opener, closer = rng.choice([("[", "]"), ('{"a":', "}"), ("[{}, ", "]")])
        return "deep", (opener * depth + "1" + closer * depth).encode()
    if kind == 7:
        number = rng.choice(
            [
                "1e400",
                "-1e400",
                "NaN",
                "Infinity",
                "-Infinity",
                "9" * 5000,
                "9" * 20,
                "-9223372036854775809",
                "1e-400",
                "0e99999",
                "1" + "0" * 400 + ".5",
            ]
        )
        field = rng.choice(FIELDS)
        shape = rng.choice(['{"%s": %s}', "[%s]", "%s", '{"%s": [%s]}'])
        text = shape % ((field, number) if shape.count("%s") == 2 else (number,))
        return "numbers", text.encode()
    if kind == 8:
        return "bad-json", rng.choice(
            [
                b"{",
                b"{'a': 1}",
                b'{"a": }',
                b"[1,]",
                b'"\\ud800"',
                b"\xff\xfe\x00{",
                b"nul",
                b'{"a": 1} trailing',
                b"\x00" * 10,
                b"{" * 3 + b"}" * 2,
                b"tru",
            ]
        )
    if kind == 9:
        return "bytes", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    if kind == 10:
        return "empty", rng.choice([b"", b" ", b"\n", b"null", b"{}", b"[]"])
    return "big", json.dumps({rng.choice(FIELDS): "x" * 1_000_000}).encode()


def _liana_body(rng: random.Random) -> tuple[str, bytes]:
    if rng.random() < 0.6:
        arguments = [value(rng) for _ in range(rng.randrange(7))]
        return "arguments", json.dumps(arguments).encode()
    return _json_body(rng)


SEED_SCALARS = (
    "2024-02-30",
    "2024-13-01T25:61:61Z",
    "9" * 5000,
    "9" * 25,
    ".inf",
    "-.nan",
    "!!binary aGVsbG8=",
    "!!python/object:os.system {}",
    "!unknown x",
    "*undefined",
    '"\\ud800"',
    "0x" + "f" * 40,
    "1_000_000_000_000_000_000_000",
    "~",
    "[]",
    "{}",
    "example.com",
)


def _seed_body(rng: random.Random) -> tuple[str, bytes]:
    kind = rng.randrange(6)
    scalar = rng.choice(SEED_SCALARS)
    if kind == 0:
        text = f"luxsci:\n  domains: [{{domain: {scalar}}}]\n"
    elif kind == 1:
        text = (
            f"sandbox:\n  luxsci:\n    {rng.choice(['account_id', 'admins', 'teams'])}: {scalar}\n"
        )
        text += f"    servers: [{{host: rs1, server_id: {scalar}}}]\n"
    elif kind == 2:
        depth = rng.choice([65, 300, 5000])
        text = "luxsci:\n" + "".join(" " * (i + 1) + "- \n" for i in range(min(depth, 300)))
        if rng.random() < 0.5:
            text = "luxsci: " + "[" * depth + "]" * depth + "\n"
    elif kind == 3:
        laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        levels = rng.choice([3, 7])
        for i in range(1, levels):
            laughs += f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n"
        target = rng.choice(["luxsci: {domains: *a%d}", "sandbox: {dns: *a%d}", "x: *a%d"])
        text = laughs + target % (levels - 1) + "\n"
    elif kind == 4:
        fields = {rng.choice(FIELDS): value(rng) for _ in range(rng.randrange(1, 4))}
        service = rng.choice(["luxsci", "lianamailer", "sandbox"])
        kind_name = rng.choice(["domains", "users", "aliases", "lists", "sites", "luxsci", "dns"])
        text = json.dumps({service: {kind_name: [fields]}})
    else:
        return _json_body(rng)
    return "seed", text.encode()


def _segment(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return rng.choice(PLAUSIBLE_SEGMENTS)
    return rng.choice(HOSTILE_SEGMENTS)


def _suffix(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.75:
        return ""
    return rng.choice(
        [
            "/",
            "//",
            "/x",
            "?",
            "?a=1&a=2",
            "?contacts_only=maybe",
            "?first_row=-1&matches=1e400",
            "?%ff=%00",
            "#frag",
            "/.",
            "?" + "q" * 5000,
            "?matches=" + "9" * 40,
        ]
    )


def _path(rng: random.Random, area: str) -> tuple[str, tuple[str, ...]]:
    """A path in ``area`` and the methods its route has (none: no route)."""
    if area == "control":
        path, methods = rng.choice(list(CONTROL_ROUTES.items()))
        if rng.random() < 0.05:
            return rng.choice(["/", "/_sandbox", "/_sandbox/", "/favicon.ico", "/" * 3]), ()
        suffix = _suffix(rng)
        return path + suffix, (methods if suffix in ("", "?", "?a=1&a=2") else ())
    if area == "luxsci":
        template, methods = rng.choice(list(LUXSCI_ROUTES.items()))
        filled = re.sub(r"\{account_id\}", lambda _: rng.choice([ACCOUNT] * 4 + ["1"]), template)
        filled = re.sub(r"\{[^}]+\}", lambda _: _segment(rng), filled)
        suffix = _suffix(rng)
        return API + filled + suffix, methods
    if rng.random() < 0.1:
        return rng.choice(["/api", "/api/", "/api/v1", "/api/v2/sites", "/api/v1/"]), ()
    name = rng.choice(LIANA_CALLS) if rng.random() < 0.9 else _segment(rng)
    return f"/api/v1/{name}" + _suffix(rng), ("POST",)


def _headers(rng: random.Random, area: str) -> tuple[tuple[str, bytes], ...]:
    headers: list[tuple[str, bytes]] = []
    garbage: dict[str, Callable[[], bytes]] = {
        "Content-Type": lambda: rng.choice(
            [b"text/plain", b"application/json; charset=latin-1", b"", b"\xff", b"json"]
        ),
        "Content-MD5": lambda: rng.choice([b"", b"0" * 32, b"z" * 32, b"\xe9"]),
        "Date": lambda: rng.choice(
            [
                b"",
                b"not a date",
                b"2024-02-30T00:00:00+00:00",
                b"9999-12-31T23:59:59+14:00",
                b"0001-01-01T00:00:00+00:00",
                b"2024-01-01T00:00:00",
                b"1e400",
                b"\xff",
                b"2024-01-01T00:00:00+99:99",
                b"Mon, 01 Jan 2024 00:00:00 GMT",
            ]
        ),
        "Cookie": lambda: rng.choice(
            [
                b"signature=",
                b"signature=a:b",
                b"signature=:::",
                b"signature=\xff:\xff",
                b"x",
                b'signature="1-2-3:' + b"0" * 64 + b'"',
                b"signature=" + b"a" * 10000,
            ]
        ),
        "Authorization": lambda: rng.choice(
            [b"Bearer", b"Bearer \xff", b"EUR 1:" + b"g" * 64, b"x" * 10_000, b"Basic Og=="]
        ),
        "Origin": lambda: rng.choice([b"http://127.0.0.1:8765", b"null", b"http://[::1"]),
        "Host": lambda: rng.choice([b"127.0.0.1:8765", b"localhost", b"[::1]:1", b"\xff"]),
        "Content-Length": lambda: rng.choice([b"0", b"abc", b"-1"]),
    }
    for name, make in garbage.items():
        if rng.random() < 0.08:
            headers.append((name, make()))
    return tuple(headers)


def case(seed: int, number: int) -> HostileRequest:
    """Case ``number`` of the stream ``seed``."""
    rng = random.Random(f"{seed}:{number}")
    area = rng.choice(["luxsci", "luxsci", "lianamailer", "lianamailer", "control"])
    path, methods = _path(rng, area)
    method = rng.choice(methods) if methods and rng.random() < 0.85 else rng.choice(METHODS)
    bare = path.split("?", 1)[0]
    if bare.startswith("/_sandbox/seed"):
        kind, body = _seed_body(rng)
    elif area == "lianamailer":
        kind, body = _liana_body(rng)
    else:
        kind, body = _json_body(rng)
    if method in ("GET", "HEAD", "DELETE") and rng.random() < 0.7:
        kind, body = "no-body", b""
    signs = {"luxsci": "luxsci", "lianamailer": "liana", "control": "control"}[area]
    auth = signs if rng.random() < 0.75 else "none"
    return HostileRequest(number, kind, method, path, body, _headers(rng, area), auth)
