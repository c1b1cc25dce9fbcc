"""The fault matrix: each of the sandbox's faults alone and all of them together, at several
rates, against both services: apply a stack, re-run until it converges, and count.

    .venv/bin/python -m benchmarks.fault_matrix [--rates 0.1,0.3,0.6] [--trials 2]
                                                [--size 3] [--reruns 6] [--seed 14]
                                                [--only late_commits,drops]

(as a module, from the repository's root: it counts duplicates as
``benchmarks/kill_trials.py`` does).

One sandbox serves every trial over HTTP, emptied and seeded before each (a LuxSci domain
and its user, a LianaMailer site). The stack file adds, for each, ``--size`` aliases,
template groups, templates, list groups, marketing lists, mailing lists and consent types:
the types whose names the services do not keep unique are most of it. A trial turns its
faults on (``PUT /_sandbox/faults``) and runs ``apply`` as the CLI would, each run in new
sessions (a run is a new process), until a plan shows nothing to change or ``--reruns``
re-runs are spent. The clients give up on an answer after ``TIMEOUT`` seconds and send
without a limiter (the sandbox's ``rate_limit`` fault is the limit). Then, with the faults
off and every late commit landed, the trial counts:

- **converged**: a plan (made with the faults on) had nothing to change;
- **duplicates**: objects sharing a natural key in the sandbox's state (expected 0);
- **hidden duplicates**: of those, the ones a plan does not name as duplicates (expected 0:
  even past the bound ``mailform.http.exchange`` documents, a duplicate is never hidden);
- **tracebacks**: an exception other than mailform's own errors out of a plan, an apply
  or a change (expected 0).

The faults (``late_commit`` commits after the client gave up, but within twice its timeout,
the bound under which no duplicate may be made):

- ``latency``: every request waits up to ``rate`` x 2 timeouts before it is read (a client
  that gives up first leaves nothing committed);
- ``rate_limit``: the sandbox answers 429 past ``(1 - rate) x 20`` requests a second;
- ``errors``: a share ``rate`` of requests answered 503, nothing committed;
- ``drops``: a share ``rate`` of changes committed, then the connection dropped;
- ``late_commits``: a share ``rate`` of changes committed 1.2 timeouts after they arrive;
- ``late_answers``: a share ``rate`` of changes committed at once, answered 1.2 timeouts later;
- ``auth_expiry``: every LuxSci auth token expired every ``1 + 4 x (1 - rate)`` seconds (a
  real token lasts an hour);
- ``everything``: all of the above at once;
- ``past_the_bound``: a share ``rate`` of changes committed 2.5 timeouts after they arrive,
  past the bound: duplicates are expected there (the documented residual risk), counted
  apart, and none may be hidden.

Exits 1 when a trial found a duplicate within the bound, a hidden one or a traceback.
``tests/integration/test_fault_matrix.py`` runs a few settings.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.kill_trials import duplicates
from mailform.cli.connect import sandbox_environment
from mailform.engine.apply import Outcome
from mailform.engine.manager import Manager
from mailform.engine.outside import Dns
from mailform.engine.plan import Plan
from mailform.engine.stack import Stack, load_stack
from mailform.errors import MailformError
from mailform.http import RetryPolicy
from mailform.sandbox.faults import FaultSettings
from mailform.sandbox.server import SandboxApp, SandboxServer
from mailform.services import SERVICES, catalog

#: The clients' request timeout, seconds: short, so that a late fault costs little time.
TIMEOUT = 0.5
OWNER = "ann@example.com"
SITE = "join.example.com"
SEED = f"""
luxsci:
  domains: [{{domain: example.com}}]
  users: [{{user: {OWNER}, name: Ann}}]
lianamailer:
  sites: [{{domain: {SITE}}}]
"""


def stack_text(size: int) -> str:
    """The seeded objects, and ``size`` new objects of each kind named above."""
    n = range(size)
    lines = [
        "luxsci:",
        "  domains: [{domain: example.com}]",
        f"  users: [{{user: {OWNER}, name: Ann}}]",
        "  aliases:",
        *(f"    - {{alias: a{i}@example.com, dest: [{OWNER}]}}" for i in n),
        "  template_groups:",
        *(f"    - {{owner: {OWNER}, name: Letters {i}}}" for i in n),
        "  templates:",
        *(
            f"    - {{owner: {OWNER}, name: Monthly {i}, code_word: m{i}, group: Letters 0,"
            f" subject: News {i}}}"
            for i in n
        ),
        "  list_groups:",
        *(f"    - {{owner: {OWNER}, name: Segment {i}}}" for i in n),
        "  lists:",
        *(f"    - {{owner: {OWNER}, name: Customers {i}, group: Segment 0}}" for i in n),
        "lianamailer:",
        f"  sites: [{{domain: {SITE}}}]",
        "  consent_types:",
        *(f"    - {{name: Terms {i}, sites: [{SITE}]}}" for i in n),
        "  lists:",
        *(f"    - {{name: News {i}, site: {SITE}}}" for i in n),
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Setting:
    """One cell of the matrix: the faults, at a rate; ``expire_every`` (seconds) expires
    every auth token that often while the trial runs."""

    name: str
    rate: float
    faults: Mapping[str, Any]
    expire_every: float | None = None


FAMILIES: dict[str, Callable[[float], dict[str, Any]]] = {
    "latency": lambda rate: {"latency": 0.02, "jitter": rate * 2 * TIMEOUT},
    "rate_limit": lambda rate: {
        "rate_limit": {"requests": max(2, round((1 - rate) * 20)), "window": 1.0}
    },
    "errors": lambda rate: {"error_rate": rate},
    "drops": lambda rate: {"drop_rate": rate},
    "late_commits": lambda rate: {"late_commit": 1.2 * TIMEOUT, "late_rate": rate},
    "late_answers": lambda rate: {"late_answer": 1.2 * TIMEOUT, "late_rate": rate},
    "auth_expiry": lambda rate: {},
}
#: Faults past the bound, where a duplicate may be made (and must be named).
PAST_THE_BOUND: dict[str, Callable[[float], dict[str, Any]]] = {
    "past_the_bound": lambda rate: {"late_commit": 2.5 * TIMEOUT, "late_rate": rate},
}


def settings(rates: Sequence[float], names: Sequence[str] | None = None) -> list[Setting]:
    """Every family alone at every rate, then all of them together (``everything``), then
    past the bound."""
    chosen = list(names or [*FAMILIES, "everything", *PAST_THE_BOUND])
    found = []
    for rate in rates:
        for name in chosen:
            expire = 1 + 4 * (1 - rate) if name in ("auth_expiry", "everything") else None
            if name == "everything":
                faults: dict[str, Any] = {}
                for family in FAMILIES.values():
                    faults |= family(rate)
                # one late fault at a time: a change commits late *and* answers late
                faults["late_answer"] = 1.2 * TIMEOUT
                faults["late_commit"] = 0.4 * TIMEOUT
            else:
                faults = {**FAMILIES, **PAST_THE_BOUND}[name](rate)
            found.append(Setting(name, rate, faults, expire))
    return found


@dataclass
class Trial:
    """What one trial found."""

    setting: Setting
    runs: int = 0
    converged: bool = False
    duplicates: list[str] = field(default_factory=list)
    named: int = 0
    tracebacks: list[str] = field(default_factory=list)
    failed_runs: list[str] = field(default_factory=list)
    failed_changes: list[str] = field(default_factory=list)
    planned: list[list[str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def hidden(self) -> int:
        """Objects sharing a key in the state that no plan named as duplicates."""
        extra = sum(int(found.rsplit(" x", 1)[1]) - 1 for found in self.duplicates)
        return max(0, extra - self.named)

    @property
    def passed(self) -> bool:
        within_bound = self.setting.name not in PAST_THE_BOUND
        return not (within_bound and self.duplicates) and not self.hidden and not self.tracebacks


@contextmanager
def managed(server: SandboxServer) -> Iterator[Manager]:
    """A manager over new sessions of both services, as a new CLI run opens them."""
    environ = sandbox_environment(server.app, server.base_url, server.dns_address)
    sessions = {
        name: SERVICES[name].connect(
            environ=environ,
            rate_limit=0,
            timeout=TIMEOUT,
            retry=RetryPolicy(base_delay=0.05, max_delay=1.0),
        )
        for name in ("luxsci", "lianamailer")
    }
    try:
        yield Manager(SERVICES, sessions, dns=Dns.parse(server.dns_address))
    finally:
        for session in sessions.values():
            with suppress(MailformError):
                session.close()


@contextmanager
def expiring(control: httpx.Client, every: float | None) -> Iterator[None]:
    """Expire every auth token each ``every`` seconds while the block runs."""
    if every is None:
        yield
        return
    done = threading.Event()

    def expire() -> None:
        while not done.wait(every):
            control.put("/faults", json={"expire_auth": True})

    thread = threading.Thread(target=expire, name="expire-auth", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def one_run(server: SandboxServer, stack: Stack, trial: Trial) -> Plan | None:
    """Plan, and apply what it shows; the plan, or None when the run failed."""
    trial.runs += 1
    with managed(server) as manager:
        try:
            plan = manager.plan(stack)
            trial.planned.append([f"{change.action} {change.id}" for change in plan.changes])
            if plan.changes:
                report = manager.apply(plan, workers=4)
                for result in report.of(Outcome.FAILED):
                    failure = f"{result.change.id}: {result.error!r}"
                    if isinstance(result.error, MailformError):
                        trial.failed_changes.append(failure)
                    else:
                        trial.tracebacks.append(failure)
        except MailformError as error:
            trial.failed_runs.append(str(error))
            return None
        except Exception as error:  # anything but mailform's own errors is a traceback
            trial.tracebacks.append(repr(error))
            return None
    return plan


def run_trial(
    server: SandboxServer,
    control: httpx.Client,
    setting: Setting,
    stack: Stack,
    *,
    seed: int,
    reruns: int,
) -> Trial:
    """One trial: seed, faults on, runs until converged, faults off, count."""
    trial = Trial(setting)
    started = time.monotonic()
    control.post("/reset").raise_for_status()
    control.post("/seed", content=SEED).raise_for_status()
    control.put("/faults", json={**setting.faults, "seed": seed}).raise_for_status()
    with expiring(control, setting.expire_every):
        for _ in range(reruns + 1):
            plan = one_run(server, stack, trial)
            if plan is not None and not plan.changes and not plan.problems:
                trial.converged = True
                break
    control.put("/faults", json=FaultSettings().to_json()).raise_for_status()  # none
    time.sleep(1.2 * TIMEOUT + 0.1)  # every late commit lands
    trial.duplicates = duplicates(control.get("/state").json())
    with managed(server) as manager:
        final = manager.plan(stack)
    trial.named = len(final.duplicates)
    trial.seconds = time.monotonic() - started
    return trial


@dataclass
class Summary:
    """The counts over every trial."""

    trials: list[Trial]

    def counts(self) -> dict[str, int]:
        return {
            "trials": len(self.trials),
            "converged": sum(t.converged for t in self.trials),
            "runs": sum(t.runs for t in self.trials),
            "runs that failed": sum(len(t.failed_runs) for t in self.trials),
            "changes that failed": sum(len(t.failed_changes) for t in self.trials),
            "duplicates": sum(
                len(t.duplicates) for t in self.trials if t.setting.name not in PAST_THE_BOUND
            ),
            "duplicates past the bound": sum(
                len(t.duplicates) for t in self.trials if t.setting.name in PAST_THE_BOUND
            ),
            "hidden duplicates": sum(t.hidden for t in self.trials),
            "tracebacks": sum(len(t.tracebacks) for t in self.trials),
        }

    @property
    def passed(self) -> bool:
        return all(trial.passed for trial in self.trials)


def run_matrix(
    chosen: Sequence[Setting], *, trials: int = 1, size: int = 2, reruns: int = 6, seed: int = 14
) -> Summary:
    """Every setting ``trials`` times, against one sandbox."""
    with tempfile.TemporaryDirectory(prefix="fault-matrix-") as scratch:
        path = Path(scratch) / "stack.yaml"
        path.write_text(stack_text(size))
        stack = load_stack(path, catalog())
        app = SandboxApp()
        server = SandboxServer(app, log_level="critical")  # a dropped answer is no news
        with server, server.control_client(timeout=30) as control:
            results = [
                run_trial(server, control, setting, stack, seed=seed + n, reruns=reruns)
                for setting in chosen
                for n in range(trials)
            ]
    return Summary(results)


def main() -> int:
    logging.basicConfig(level=logging.ERROR)  # the sandbox's notes on each fault it injects
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="0.1,0.3,0.6", help="comma-separated shares")
    parser.add_argument("--trials", type=int, default=2, help="per setting")
    parser.add_argument("--size", type=int, default=3, help="objects of each kind")
    parser.add_argument("--reruns", type=int, default=6, help="re-runs allowed per trial")
    parser.add_argument("--seed", type=int, default=14, help="of the first trial's faults")
    parser.add_argument("--only", default="", help="comma-separated fault names")
    args = parser.parse_args()
    rates = [float(rate) for rate in args.rates.split(",")]
    only = [name for name in args.only.split(",") if name] or None
    chosen = settings(rates, only)
    summary = run_matrix(
        chosen, trials=args.trials, size=args.size, reruns=args.reruns, seed=args.seed
    )
    print(f"{'setting':<14} {'rate':>4}  runs  conv  dup  hidden  tb   seconds")
    for trial in summary.trials:
        s = trial.setting
        print(
            f"{s.name:<14} {s.rate:>4.1f}  {trial.runs:>4}  {trial.converged!s:>4}  "
            f"{len(trial.duplicates):>3}  {trial.hidden:>6}  {len(trial.tracebacks):>2}  "
            f"{trial.seconds:>8.1f}"
        )
        for problem in (*trial.duplicates, *trial.tracebacks):
            print(f"    {problem}")
    for name, count in summary.counts().items():
        print(f"{name}: {count}")
    return 0 if summary.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
