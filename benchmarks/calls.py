"""API calls per change, per object type, both services: what an apply costs on the wire.

    .venv/bin/python benchmarks/calls.py [--per-type 20]

Against the sandbox over real HTTP (no rate limiter), it creates ``--per-type`` objects of
every type that the API can create, then updates each, then deletes each (pruning), one type
at a time (``--target``), and counts the requests each apply sent (the plan's own reads
are not counted). The goal (issue 13): one call per update and per delete, one per create
plus at most one per type. A consent type also costs one ``updateSite`` per site it is
offered on or withdrawn from (the API has no call that attaches it), and its first change
of a run reads the sites once.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mailform.cli.connect import sandbox_environment
from mailform.engine.manager import Manager
from mailform.engine.outside import Dns
from mailform.engine.selection import Selector
from mailform.engine.stack import load_stack
from mailform.sandbox.server import SandboxApp, SandboxServer
from mailform.services import SERVICES, catalog

#: Types no API call creates (servers are provisioned by LuxSci) or deletes.
NOT_CREATED = {"luxsci.servers"}
NOT_DELETED = {"luxsci.servers", "luxsci.custom_fields"}


def stack_text(n: int, version: int, *, prune: bool = False) -> str:
    """``n`` objects of every creatable type; ``version`` changes an updatable field of each."""
    owner = "owner@d0.example.com"
    password = "password: {env: BENCH_PASSWORD}"
    lines: list[str] = []
    if prune:
        types = [f"{s}.{t.name}" for s, ts in catalog().items() for t in ts]
        kept = NOT_DELETED - NOT_CREATED
        lines += ["mailform:", f"  prune: [{', '.join(t for t in types if t not in kept)}]"]
        lines += ["luxsci:", "  users:", f"    - {{user: {owner}}}", "  domains:"]
        lines += ["    - {domain: d0.example.com}", "  custom_fields:"]
        lines += [
            f"    - {{owner: {owner}, code_word: f{i}, name: F{i}, type: text}}" for i in range(n)
        ]
        return "\n".join(lines) + "\n"
    lines += ["luxsci:", "  domains:"]
    lines += [f"    - {{domain: d{i}.example.com}}" for i in range(n)]
    lines += ["  dkim:"] + [f"    - {{domain: d{i}.example.com}}" for i in range(n)]
    lines += ["  bounce_domains:"] + [
        f"    - {{bounce_domain: bounce.d{i}.example.com, from_domain: d{i}.example.com}}"
        for i in range(n)
    ]
    lines += [
        "  users:",
        f"    - {{user: {owner}, name: Owner {version}, {password}}}",
    ] + [f"    - {{user: u{i}@d0.example.com, name: User {version}, {password}}}" for i in range(n)]
    lines += ["  aliases:"] + [
        f"    - {{alias: a{i}@d0.example.com, dest: [v{version}@example.org]}}" for i in range(n)
    ]
    lines += ["  custom_fields:"] + [
        f"    - {{owner: {owner}, code_word: f{i}, name: F{i}, type: text}}" for i in range(n)
    ]
    lines += ["  template_groups:", f"    - {{owner: {owner}, name: G}}"]
    lines += ["  templates:"] + [
        f"    - {{owner: {owner}, name: T{i}, code_word: t{i}, group: G, subject: S{version}}}"
        for i in range(n)
    ]
    lines += ["  content_tags:"] + [
        f"    - {{owner: {owner}, code_word: c{i}, name: C{i}, content: v{version}}}"
        for i in range(n)
    ]
    lines += ["  list_groups:", f"    - {{owner: {owner}, name: L}}"]
    lines += ["  lists:"] + [
        f"    - {{owner: {owner}, name: L{i}, group: L, from_name: V{version}}}" for i in range(n)
    ]
    lines += ["lianamailer:", "  sites:"] + [
        f"    - {{domain: s{i}.example.com, ssl: {'true' if version % 2 else 'false'}}}"
        for i in range(n)
    ]
    lines += ["  properties:"] + [
        f"    - {{name: p{i}, type: text, position: {i + version}}}" for i in range(n)
    ]
    lines += ["  consent_types:"] + [
        f"    - {{name: C{i}, is_revokable: {'true' if version % 2 else 'false'}, "
        f"sites: [s0.example.com]}}"
        for i in range(n)
    ]
    lines += ["  lists:"] + [
        f"    - {{name: L{i}, description: v{version}, site: s0.example.com}}" for i in range(n)
    ]
    return "\n".join(lines) + "\n"


def dns_seed(n: int) -> str:
    """The bounce domains' CNAMEs, which a create needs published."""
    records = "".join(f"    bounce.d{i}.example.com: bounces.luxsci.net\n" for i in range(n))
    return f"sandbox:\n  dns:\n{records}"


@contextmanager
def sandbox(seed: str) -> Iterator[tuple[Manager, Callable[[], int]]]:
    """A manager over a fresh sandbox seeded with ``seed``, and a function answering the
    requests sent so far."""
    limits = {"domains": 10**6, "aliases": 10**6, "users": 10**6}
    app = SandboxApp(create_limits=limits)
    with SandboxServer(app) as server:
        with server.control_client() as control:
            control.post("/seed", content=seed).raise_for_status()
        environ = sandbox_environment(app, server.base_url, server.dns_address)
        sessions = {
            name: SERVICES[name].connect(environ=environ, rate_limit=0) for name in SERVICES
        }
        manager = Manager(SERVICES, sessions, dns=Dns.parse(server.dns_address))

        def sent() -> int:
            return sum(session.client.requests_sent for session in sessions.values())

        try:
            yield manager, sent
        finally:
            for session in sessions.values():
                session.close()


def measure(per_type: int) -> list[tuple[str, str, int, int]]:
    """(type, action, changes, calls) for every type and action."""
    os.environ.setdefault("BENCH_PASSWORD", "Bench-password-1")  # the users' {env: ...}
    rows: list[tuple[str, str, int, int]] = []
    types = [(s, t.name) for s, ts in catalog().items() for t in ts]
    with tempfile.TemporaryDirectory() as tmp, sandbox(dns_seed(per_type)) as (manager, sent):
        steps = [("create", stack_text(per_type, 1), types)]
        steps.append(("update", stack_text(per_type, 2), types))
        steps.append(("delete", stack_text(per_type, 2, prune=True), list(reversed(types))))
        for action, text, order in steps:
            path = Path(tmp) / f"{action}.yaml"
            path.write_text(text)
            stack = load_stack(path, catalog())
            for service, name in order:
                selector = Selector.parse(f"{service}.{name}", [f"{service}.{name}"])
                plan = manager.plan(stack, targets=[selector])
                mine = [c for c in plan.changes if c.id.type_name == name]
                if not mine:
                    continue
                assert not plan.problems, plan.problems
                before = sent()
                report = manager.apply(plan, workers=4)
                assert report.succeeded, report
                rows.append((f"{service}.{name}", action, len(mine), sent() - before))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-type", type=int, default=20)
    args = parser.parse_args()
    print(f"{'type':<26} {'action':<7} {'changes':>8} {'calls':>6} {'extra':>6}")
    for type_name, action, changes, calls in measure(args.per_type):
        print(f"{type_name:<26} {action:<7} {changes:>8} {calls:>6} {calls - changes:>6}")


if __name__ == "__main__":
    main()
