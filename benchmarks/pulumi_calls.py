"""API calls of ``pulumi up`` and ``pulumi refresh`` under the real Pulumi engine.

    .venv/bin/python benchmarks/pulumi_calls.py [--creates 200] [--refreshed 5000]

The repository's project (``Pulumi.yaml``, ``__main__.py``, a stack file under ``stacks/``)
runs under the real ``pulumi`` CLI, as the end-to-end tests run it (``tests/e2e/project.py``:
the Automation API with the SDK's language host, a file backend, the dynamic-provider plugin
as a process of its own), against the sandbox over real HTTP on loopback, which records every
request. The provider's settings are the defaults but for ``rateLimit: 0`` (the sandbox has
no limit to respect); ``readCacheSeconds`` keeps its default (the whole command).

1. **up, creates**: a stack of ``--creates`` aliases (50 to a domain, in new domains) and as
   many LianaMailer mailing lists on one new site, into an empty account. Goal (issue 13):
   one call per create plus one per object type read: the four declared, and the users
   (``READ_BESIDES``), which the aliases' checks read.
2. **up again**: the same ``up``, nothing changed. Goal: no calls.
3. **refresh**: a stack of ``--refreshed`` existing objects (half aliases, 100 to a domain,
   half mailing lists, 100 to a site, plus those domains and sites), seeded into the
   sandbox, taken into the state by an ``up`` that adopts them, then ``pulumi refresh``.
   Goal: about one list call per object type.

The adopting ``up`` is set-up, measured but not under the defaults: it runs with
``PULUMI_SKIP_CHECKPOINTS=true`` (the file backend otherwise writes the whole state after
every step, which grows with the square of the resources: 600 objects take 63 s instead of
15 s, 1,200 take 236 s instead of 25 s, 5,000 would take about an hour). The default run
takes about two and a half minutes on two cores; the refresh of 5,000 objects about 15 s
of it.

Requests are counted by call: LuxSci's by method and path (the account id and the object's
key left out), LianaMailer's V1 calls by name (all are POSTs: ``getMailingLists`` reads,
``createMailingList`` writes). Logging in (LuxSci's ``POST /auth``) is counted apart: it is
one per plugin process, not per object. ``figures()`` returns the measurements as
(measure, figure, goal) rows, for ``benchmarks/table.py``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # the e2e machinery lives in the test package
    sys.path.insert(0, str(REPO))

from mailform.sandbox.lianamailer import app as lianamailer_app
from mailform.sandbox.luxsci import app as luxsci_app
from mailform.sandbox.server import SandboxApp, SandboxServer
from tests.accounts import Account, CountingApp
from tests.e2e.project import PulumiProject

NO_LIMITS = {"domains": 10**6, "aliases": 10**6, "users": 10**6}
ALIASES_PER_NEW_DOMAIN = 50
ALIASES_PER_SEEDED_DOMAIN = 100  # LuxSci's cap on a domain without users
#: The existing lists are spread over sites: a new resource's ``check`` is judged against
#: every object that needs what it needs (``mailform.pulumi.neighbourhood``), so adopting
#: thousands of lists on one site costs the square of their number (1,000 lists on one
#: site: 240 s; on ten sites: 19 s). The refresh itself does not depend on it.
LISTS_PER_SEEDED_SITE = 100
SITE = "join.example.com"

#: The types the checks of the created stack read besides those it declares: an alias's
#: address must not be a user's (LuxSci keeps one namespace of addresses).
READ_BESIDES = ("users",)


@dataclass
class Requests:
    """The requests of one step, counted by kind (auth, read, write) and by call."""

    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, requests: list[tuple[str, str, int]]) -> Requests:
        """Count ``(method, path, status)`` records as the sandbox saw them."""
        counted = cls()
        for method, path, _status in requests:
            kind, call = classify(method, path)
            counted.kinds[kind] += 1
            counted.calls[(kind, call)] += 1
        return counted

    @property
    def api(self) -> int:
        """Reads and writes: every request but logging in."""
        return self.kinds["read"] + self.kinds["write"]


def classify(method: str, path: str) -> tuple[str, str]:
    """A request's kind (``auth``, ``read``, ``write``) and its call in words:
    ``luxsci GET aliases``, ``luxsci PUT aliases/{key}``, ``lianamailer getMailingLists``."""
    scope = {"method": method, "path": path}
    if path.startswith(lianamailer_app.V1_PREFIX):
        name = path.removeprefix(lianamailer_app.V1_PREFIX)
        kind = "write" if lianamailer_app.is_change(scope) else "read"
        return kind, f"lianamailer {name}"
    if path.startswith(luxsci_app.BASE_PATH):
        if path == luxsci_app.AUTH_PATH:
            return "auth", f"luxsci {method} auth"
        kind = "write" if luxsci_app.is_change(scope) else "read"
        # /account/{id}/aliases/x, /user/{login}/marketing/lists: drop the ids and the keys
        words = path.removeprefix(luxsci_app.BASE_PATH).strip("/").split("/")[2:]
        collection = words[:2] if words[:1] == ["marketing"] else words[:1]
        keyed = len(words) > len(collection)
        return kind, f"luxsci {method} {'/'.join(collection)}{'/{key}' if keyed else ''}"
    return "other", f"{method} {path}"


def create_stack(n: int) -> str:
    """``n`` aliases in new domains and ``n`` mailing lists on a new site."""
    domains = (n + ALIASES_PER_NEW_DOMAIN - 1) // ALIASES_PER_NEW_DOMAIN
    lines = ["luxsci:", "  domains:"]
    lines += [f"    - {{domain: d{d}.example.com}}" for d in range(domains)]
    lines.append("  aliases:")
    lines += [
        f"    - {{alias: a{i}@d{i // ALIASES_PER_NEW_DOMAIN}.example.com, dest: [x@example.org]}}"
        for i in range(n)
    ]
    lines += ["lianamailer:", "  sites:", f"    - {{domain: {SITE}}}", "  lists:"]
    lines += [f"    - {{name: List {i}, description: d, site: {SITE}}}" for i in range(n)]
    return "\n".join(lines) + "\n"


def existing_stack(m: int) -> str:
    """About ``m`` existing objects: ``m // 2`` aliases (100 to a domain) and the rest
    mailing lists (100 to a site), with their domains and sites."""
    aliases, lists = m // 2, m - m // 2
    per, per_site = ALIASES_PER_SEEDED_DOMAIN, LISTS_PER_SEEDED_SITE
    lines = ["luxsci:", "  domains:"]
    lines += [f"    - {{domain: e{d}.example.com}}" for d in range((aliases + per - 1) // per)]
    lines.append("  aliases:")
    lines += [
        f"    - {{alias: b{i}@e{i // per}.example.com, dest: [x@example.org]}}"
        for i in range(aliases)
    ]
    lines += ["lianamailer:", "  sites:"]
    lines += [
        f"    - {{domain: s{j}.example.com}}" for j in range((lists + per_site - 1) // per_site)
    ]
    lines.append("  lists:")
    lines += [
        f"    - {{name: Kept {i}, description: d, site: s{i // per_site}.example.com}}"
        for i in range(lists)
    ]
    return "\n".join(lines) + "\n"


def declared_counts(text: str) -> tuple[int, int]:
    """The objects and object types a stack text of this module declares."""
    objects = sum(1 for line in text.splitlines() if line.startswith("    - "))
    types = sum(1 for line in text.splitlines() if line.startswith("  ") and line.endswith(":"))
    return objects, types


def pulumi_bin() -> Path:
    """The directory of the ``pulumi`` CLI (``scripts/pulumi-cli`` builds it if missing)."""
    done = subprocess.run(
        [REPO / "scripts" / "pulumi-cli"], capture_output=True, text=True, check=True
    )
    return Path(done.stdout.strip().splitlines()[-1])


class BenchProject(PulumiProject):
    """The e2e tests' project, with more time per operation and variables of its own."""

    operation_timeout = 3600.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extra_environ: dict[str, str] = {}

    def environ(self) -> dict[str, str]:
        return {**super().environ(), **self.extra_environ}


@dataclass
class Step:
    """One ``pulumi`` operation: what it sent, and its wall seconds."""

    name: str
    requests: Requests
    seconds: float


class Bench:
    """A sandbox recording its requests, and a project with one stack pointed at it."""

    def __init__(self, workdir: Path, bin_dir: Path, name: str) -> None:
        self.recorder = CountingApp(SandboxApp(create_limits=NO_LIMITS))
        self.server = SandboxServer(self.recorder)  # type: ignore[arg-type]
        self.workdir = workdir / name
        self.workdir.mkdir()
        self.bin_dir = bin_dir
        self.name = name

    def __enter__(self) -> Bench:
        self.server.__enter__()
        self.account = Account(self.server, self.recorder)
        self.project = BenchProject.from_repository(
            self.workdir / "project", self.bin_dir, self.account
        )
        self.project.init_stack(self.name, rateLimit="0")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)

    def declare(self, text: str) -> None:
        """Write the stack file of the project's stack."""
        self.project.stack_file.write_text(text, encoding="utf-8")

    def step(self, name: str, operation: Callable[[], object]) -> Step:
        """Run ``operation`` (a ``pulumi`` command); what the sandbox saw meanwhile."""
        first = len(self.recorder.requests)
        started = time.perf_counter()
        operation()
        seconds = time.perf_counter() - started
        print(f"  ({name}: {seconds:.0f} s)", file=sys.stderr, flush=True)
        return Step(name, Requests.of(self.recorder.requests[first:]), seconds)


def met(value: int, goal: int) -> str:
    return "met" if value <= goal else "NOT MET"


def step_rows(step: Step, goal: str) -> list[tuple[str, str, str]]:
    """A step's rows: its requests beside the goal, its logins and time, then each call's
    count."""
    kinds = step.requests.kinds
    summary = f"{step.requests.api} ({kinds['write']} writes, {kinds['read']} reads)"
    rows = [
        (f"{step.name}: API calls", summary, goal),
        (f"{step.name}: logins (POST /auth)", str(kinds["auth"]), ""),
        (f"{step.name}: wall", f"{step.seconds:.1f} s", ""),
    ]
    for (kind, call), count in sorted(step.requests.calls.items()):
        if kind != "auth":
            rows.append((f"    {kind} {call}", str(count), ""))
    return rows


def figures(n: int = 200, m: int = 5000) -> list[tuple[str, str, str]]:
    """The measurements as (measure, figure, goal) rows: ``up`` of ``2 n`` creates (``n``
    aliases, ``n`` mailing lists, their parents), the same ``up`` again, and ``refresh`` of
    about ``m`` existing objects."""
    bin_dir = pulumi_bin()
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        with Bench(Path(tmp), bin_dir, "creates") as bench:
            text = create_stack(n)
            creates, types = declared_counts(text)
            types += len(READ_BESIDES)
            bench.declare(text)
            up = bench.step(f"up, {creates} creates", bench.project.up)
            goal = creates + types
            over = f", {up.requests.api - goal} over" if up.requests.api > goal else ""
            mark = met(up.requests.api, goal)
            rows += step_rows(up, f"{goal} = {creates} creates + {types} types read ({mark}{over})")
            again = bench.step("up again, no changes", bench.project.up)
            rows += step_rows(again, f"0 ({met(again.requests.api, 0)})")

        text = existing_stack(m)
        objects, types = declared_counts(text)
        with Bench(Path(tmp), bin_dir, "existing") as bench:
            bench.account.seed(text)
            bench.declare(text)
            bench.project.extra_environ["PULUMI_SKIP_CHECKPOINTS"] = "true"
            name = f"up, adopting {objects} (set-up)"
            adopt = bench.step(name, bench.project.up)
            del bench.project.extra_environ["PULUMI_SKIP_CHECKPOINTS"]
            read = types + len(READ_BESIDES)
            mark = met(adopt.requests.api, read)
            rows += step_rows(adopt, f"{read}, one list per type read ({mark})")
            refresh = bench.step(f"refresh, {objects} objects", bench.project.refresh)
            mark = met(refresh.requests.api, types)
            rows += step_rows(refresh, f"{types}, one list per type ({mark})")
    return rows


def versions(bin_dir: Path) -> str:
    """The Pulumi CLI's and Python SDK's versions."""
    done = subprocess.run(
        [bin_dir / "pulumi", "version"], capture_output=True, text=True, check=True
    )
    return f"Pulumi CLI {done.stdout.strip()}, SDK {metadata.version('pulumi')}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=200, help="aliases, and as many lists")
    parser.add_argument("--refreshed", type=int, default=5000, help="existing objects")
    args = parser.parse_args()
    machine = f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    print(f"machine: {machine}; {versions(pulumi_bin())}")
    print(f"{'measure':<52} {'figure':>28}   goal")
    started = time.perf_counter()
    for measure, figure, goal in figures(args.creates, args.refreshed):
        print(f"{measure:<52} {figure:>28}   {goal}", flush=True)
    print(f"{'whole run: wall':<52} {time.perf_counter() - started:>26.0f} s")


if __name__ == "__main__":
    main()
