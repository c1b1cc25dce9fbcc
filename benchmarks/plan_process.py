"""The whole `mailform plan` process against a LuxSci account of N objects: CPU, peak memory,
wall time and API calls.

    .venv/bin/python benchmarks/plan_process.py [--size 5000] [--owners 25] [--latency 0.05]
                                                 [--rate-limited] [--runs 1]

The sandbox runs in this process (its own threads, over real HTTP on loopback), seeded with
a generated account: ``--owners`` Secure Marketing owners with 27 assets each (a custom field,
a template group, 8 templates, 8 content tags, a list group, 8 lists), and the rest domains
and aliases (at most 100 to a domain). The stack file declares all of it, with a tenth of
the aliases, templates and lists changed (10 % drift). `mailform plan` runs as a child
process, as a user runs it; its CPU and peak memory are the child's own (``getrusage``), and
the API calls are counted by the sandbox. With ``--rate-limited`` the sandbox enforces
LuxSci's documented 60 requests in any 60 seconds strictly (429 past it) and the client
keeps its documented limiter; otherwise neither limits.

The documented minimum for a plan of such a file is one list call per account-scope type
(domains, DKIM, aliases, users, servers: the bounce domains come with the domains) and one
per user-scope type and owner (LuxSci has no report that answers for several owners):
``5 + 6 * owners``, plus the two calls of the auth session (open, revoke).
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # the sandbox's request counter lives in the test package
    sys.path.insert(0, str(REPO))

from mailform.cli.connect import sandbox_environment
from mailform.sandbox.server import SandboxApp, SandboxServer
from tests.accounts import CountingApp

ASSETS_PER_OWNER = 27
ACCOUNT_TYPES = 5
USER_TYPES = 6
#: Opening the auth session (a token for the signed cookie) and revoking it.
AUTH_SESSION = 2
#: Runs a command (``argv[2:]``) and writes the CPU time and peak memory of it to a file
#: (``argv[1]``). The plan runs under this small process rather than as the benchmark's own
#: child: Linux counts into a process's peak memory (``ru_maxrss``) the memory of the
#: process that forked it, as it was at the fork (an exec keeps the old address space's
#: high-water mark), and the benchmark holds the seeded sandbox. Measured as its own child,
#: a plan of 50,000 objects that peaks at 261 MB (``VmHWM``) showed as 383 MB.
LAUNCHER = """
import json, resource, subprocess, sys
code = subprocess.run(sys.argv[2:], check=False).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu_s = usage.ru_utime + usage.ru_stime
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"code": code, "cpu_s": cpu_s, "peak_kb": usage.ru_maxrss}, out)
"""


def minimum_calls(owners: int) -> int:
    """The fewest calls a plan of the generated file can make (module docstring)."""
    return ACCOUNT_TYPES + USER_TYPES * owners + AUTH_SESSION


def account_text(size: int, owners: int, *, drift: bool) -> str:
    """A LuxSci account of about ``size`` objects as a stack file; ``drift`` changes a tenth
    of the aliases, templates and lists."""

    def changed(index: int) -> str:
        return "new" if drift and index % 10 == 0 else "old"

    rest = max(2, size - owners * (ASSETS_PER_OWNER + 1))
    domains = max(1, math.ceil(rest / 101))
    aliases = rest - domains
    lines = ["luxsci:", "  domains:"]
    lines += [f"    - {{domain: d{d}.example.com}}" for d in range(domains)]
    lines += ["  users:"]
    lines += [f"    - {{user: owner{k}@d0.example.com, name: Owner {k}}}" for k in range(owners)]
    lines += ["  aliases:"]
    lines += [
        f"    - {{alias: a{i}@d{i // 100}.example.com, dest: [{changed(i)}@example.org]}}"
        for i in range(aliases)
    ]
    sections: dict[str, list[str]] = {
        "custom_fields": [],
        "template_groups": [],
        "templates": [],
        "content_tags": [],
        "list_groups": [],
        "lists": [],
    }
    for k in range(owners):
        owner = f"owner{k}@d0.example.com"
        sections["custom_fields"].append(
            f"    - {{owner: {owner}, code_word: first_name, name: First name, type: text}}"
        )
        sections["template_groups"].append(f"    - {{owner: {owner}, name: Letters}}")
        sections["list_groups"].append(f"    - {{owner: {owner}, name: Customers}}")
        for i in range(8):
            sections["templates"].append(
                f"    - {{owner: {owner}, name: T{i}, code_word: t{i}, group: Letters, "
                f"subject: {changed(k * 8 + i)} news, body_html: <p>Hello</p>}}"
            )
            sections["content_tags"].append(
                f"    - {{owner: {owner}, code_word: c{i}, name: C{i}, content: Example}}"
            )
            sections["lists"].append(
                f"    - {{owner: {owner}, name: L{i}, group: Customers, "
                f"from_email: news@d0.example.com, from_name: {changed(k * 8 + i)}}}"
            )
    for name, entries in sections.items():
        if entries:
            lines += [f"  {name}:", *entries]
    return "\n".join(lines) + "\n"


@contextmanager
def seeded_sandbox(seed: str) -> Iterator[tuple[SandboxApp, SandboxServer, CountingApp]]:
    """A sandbox server seeded with ``seed``, with its requests counted."""
    limits = {"domains": 10**6, "aliases": 10**6, "users": 10**6}
    app = SandboxApp(create_limits=limits)
    counter = CountingApp(app)
    with SandboxServer(counter) as server:  # type: ignore[arg-type]  # an app, wrapped
        control = server.control_client(timeout=600)
        control.post("/seed", content=seed).raise_for_status()
        yield app, server, counter
        control.close()


@dataclass
class PlanRun:
    """One `mailform plan` process."""

    calls: int
    refused: int
    cpu_s: float
    peak_mb: float
    wall_s: float
    exit_code: int


def run_plan(
    app: SandboxApp,
    server: SandboxServer,
    counter: CountingApp,
    stack_file: Path,
    *,
    latency: float,
    rate_limited: bool,
) -> PlanRun:
    """``mailform plan stack_file`` in a child process against the running sandbox."""
    control = server.control_client(timeout=60)
    faults: dict[str, Any] = {"latency": latency}
    faults["rate_limit"] = "60/60s" if rate_limited else None
    control.put("/faults", json=faults).raise_for_status()
    control.close()
    environ = {**os.environ, **sandbox_environment(app, server.base_url)}
    mailform = str(Path(sys.executable).with_name("mailform"))
    command = [mailform, "-q", "plan", str(stack_file), "--format", "json"]
    if not rate_limited:
        command += ["--rate-limit", "0"]
    before = len(counter.requests)
    with tempfile.TemporaryDirectory() as tmp:
        usage_file = Path(tmp) / "usage.json"
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(usage_file), *command],
            env=environ,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        usage = json.loads(usage_file.read_text(encoding="utf-8"))
    if result.returncode not in (0, 2):
        raise RuntimeError(f"mailform plan failed ({result.returncode}): {result.stderr[-2000:]}")
    return PlanRun(
        calls=len(counter.api_requests(before)),
        refused=sum(1 for *_, status in counter.api_requests(before) if status == 429),
        cpu_s=usage["cpu_s"],
        peak_mb=usage["peak_kb"] / 1024,
        wall_s=wall,
        exit_code=result.returncode,
    )


def compiled_package() -> None:
    """Compile the package's bytecode, as ``pip install`` does. In an editable checkout
    under ``PYTHONDONTWRITEBYTECODE`` (set on some CI machines) nothing writes it, and every
    `mailform` process would compile all its modules from source: a cost no installed
    mailform has."""
    import mailform

    compileall.compile_dir(Path(mailform.__file__).parent, quiet=1)


def measure(
    size: int,
    owners: int,
    *,
    latency: float = 0.0,
    rate_limited: bool = False,
    runs: int = 1,
) -> PlanRun:
    """Seed an account of ``size`` objects, then time ``runs`` plans of it with 10 % drift;
    the median run by CPU (a CPU figure on a shared virtual machine varies by a tenth from
    one run to the next). Each run starts with the server's rate-limit window clear, as a
    plan started a minute after the last one would."""
    compiled_package()
    with (
        tempfile.TemporaryDirectory() as tmp,
        seeded_sandbox(account_text(size, owners, drift=False)) as (app, server, counter),
    ):
        stack_file = Path(tmp) / "stack.yaml"
        stack_file.write_text(account_text(size, owners, drift=True), encoding="utf-8")
        measured = []
        for _ in range(runs):
            control = server.control_client(timeout=60)
            control.put("/faults", json={"rate_limit": None}).raise_for_status()  # clears it
            control.close()
            measured.append(
                run_plan(
                    app, server, counter, stack_file, latency=latency, rate_limited=rate_limited
                )
            )
        return sorted(measured, key=lambda run: run.cpu_s)[len(measured) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--owners", type=int, default=25)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--rate-limited", action="store_true")
    parser.add_argument("--runs", type=int, default=1, help="plans to run; the median is shown")
    args = parser.parse_args()
    run = measure(
        args.size,
        args.owners,
        latency=args.latency,
        rate_limited=args.rate_limited,
        runs=args.runs,
    )
    print(f"objects {args.size}, owners {args.owners}, latency {args.latency * 1000:.0f} ms")
    print(f"calls {run.calls} (minimum {minimum_calls(args.owners)}), 429s {run.refused}")
    print(f"CPU {run.cpu_s:.2f} s, peak {run.peak_mb:.0f} MB, wall {run.wall_s:.2f} s")


if __name__ == "__main__":
    main()
