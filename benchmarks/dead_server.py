"""An apply whose services die after the plan: how long until it gives up, and what it says.

    .venv/bin/python benchmarks/dead_server.py [--aliases 24] [--lists 8] [--no-breaker]

The sandbox holds a LuxSci domain and a LianaMailer site; the stack file adds ``--aliases``
aliases to the domain and ``--lists`` mailing lists to the site, changes that do not wait
for each other (each would run its own retries). The plan is made while the
sandbox answers; then the sandbox stops (its port refuses connections, as a dead server's
does) and the plan is applied with the clients' defaults: the documented rate limits (60
requests a minute for LuxSci, 4 a second for LianaMailer), five attempts per request, the
circuit breaker (``mailform.http.breaker``) unless ``--no-breaker``. Printed: the wall time
of the apply, the requests each client sent, and the outcomes.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from mailform.cli.connect import sandbox_environment
from mailform.engine.manager import Manager
from mailform.engine.stack import load_stack
from mailform.sandbox.server import SandboxApp, SandboxServer
from mailform.services import SERVICES, catalog

SEED = """
luxsci:
  domains: [{domain: example.com}]
lianamailer:
  sites: [{domain: join.example.com}]
"""


def stack_text(aliases: int, lists: int) -> str:
    """The seeded domain with ``aliases`` aliases, the site with ``lists`` lists."""
    lines = ["luxsci:", "  domains: [{domain: example.com}]", "  aliases:"]
    lines += [f"    - {{alias: a{n}@example.com, dest: [ann@example.org]}}" for n in range(aliases)]
    lines += ["lianamailer:", "  sites: [{domain: join.example.com}]", "  lists:"]
    lines += [f"    - {{name: L{n}, site: join.example.com}}" for n in range(lists)]
    return "\n".join(lines) + "\n"


def measure(aliases: int, lists: int, *, breaker: bool) -> None:
    """Plan against a live sandbox, stop it, apply, and print what happened."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stack.yaml"
        path.write_text(stack_text(aliases, lists))
        stack = load_stack(path, catalog())
        app = SandboxApp()
        server = SandboxServer(app).start()
        with server.control_client() as control:
            control.post("/seed", content=SEED).raise_for_status()
        environ = sandbox_environment(app, server.base_url)
        sessions = {
            name: SERVICES[name].connect(environ=environ, circuit_breaker=breaker)
            for name in ("luxsci", "lianamailer")
        }
        manager = Manager(SERVICES, sessions)
        plan = manager.plan(stack)
        sent_before = {name: s.client.requests_sent for name, s in sessions.items()}
        server.stop()
        started = time.monotonic()
        report = manager.apply(plan, workers=4)
        wall = time.monotonic() - started
        sent = {name: s.client.requests_sent - sent_before[name] for name, s in sessions.items()}
    outcomes = Counter(str(result.outcome) for result in report.results)
    print(f"circuit breaker: {'on' if breaker else 'off'}; {len(plan.changes)} changes")
    print(f"apply gave up after {wall:.1f} s; requests sent: {sent}")
    print("outcomes: " + ", ".join(f"{count} {outcome}" for outcome, count in outcomes.items()))
    for service, why in report.unavailable.items():
        print(f"stopped early: {service}: {why}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aliases", type=int, default=24)
    parser.add_argument("--lists", type=int, default=8)
    parser.add_argument("--no-breaker", action="store_true", help="Clients without the breaker.")
    args = parser.parse_args()
    measure(args.aliases, args.lists, breaker=not args.no_breaker)


if __name__ == "__main__":
    main()
