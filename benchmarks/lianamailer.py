"""LianaMailer plan and apply against the sandbox with N mailing lists, under the client's
documented 4 requests/second limit and without it.

    .venv/bin/python benchmarks/lianamailer.py [--sizes 10,100,1000] [--latency 0.005]

For each N: the sandbox is seeded with a site and N lists on it; the stack declares all of
them with a tenth of the descriptions changed. It prints API calls and wall time for `plan`
(reads only), and for `apply` (the changes, 4 workers) twice: with the client's default
limiter (4/s, what a real account allows) and with it off (the sandbox's latency is then the
cost), plus the highest number of requests the limited client sent in any one second.
Over real HTTP on loopback, in one process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # the sandbox's request counter lives in the test package
    sys.path.insert(0, str(REPO))

from mailform.cli.connect import sandbox_environment
from mailform.engine.manager import Manager
from mailform.engine.stack import load_stack
from mailform.sandbox.server import SandboxApp, SandboxServer
from mailform.services import SERVICES, catalog
from mailform.services.lianamailer.service import connect
from tests.accounts import CountingApp


def stack_text(n: int, *, changed: bool) -> str:
    lines = ["lianamailer:", "  sites:", "    - {domain: join.example.com}", "  lists:"]
    for i in range(n):
        description = "changed" if changed and i % 10 == 0 else "original"
        lines.append(
            f"    - {{name: List {i}, description: {description}, site: join.example.com}}"
        )
    return "\n".join(lines) + "\n"


def peak_per_second(times: list[float]) -> int:
    """The most of ``times`` that fall within any one second."""
    times = sorted(times)
    peak, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


def apply_once(n: int, latency: float, workdir: Path, *, limited: bool) -> dict[str, float]:
    app = SandboxApp()
    recorder = CountingApp(app)
    with SandboxServer(recorder) as server:  # type: ignore[arg-type]
        control = server.control_client(timeout=120)
        control.post("/seed", content=stack_text(n, changed=False)).raise_for_status()
        control.put("/faults", json={"latency": latency}).raise_for_status()
        stack_file = workdir / f"lists-{n}.yaml"
        stack_file.write_text(stack_text(n, changed=True))
        stack = load_stack(stack_file, catalog())
        environ = sandbox_environment(app, server.base_url)
        session = connect(environ=environ, rate_limit=None if limited else 0)
        manager = Manager(SERVICES, {"lianamailer": session})
        figures: dict[str, float] = {}

        started = time.perf_counter()
        plan = manager.plan(stack)
        figures["plan_s"] = time.perf_counter() - started
        figures["plan_calls"] = session.client.requests_sent
        figures["changes"] = len(plan.changes)

        before = session.client.requests_sent
        first = len(recorder.arrivals)
        started = time.perf_counter()
        report = manager.apply(plan, workers=4)
        figures["apply_s"] = time.perf_counter() - started
        figures["apply_calls"] = session.client.requests_sent - before
        figures["peak_per_s"] = peak_per_second(recorder.arrivals[first:])
        assert report.succeeded, [r.detail for r in report.results if r.detail]
        assert not manager.plan(stack).changes
        session.close()
        control.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--latency", type=float, default=0.005, help="seconds per request")
    args = parser.parse_args()
    print(f"latency injected: {args.latency * 1000:.0f} ms per request")
    print(
        f"{'N':>6} {'changes':>8} {'plan calls':>11} {'plan s':>8} {'apply calls':>12} "
        f"{'apply s (4/s)':>14} {'peak req/s':>11} {'apply s (no limit)':>19}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(size) for size in args.sizes.split(",")):
            limited = apply_once(n, args.latency, Path(tmp), limited=True)
            free = apply_once(n, args.latency, Path(tmp), limited=False)
            print(
                f"{n:>6} {limited['changes']:>8.0f} {limited['plan_calls']:>11.0f} "
                f"{limited['plan_s']:>8.2f} {limited['apply_calls']:>12.0f} "
                f"{limited['apply_s']:>14.2f} {limited['peak_per_s']:>11.0f} "
                f"{free['apply_s']:>19.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
