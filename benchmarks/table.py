"""The performance figures of issue 13 in one table, each beside its goal.

    .venv/bin/python benchmarks/table.py [--sizes 1000,5000,20000,50000]

Measured in this one process, on this machine:

- **load**: reading and validating a stack file of N aliases (``load_stack``);
- **diff**: planning them as creates without the network (``build_plan``);
- the process's peak memory after each size (the goal is about the whole plan);
- **limiter**: 300 requests under the LuxSci limit (60 in any minute) at 50 ms a round
  trip, with a simulated clock: the most requests any 60-second window holds, and the share
  of the window used.

The API calls of a plan and an apply against the sandbox are `plan_apply.py`'s (LuxSci)
and `lianamailer.py`'s. The goals not met yet are marked NOT MET.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from mailform.cli.main import GC_THRESHOLDS
from mailform.engine.diff import build_plan
from mailform.engine.stack import load_stack
from mailform.http import SlidingWindow
from mailform.services import catalog
from mailform.services.luxsci.service import OBJECT_TYPES


def stack_text(size: int) -> str:
    """``size`` aliases, 100 to a domain, and their domains."""
    domains = "".join(f"    - {{domain: d{n}.example.com}}\n" for n in range(max(1, size // 100)))
    aliases = "".join(
        f"    - {{alias: a{n}@d{n // 100}.example.com, dest: [x@example.org]}}\n"
        for n in range(size)
    )
    limits = f"mailform:\n  create_limits: {{luxsci.aliases: {size}, luxsci.domains: {size}}}\n"
    return f"{limits}luxsci:\n  domains:\n{domains}  aliases:\n{aliases}"


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    """``action()``'s result and its seconds of CPU."""
    started = time.process_time()
    result = action()
    return result, time.process_time() - started


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def limiter_figures(requests: int = 300, latency: float = 0.05) -> tuple[int, float]:
    """The most requests in any 60 s window, and the share of the windows used."""
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = SlidingWindow(60, 60.0, clock=lambda: now[0], sleep=sleep)
    sent = []
    for _ in range(requests):
        limiter.acquire()
        sent.append(now[0])
        now[0] += latency
        limiter.release()
    most = max(sum(1 for t in sent if start <= t < start + 60.0) for start in sent)
    ideal = (requests / 60 - 1) * 60.0
    return most, ideal / sent[-1] if sent[-1] else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000,50000")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    gc.set_threshold(*GC_THRESHOLDS)  # as the CLI runs
    python = platform.python_version()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {python}")
    print(f"{'figure':<34} {'N':>7} {'value':>10}   goal")
    with tempfile.TemporaryDirectory() as workdir:
        for size in sizes:
            path = Path(workdir) / f"stack-{size}.yaml"
            path.write_text(stack_text(size), encoding="utf-8")
            stack, load_s = timed(partial(load_stack, path, catalog()))
            plan, diff_s = timed(
                partial(
                    build_plan, stack.objects, [], OBJECT_TYPES, create_limits=stack.create_limits
                )
            )
            assert not plan.problems, plan.problems[:3]
            print(f"{'load, CPU (s)':<34} {size:>7} {load_s:>10.2f}")
            print(f"{'diff, CPU (s)':<34} {size:>7} {diff_s:>10.2f}")
            print(f"{'peak memory so far (MB)':<34} {size:>7} {peak_rss_mb():>10.0f}")
            if size == 50_000:
                total = load_s + diff_s
                mark = "met" if total < 5 else "NOT MET"
                memory = "met" if peak_rss_mb() < 300 else "NOT MET"
                peak = peak_rss_mb()
                print(f"{'peak memory, 50k (MB)':<34} {size:>7} {peak:>10.0f}   < 300 ({memory})")
                label = "load + diff, 50k (s)"
                print(f"{label:<34} {size:>7} {total:>10.2f}   < 5 s CPU ({mark})")
    most, used = limiter_figures()
    mark = "met" if most <= 60 else "NOT MET"
    print(f"{'limiter: most in any 60 s':<34} {300:>7} {most:>10}   <= 60 ({mark})")
    mark = "met" if used >= 0.95 else "NOT MET"
    print(f"{'limiter: share of windows used':<34} {300:>7} {used:>10.1%}   >= 95 % ({mark})")


if __name__ == "__main__":
    main()
