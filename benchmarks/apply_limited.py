"""An apply under a rate limit the server enforces strictly: 429s, and how much of the window
the client uses.

    .venv/bin/python benchmarks/apply_limited.py [--service luxsci|lianamailer]
                                                  [--changes 130] [--scale 1]

The sandbox enforces the service's documented limit as a sliding window (LuxSci: 60
requests in any 60 seconds; LianaMailer: 4 in any second), answering 429 past it; the client
keeps its own documented limiter. The account holds ``--changes`` objects (LuxSci aliases,
LianaMailer mailing lists) and the stack file changes every one, so the apply sends one
request per change, 4 workers at a time. Printed: the requests, the 429s the sandbox
answered, the most requests any window held, and the share of the window used: the time an
ideal client needs for the requests over the time this one took. Against a strict sliding
window the ideal sends ``limit`` requests at once and the next ``limit`` a window later, so
N requests need ``(N - 1) // limit`` windows. ``--scale 0.1`` shrinks both windows tenfold
(LuxSci: 60 in any 6 s) for a quick run; the limiter's behaviour does not depend on the
window's length, only the wall time does.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # the sandbox's request counter lives in the test package
    sys.path.insert(0, str(REPO))

from mailform.cli.connect import sandbox_environment
from mailform.engine.manager import Manager
from mailform.engine.stack import load_stack
from mailform.http import SlidingWindow
from mailform.sandbox.server import SandboxApp, SandboxServer
from mailform.services import SERVICES, catalog
from tests.accounts import CountingApp

#: The documented limits: (requests, window in seconds).
LIMITS = {"luxsci": (60, 60.0), "lianamailer": (4, 1.0)}


def stack_text(service: str, n: int, *, version: int) -> str:
    """``n`` objects of the service, each with a field that ``version`` changes."""
    if service == "luxsci":
        lines = ["luxsci:", "  domains:"]
        lines += [f"    - {{domain: d{d}.example.com}}" for d in range((n + 99) // 100)]
        lines.append("  aliases:")
        lines += [
            f"    - {{alias: a{i}@d{i // 100}.example.com, dest: [v{version}@example.org]}}"
            for i in range(n)
        ]
    else:
        lines = ["lianamailer:", "  sites:", "    - {domain: join.example.com}", "  lists:"]
        lines += [
            f"    - {{name: L{i}, description: v{version}, site: join.example.com}}"
            for i in range(n)
        ]
    return "\n".join(lines) + "\n"


@dataclass
class LimitedApply:
    """One apply under a strict limit."""

    requests: int
    refused: int
    most_in_window: int
    window_used: float
    wall_s: float


def most_in_window(times: list[float], window: float) -> int:
    """The most of ``times`` within any ``window`` seconds."""
    times = sorted(times)
    most, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


def measure(service: str, changes: int, *, scale: float = 1.0) -> LimitedApply:
    """Apply ``changes`` updates under the service's limit, its window scaled by ``scale``."""
    limit, window = LIMITS[service]
    window *= scale
    app = SandboxApp(create_limits={"domains": 10**6, "aliases": 10**6, "users": 10**6})
    arrivals = CountingApp(app)
    with tempfile.TemporaryDirectory() as tmp, SandboxServer(arrivals) as server:  # type: ignore[arg-type]  # an app, wrapped
        control = server.control_client(timeout=120)
        control.post("/seed", content=stack_text(service, changes, version=1)).raise_for_status()
        control.put(
            "/faults", json={"rate_limit": {"requests": limit, "window": window}}
        ).raise_for_status()
        control.close()
        path = Path(tmp) / "stack.yaml"
        path.write_text(stack_text(service, changes, version=2))
        stack = load_stack(path, catalog())
        environ = sandbox_environment(app, server.base_url)
        session = SERVICES[service].connect(environ=environ, limiter=SlidingWindow(limit, window))
        try:
            manager = Manager(SERVICES, {service: session})
            plan = manager.plan(stack)
            assert len(plan.changes) == changes, len(plan.changes)
            # the apply starts with a full window, as a run that did not just plan would
            time.sleep(window)
            first, answered = len(arrivals.arrivals), len(arrivals.requests)
            started = time.monotonic()
            report = manager.apply(plan, workers=4)
            wall = time.monotonic() - started
            assert report.succeeded, [r.detail for r in report.results if r.detail][:3]
        finally:
            session.close()
    sent = arrivals.arrivals[first:]
    span = sent[-1] - sent[0] if len(sent) > 1 else 0.0
    ideal = (len(sent) - 1) // limit * window
    return LimitedApply(
        requests=len(sent),
        refused=sum(1 for *_, status in arrivals.api_requests(answered) if status == 429),
        most_in_window=most_in_window(sent, window),
        window_used=ideal / span if span else 1.0,
        wall_s=wall,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", choices=sorted(LIMITS), default="luxsci")
    parser.add_argument("--changes", type=int, default=130)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    run = measure(args.service, args.changes, scale=args.scale)
    limit, window = LIMITS[args.service]
    print(f"{args.service}: {limit} in any {window * args.scale:g} s, {args.changes} changes")
    print(f"requests {run.requests}, 429s {run.refused}, most in a window {run.most_in_window}")
    print(f"window used {run.window_used:.1%}, wall {run.wall_s:.1f} s")


if __name__ == "__main__":
    main()
