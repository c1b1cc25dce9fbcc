"""The kill -9 trials: ``mailform apply`` killed at a random moment, then re-run unattended
until the account converges.

    .venv/bin/python benchmarks/kill_trials.py [--trials 50] [--seed 14] [--keep DIR]

Each trial starts a sandbox process (``mailform sandbox serve --state FILE``, answering each
request after ``--latency`` seconds) over a copy of an existing account
(``examples/existing-account.yaml``, seeded once with ``mailform sandbox seed``), and applies
a stack file that touches both services: ``examples/accounts.yaml`` plus generated objects
(users with passwords, aliases, templates and lists whose names the services do not keep
unique, sites, and consent types offered on one to three sites, a two-call create). The
apply runs in a process of its own and gets ``SIGKILL`` at a moment drawn from a seeded RNG:
after its n-th change ended (n from 1 to the number of changes an uninterrupted apply makes,
measured first) and up to ``--spread`` seconds more, while the changes running beside it are
part-way. Then ``mailform apply --yes``, never ``--force``, runs again until ``mailform plan``
exits 0, at most ``--reruns`` times.

Counted over the trials:

- **converged**: the plan exits 0 after the re-runs;
- **creates finished by a re-run**: updates the re-runs' plans mark ``finishes_create`` (a
  consent type created, not yet offered on all its sites), and **re-runs that counting
  those would refuse**: plans the 30 % change threshold passes only because such updates
  are not counted (without that rule, each needed ``--force``);
- **refused**: a re-run that stopped at a safety check (it would have needed ``--force``);
- **duplicates**: objects sharing a natural key in ``mailform sandbox dump --format json``,
  counted for every type, those whose names the services do not keep unique included;
- **tracebacks**: a ``Traceback`` in the output of any mailform command;
- **secrets found**: the sandbox's API secrets or a user's password in any output of
  mailform (the sandbox's own start-up lines, which print its secret, are not searched);
- **sandbox tracebacks**: the sandbox's log, reported apart (the simulator's problem, not
  mailform's).

Exits 1 when a trial did not converge or found a refusal, a duplicate, a mailform traceback
or a secret. ``tests/integration/test_kill_trials.py`` runs a few.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import IO, Any

from ruamel.yaml import YAML

from mailform.engine.plan import UNSAFE_MINIMUM_EXISTING, UNSAFE_SHARE

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
MAILFORM = Path(sys.executable).parent / "mailform"

#: The users' passwords, by the variable the stack file names them with.
PASSWORDS = {
    "BOB_PASSWORD": "Bob-Trial-Passw0rd-1",
    **{f"TRIAL_PASSWORD_{n}": f"Trial-Passw0rd-{n}-x7Q" for n in range(3)},
}
#: The fields that make up each type's natural key in the sandbox's dump (an owner's
#: numeric id, then the name), compared without case.
NATURAL_KEYS: dict[tuple[str, str], tuple[str, ...]] = {
    ("luxsci", "domains"): ("domain",),
    ("luxsci", "dkim"): ("domain",),
    ("luxsci", "users"): ("user",),
    ("luxsci", "aliases"): ("alias",),
    ("luxsci", "servers"): ("host",),
    ("luxsci", "custom_fields"): ("_owner_id", "code_word"),
    ("luxsci", "content_tags"): ("_owner_id", "code_word"),
    ("luxsci", "template_groups"): ("_owner_id", "name"),
    ("luxsci", "list_groups"): ("_owner_id", "name"),
    ("luxsci", "templates"): ("user_id", "name"),
    ("luxsci", "lists"): ("owner_id", "name"),
    ("lianamailer", "sites"): ("domain",),
    ("lianamailer", "properties"): ("name",),
    ("lianamailer", "lists"): ("name",),
    ("lianamailer", "consent_types"): ("name",),
}
SITES = ("join.example.com", "shop.example.com", "events.example.com")


def stack_document() -> dict[str, Any]:
    """``examples/accounts.yaml`` plus generated objects of both services."""
    document: dict[str, Any] = YAML(typ="safe").load((EXAMPLES / "accounts.yaml").read_text())
    luxsci, liana = document["luxsci"], document["lianamailer"]
    ann = "ann@example.com"
    luxsci["users"] += [
        {"user": f"trial{n}@news.example.com", "name": f"Trial {n}", "password": {"env": env}}
        for n, env in enumerate(sorted(v for v in PASSWORDS if v.startswith("TRIAL")))
    ]
    luxsci["aliases"] += [{"alias": f"team{n}@news.example.com", "dest": [ann]} for n in range(8)]
    luxsci["template_groups"].append({"owner": ann, "name": "Trials"})
    luxsci["templates"] += [
        {
            "owner": ann,
            "name": f"Trial template {n}",
            "code_word": f"trial{n}",
            "group": "Trials",
            "subject": f"Trial {n}",
            "body_html": f"<p>Trial {n}</p>",
        }
        for n in range(4)
    ]
    luxsci["lists"] += [
        {"owner": ann, "name": f"Trial list {n}", "group": "Customers"} for n in range(3)
    ]
    liana["sites"] += [{"domain": domain, "language": "EN"} for domain in SITES[1:]]
    liana["properties"].append({"name": "city", "type": "text"})
    liana["consent_types"] += [
        {"name": f"Consent {n}", "sites": list(SITES[: 1 + n % len(SITES)])} for n in range(10)
    ]
    liana["lists"] += [{"name": f"Trial list {n}", "site": SITES[n % len(SITES)]} for n in range(4)]
    return document


def yaml_text(document: Mapping[str, Any]) -> str:
    """``document`` as a YAML file's text, in block style."""
    out = StringIO()
    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    yaml.dump(document, out)
    return out.getvalue()


# -- the processes --------------------------------------------------------------------------


def free_port() -> int:
    """A port free for TCP and UDP now (the sandbox's DNS answers on the same number)."""
    while True:
        with socket.socket() as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


def seed_document() -> dict[str, Any]:
    """The account before the apply: what ``examples/existing-account.yaml`` tells the
    sandbox (the bounce domain's CNAME, the dedicated server) and the one user
    ``examples/accounts.yaml`` declares without a password; nothing else, so that the
    objects a stopped apply made are a large share of the account, as in a new one, and
    the 30 % change threshold is in play."""
    existing: dict[str, Any] = YAML(typ="safe").load(
        (EXAMPLES / "existing-account.yaml").read_text()
    )
    return {
        "sandbox": existing["sandbox"],
        "luxsci": {
            "domains": [{"domain": "example.com"}],
            "users": [{"user": "ann@example.com", "name": "Ann Example"}],
            "servers": existing["luxsci"]["servers"],
        },
    }


def seed_template(workdir: Path) -> tuple[Path, dict[str, str]]:
    """A state file holding the account before the apply, and its credentials (the
    sandbox's generated ones, kept in the state)."""
    state = workdir / "seeded.sqlite3"
    seed = workdir / "seed.yaml"
    seed.write_text(yaml_text(seed_document()))
    done = subprocess.run(
        [str(MAILFORM), "sandbox", "seed", str(seed), "--state", str(state)],
        env=_without_credentials(),
        capture_output=True,
        text=True,
        check=True,
    )
    exports = {}
    for line in done.stdout.splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            exports[name] = value.strip("'")
    return state, exports


def _without_credentials() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("LUXSCI_", "LIANAMAILER_", "MAILFORM_"))
    }


@contextmanager
def sandbox(
    state: Path, credentials: Mapping[str, str], log: Path, latency: float
) -> Iterator[dict[str, str]]:
    """``mailform sandbox serve`` over ``state`` on a free port, answering each request after
    ``latency`` seconds, until the block ends; yields the environment that points mailform
    at it."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **_without_credentials(),
        **credentials,
        "LUXSCI_API_HOST": base_url,
        "LIANAMAILER_API_URL": base_url,
        "MAILFORM_DNS": f"127.0.0.1:{port}",
    }
    command = [str(MAILFORM), "sandbox", "serve", "--state", str(state), "--port", str(port)]
    command += ["--latency", str(latency)]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--log-level", "warning"], env=env, stdout=output, stderr=output
        )
        try:
            _wait_for(port, process)
            yield {**env, **PASSWORDS, "MAILFORM_RATE_LIMIT": "0"}
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the sandbox stopped at start (exit {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the sandbox did not start listening in 30 s")


@dataclass
class Run:
    """One mailform process: its arguments, exit code and output."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def mailform(env: Mapping[str, str], *args: str, timeout: float = 120) -> Run:
    """``mailform ARGS`` to its end, in ``env``."""
    started = time.monotonic()
    done = subprocess.run(
        [str(MAILFORM), *args], env=dict(env), capture_output=True, text=True, timeout=timeout
    )
    return Run(args, done.returncode, done.stdout, done.stderr, time.monotonic() - started)


#: What the apply's stderr says as each change ends, when it is not a terminal.
OUTCOMES = ("done: ", "failed: ", "skipped: ")


@dataclass(frozen=True)
class KillPoint:
    """When SIGKILL comes: ``seconds`` after the apply reports its ``changes``-th change
    ended (when the others running beside it are part-way through)."""

    changes: int
    seconds: float

    def __str__(self) -> str:
        return f"{self.seconds * 1000:.0f} ms after change {self.changes}"


@dataclass
class FirstApply:
    """The apply a trial starts with: its run, whether SIGKILL stopped it, and how many
    changes it reported ended."""

    run: Run
    killed: bool
    ended: int


def first_apply(env: Mapping[str, str], stack: Path, kill: KillPoint | None) -> FirstApply:
    """``mailform apply --yes``, sent SIGKILL at ``kill`` (None: never)."""
    args = ("apply", str(stack), "--yes")
    started = time.monotonic()
    process = subprocess.Popen(
        [str(MAILFORM), *args],
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    sent = threading.Event()

    def send() -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            sent.set()

    def on_line(line: str, count: int) -> None:
        if kill is not None and count == kill.changes:
            threading.Timer(kill.seconds, send).start()

    out, err = _Lines(process.stdout), _Lines(process.stderr, on_outcome=on_line)
    process.wait(timeout=300)
    seconds = time.monotonic() - started
    run = Run(args, process.returncode, out.text(), err.text(), seconds)
    killed = sent.is_set() and process.returncode == -signal.SIGKILL
    return FirstApply(run, killed, err.outcomes)


class _Lines:
    """A stream's text, read by a thread of its own (a full pipe never slows the process),
    telling ``on_outcome`` of each line that ends a change, with how many have."""

    def __init__(
        self, stream: IO[str], on_outcome: Callable[[str, int], None] | None = None
    ) -> None:
        self.lines: list[str] = []
        self.outcomes = 0
        self._on_outcome = on_outcome
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line)
            if line.startswith(OUTCOMES):
                self.outcomes += 1
                if self._on_outcome is not None:
                    self._on_outcome(line, self.outcomes)

    def text(self) -> str:
        self._thread.join(timeout=30)
        return "".join(self.lines)


# -- one trial -------------------------------------------------------------------------------


@dataclass
class Trial:
    """What one trial found."""

    kill: KillPoint | None
    killed: bool = False
    converged: bool = False
    reruns: int = 0
    refused: int = 0
    finished_creates: int = 0
    exempted: int = 0
    duplicates: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    sandbox_tracebacks: int = 0

    @property
    def passed(self) -> bool:
        return self.converged and not (
            self.refused or self.duplicates or self.tracebacks or self.secrets
        )


@dataclass(frozen=True)
class Setting:
    """What every trial shares: the seeded state to copy, its credentials, the stack file,
    the sandbox's latency and how many re-runs a trial may take."""

    template: Path
    credentials: Mapping[str, str]
    stack: Path
    declared: int
    latency: float
    reruns: int


def run_trial(workdir: Path, setting: Setting, kill: KillPoint | None) -> tuple[Trial, FirstApply]:
    """One trial over a fresh copy of the seeded state: the first apply (killed at
    ``kill``; None: never), then the re-runs, then the checks."""
    workdir.mkdir()
    state = workdir / "state.sqlite3"
    shutil.copyfile(setting.template, state)
    trial = Trial(kill)
    log = workdir / "sandbox.log"
    stack = str(setting.stack)
    with sandbox(state, setting.credentials, log, setting.latency) as env:
        first = first_apply(env, setting.stack, kill)
        trial.killed = first.killed
        runs = [first.run]
        while True:
            planned = mailform(env, "plan", stack, "--format", "json")
            runs.append(planned)
            trial.converged = planned.code == 0
            if trial.converged or trial.reruns == setting.reruns or planned.code != 2:
                break
            plan = json.loads(planned.stdout)
            trial.finished_creates += sum(bool(c.get("finishes_create")) for c in plan["changes"])
            trial.exempted += exempted(plan, setting.declared)
            applied = mailform(env, "apply", stack, "--yes")  # never --force
            runs.append(applied)
            trial.reruns += 1
            if applied.code != 0 and "--force" in applied.output:
                trial.refused += 1
        dump = mailform(env, "sandbox", "dump", "--state", str(state), "--format", "json")
    trial.duplicates = duplicates(json.loads(dump.stdout)) if dump.code == 0 else ["(no dump)"]
    credentials = setting.credentials
    secrets = [credentials["LUXSCI_API_SECRET"], credentials["LIANAMAILER_API_SECRET"]]
    secrets += PASSWORDS.values()
    for run in [*runs, dump]:
        where = f"mailform {' '.join(run.args)}"
        if "Traceback" in run.output:
            trial.tracebacks.append(where)
        trial.secrets += [f"{where}: a secret" for secret in secrets if secret in run.output]
    trial.sandbox_tracebacks = log.read_text().count("Traceback")
    (workdir / "runs.txt").write_text(
        "\n".join(
            f"$ mailform {' '.join(r.args)}  (exit {r.code}, {r.seconds:.2f} s)\n{r.output}"
            for r in runs
        )
    )
    return trial, first


def exempted(plan: Mapping[str, Any], declared: int) -> int:
    """1 when the 30 % rule would refuse ``plan`` (a ``--format json`` plan) if the updates
    that finish an earlier create were counted, and passes it as they are not; else 0. The
    existing objects are the declared ones the plan does not create plus the unmanaged ones
    (the stack prunes nothing, and the account holds nothing the API cannot manage)."""
    changes: list[dict[str, Any]] = plan["changes"]
    creates = sum(change["action"] == "create" for change in changes)
    existing: int = declared - creates + len(plan["unmanaged"])
    finishing = sum(bool(change.get("finishes_create")) for change in changes)

    def refused(touched: int) -> bool:
        return existing >= UNSAFE_MINIMUM_EXISTING and touched / existing > UNSAFE_SHARE

    counted = len(changes) - creates
    return int(refused(counted) and not refused(counted - finishing))


def duplicates(dump: Mapping[str, Any]) -> list[str]:
    """The natural keys that more than one object of a type holds, as ``service.type[key]``."""
    found = []
    for (service, type_name), fields in NATURAL_KEYS.items():
        rows = dump.get(service, {}).get(type_name) or []
        rows = list(rows.values()) if isinstance(rows, dict) else rows
        keys = Counter(
            tuple(str(row.get(name)).casefold() for name in fields)
            for row in rows
            if isinstance(row, dict) and not row.get("deleted")
        )
        found += [f"{service}.{type_name}[{'/'.join(k)}] x{n}" for k, n in keys.items() if n > 1]
    return found


# -- the trials ------------------------------------------------------------------------------


@dataclass
class Summary:
    """The counts over every trial."""

    trials: list[Trial]

    def counts(self) -> dict[str, int]:
        return {
            "trials": len(self.trials),
            "killed mid-apply": sum(t.killed for t in self.trials),
            "converged": sum(t.converged for t in self.trials),
            "re-runs": sum(t.reruns for t in self.trials),
            "creates finished by a re-run": sum(t.finished_creates for t in self.trials),
            "re-runs that counting those would refuse": sum(t.exempted for t in self.trials),
            "refused (needed --force)": sum(t.refused for t in self.trials),
            "duplicates": sum(len(t.duplicates) for t in self.trials),
            "tracebacks": sum(len(t.tracebacks) for t in self.trials),
            "secrets found": sum(len(t.secrets) for t in self.trials),
            "sandbox tracebacks": sum(t.sandbox_tracebacks for t in self.trials),
        }

    @property
    def passed(self) -> bool:
        return all(trial.passed for trial in self.trials)


def run_trials(
    trials: int,
    *,
    seed: int = 14,
    changes: int | None = None,
    spread: float = 0.05,
    latency: float = 0.01,
    reruns: int = 3,
    workdir: Path | None = None,
) -> Summary:
    """Run the trials in ``workdir`` (default: a temporary directory, removed after).

    Each kill comes after a number of ended changes drawn from 1 to ``changes`` and up to
    ``spread`` seconds more, from a ``random.Random(seed)``. Without ``changes``, an
    uninterrupted apply runs first; it must converge, and the changes it made are the
    number."""
    with tempfile.TemporaryDirectory(prefix="kill-trials-") as scratch:
        base = workdir or Path(scratch)
        template, credentials = seed_template(base)
        stack = base / "stack.yaml"
        document = stack_document()
        stack.write_text(yaml_text(document))
        declared = sum(len(objects) for types in document.values() for objects in types.values())
        setting = Setting(template, credentials, stack, declared, latency, reruns)
        if changes is None:
            baseline, first = run_trial(base / "uninterrupted", setting, None)
            if first.run.code != 0 or not baseline.passed or baseline.reruns:
                raise RuntimeError(f"an uninterrupted apply did not converge: see {base}")
            changes = first.ended
        rng = random.Random(seed)
        kills = [
            KillPoint(rng.randint(1, changes), round(rng.uniform(0.0, spread), 4))
            for _ in range(trials)
        ]
        return Summary(
            [run_trial(base / f"trial-{n:03}", setting, kill)[0] for n, kill in enumerate(kills)]
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=14, help="of the kill points")
    parser.add_argument(
        "--spread", type=float, default=0.05, help="seconds after a change the kill may wait"
    )
    parser.add_argument("--latency", type=float, default=0.01, help="the sandbox's, seconds")
    parser.add_argument("--reruns", type=int, default=3, help="re-runs allowed per trial")
    parser.add_argument("--keep", type=Path, default=None, help="keep every trial's files here")
    args = parser.parse_args()
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=False)
    summary = run_trials(
        args.trials,
        seed=args.seed,
        spread=args.spread,
        latency=args.latency,
        reruns=args.reruns,
        workdir=args.keep,
    )
    for number, trial in enumerate(summary.trials):
        if not trial.passed:
            print(f"trial {number} failed: {trial}")
    for name, count in summary.counts().items():
        print(f"{name:>41}: {count}")
    return 0 if summary.passed else 1


if __name__ == "__main__":
    sys.exit(main())
