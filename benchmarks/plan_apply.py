"""Plan and apply against the sandbox with N objects and injected latency, beside the
per-object-GET baseline that naive providers use.

    .venv/bin/python benchmarks/plan_apply.py [--sizes 10,100,1000,5000] [--latency 0.005]

For each N: the sandbox is seeded with N aliases (spread over domains of at most 100, the
documented per-domain cap); the stack declares all of them with a tenth changed. It prints
API calls and wall time for `plan` (reads only), `apply` (the changes, 4 workers), and for
the baseline that reads each declared alias with its own GET. All in one process, over real
HTTP on loopback, with the client's rate limiter off (the sandbox's latency is the cost).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from mailform.cli.connect import sandbox_environment
from mailform.engine.manager import Manager
from mailform.engine.stack import load_stack
from mailform.sandbox.server import SandboxApp, SandboxServer
from mailform.services import SERVICES, catalog
from mailform.services.luxsci.objects.alias import ALIASES
from mailform.services.luxsci.service import connect


def stack_text(n: int, changed: bool) -> str:
    domains = max(1, (n + 99) // 100)
    lines = ["luxsci:", "  domains:"]
    lines += [f"    - domain: d{d}.example.com" for d in range(domains)]
    lines.append("  aliases:")
    for i in range(n):
        dest = "new@example.org" if changed and i % 10 == 0 else "old@example.org"
        lines.append(f"    - {{alias: a{i}@d{i // 100}.example.com, dest: [{dest}]}}")
    return "\n".join(lines) + "\n"


def run(n: int, latency: float, workdir: Path) -> dict[str, float]:
    app = SandboxApp(create_limits={"domains": 10**6, "aliases": 10**6, "users": 10**6})
    with SandboxServer(app) as server:
        control = server.control_client(timeout=120)
        control.post("/seed", content=stack_text(n, changed=False)).raise_for_status()
        control.put("/faults", json={"latency": latency}).raise_for_status()
        stack_file = workdir / f"stack-{n}.yaml"
        stack_file.write_text(stack_text(n, changed=True))
        stack = load_stack(stack_file, catalog())
        environ = sandbox_environment(app, server.base_url)
        figures: dict[str, float] = {}

        session = connect(environ=environ, rate_limit=0)
        manager = Manager(SERVICES, {"luxsci": session})
        started = time.perf_counter()
        plan = manager.plan(stack)
        figures["plan_s"] = time.perf_counter() - started
        figures["plan_calls"] = session.client.requests_sent
        figures["changes"] = len(plan.changes)

        before = session.client.requests_sent
        started = time.perf_counter()
        report = manager.apply(plan, workers=4)
        figures["apply_s"] = time.perf_counter() - started
        figures["apply_calls"] = session.client.requests_sent - before
        assert report.succeeded
        session.close()

        baseline = connect(environ=environ, rate_limit=0)
        api = ALIASES.api(baseline)
        started = time.perf_counter()
        for obj in stack.objects:
            if obj.id.type_name == "aliases":
                api.get(obj.id.key[0])
        figures["baseline_s"] = time.perf_counter() - started
        figures["baseline_calls"] = baseline.client.requests_sent
        baseline.close()
        control.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,5000")
    parser.add_argument("--latency", type=float, default=0.005, help="seconds per request")
    args = parser.parse_args()
    print(f"latency injected: {args.latency * 1000:.0f} ms per request")
    header = (
        f"{'N':>6} {'changes':>8} {'plan calls':>11} {'plan s':>8} {'apply calls':>12} "
        f"{'apply s':>8} {'per-GET calls':>14} {'per-GET s':>10}"
    )
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(size) for size in args.sizes.split(",")):
            f = run(n, args.latency, Path(tmp))
            print(
                f"{n:>6} {f['changes']:>8.0f} {f['plan_calls']:>11.0f} {f['plan_s']:>8.2f} "
                f"{f['apply_calls']:>12.0f} {f['apply_s']:>8.2f} {f['baseline_calls']:>14.0f} "
                f"{f['baseline_s']:>10.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
