"""The promise "a plan that passes applies in full", tried on random accounts.

A case is a random account that already exists (seeded into an in-process sandbox) and a
random stack file over the same small universe of names, so that the two overlap, collide
and contradict each other often: an address that is a user in one and an alias in the
other, a user declared without a password, an unset secret, a pruned domain still in use,
creates over a tight 24-hour budget, a code word another template keeps, a property whose
display settings changed. ``run_case`` then does what a user does: ``validate``, ``plan``,
and, when the plan passes, ``apply`` with every opt-in, then plans again. Each case ends in
one of these outcomes:

- ``refused at validate`` or ``refused at plan``, with every problem matching one of the
  documented rules (``RULES``); a problem that matches none is a failure of the test;
- ``applied``: the apply did every change, and the next plan has nothing left to do;
- anything else (a change failed at apply, a second plan that is not empty, a refusal no
  rule explains) breaks the promise, and the case says how.

The pytest (``tests/truth/test_plan_truth.py``, with hypothesis) runs a bounded number of
cases; ``benchmarks/plan_truth.py`` runs thousands and prints the counts.
"""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from mailform.cli.connect import sandbox_environment
from mailform.engine.manager import Manager
from mailform.engine.stack import load_stack
from mailform.sandbox.inprocess import SandboxTransport
from mailform.sandbox.seed import SeedError
from mailform.sandbox.server import SandboxApp
from mailform.services import SERVICES, catalog
from mailform.stackfile import StackFileError
from mailform.stackfile.yamlout import dump_yaml

#: Every documented rule a refusal may name (docs/api-assumptions.md, "Rules, and where
#: mailform checks them"), as a pattern of its message.
RULES: dict[str, str] = {
    "a reference names a declared object": r"which the file does not declare",
    "users and aliases share one namespace": r"share one namespace|exists in the account as a",
    "a user is created with a password": r"creating it needs password",
    "a secret's variable is set": r"the environment variable \w+ is not set",
    "a domain in use cannot be deleted": r"cannot be deleted: the API refuses while it is in use",
    "values the API keeps unique": r"is taken by .*keeps \w+ unique|the API keeps it unique",
    "24-hour create limits": r"adds at most \d+ in any 24 hours",
    "100 + 10 per user aliases in a domain": r"would hold \d+ aliases",
    "servers are provisioned by LuxSci": r"dedicated servers are provisioned by LuxSci",
    "what the API cannot change or delete": r"cannot be changed in place|cannot change or delete",
    "a disabled user's password cannot be changed": r"password of a disabled user",
    "a property's display settings": r"cannot change a property's",
    "unique keys in a file": r"duplicate|appears more than once|declared twice|unique",
    "protected objects": r"is protected",
}

DOMAINS = ("a.example.com", "b.example.com")
LOGINS = ("ann", "bob", "cat")
ALIASES = ("sales", "info", "ann")  # "ann" is also a user's login: the shared namespace
TEMPLATES = (("Monthly", "monthly"), ("Weekly", "weekly"), ("Offers", "monthly"))
LISTS = ("Customers", "Prospects")
PROPERTIES = ("firstname", "plan")
LIANA_LISTS = ("News", "Promo")
PASSWORD_VARIABLE = "TRUTH_PASSWORD"


@dataclass
class Case:
    """One random account and one random stack file."""

    seed: str
    stack: str
    environ: dict[str, str]


@dataclass
class Outcome:
    """What happened to a case."""

    #: "refused at validate", "refused at plan", "applied", "broken", or "not an account"
    #: (the random account breaks a rule of the service itself: no case)
    kind: str
    rules: list[str] = field(default_factory=list)
    detail: str = ""


def _maybe(rng: random.Random, p: float = 0.5) -> bool:
    return rng.random() < p


def _luxsci(rng: random.Random, *, existing: bool) -> dict[str, Any]:
    """A random LuxSci section over the universe's names."""
    domains = [d for d in DOMAINS if _maybe(rng, 0.8)] or [DOMAINS[0]]
    section: dict[str, Any] = {"domains": [{"domain": d} for d in domains]}
    users = []
    for login in LOGINS:
        if not _maybe(rng, 0.6):
            continue
        user: dict[str, Any] = {"user": f"{login}@{rng.choice(domains)}"}
        if _maybe(rng, 0.5):
            user["name"] = rng.choice(["Ann", "Bob", "Cat", "Someone"])
        if _maybe(rng, 0.3):
            user["status"] = rng.choice(["enabled", "disabled"])
        if existing:
            user["password"] = "Seeded-Passw0rd-1"
        elif _maybe(rng, 0.7):
            user["password"] = {"env": PASSWORD_VARIABLE}
        users.append(user)
    if users:
        section["users"] = users
    logins = {user["user"] for user in users}
    aliases = []
    for name in ALIASES:
        address = f"{name}@{rng.choice(domains)}"
        if not _maybe(rng, 0.5) or (existing and address in logins):
            continue  # an existing account holds no alias where a user is: LuxSci refuses it
        aliases.append({"alias": address, "dest": [f"x{rng.randint(1, 3)}@example.net"]})
    if aliases:
        section["aliases"] = aliases
    owner = users[0]["user"] if users else None
    if owner:
        templates = []
        code_words: set[str] = set()
        for name, code_word in TEMPLATES:
            if _maybe(rng, 0.4) and not (existing and code_word in code_words):
                code_words.add(code_word)
                templates.append(
                    {
                        "owner": owner,
                        "name": name,
                        "code_word": code_word,
                        "subject": rng.choice("AB"),
                    }
                )
        if templates:
            section["templates"] = templates
        lists = [
            {"owner": owner, "name": name, "from_email": f"news@{domains[0]}"}
            for name in LISTS
            if _maybe(rng, 0.4)
        ]
        if lists:
            section["lists"] = lists
    return section


def _lianamailer(rng: random.Random) -> dict[str, Any]:
    section: dict[str, Any] = {}
    if _maybe(rng, 0.6):
        section["sites"] = [{"domain": "join.example.com", "language": rng.choice(["EN", "FI"])}]
    properties = [
        {"name": name, "type": "text", "position": rng.randint(1, 3)}
        for name in PROPERTIES
        if _maybe(rng, 0.5)
    ]
    if properties:
        section["properties"] = properties
    lists = []
    for name in LIANA_LISTS:
        if _maybe(rng, 0.5):
            entry: dict[str, Any] = {"name": name, "description": rng.choice(["x", "y"])}
            if "sites" in section and _maybe(rng, 0.5):
                entry["site"] = "join.example.com"
            lists.append(entry)
    if lists:
        section["lists"] = lists
    return section


def _dump(document: Mapping[str, Any]) -> str:
    from io import StringIO

    stream = StringIO()
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.dump(dict(document), stream)
    return stream.getvalue()


def random_case(rng: random.Random) -> Case:
    """A random existing account and a random stack file over the same names."""
    seed = random_account(rng)
    stack: dict[str, Any] = {"luxsci": _luxsci(rng, existing=False)}
    if _maybe(rng, 0.7):
        stack["lianamailer"] = _lianamailer(rng)
    settings: dict[str, Any] = {}
    prunable = ["luxsci.domains", "luxsci.users", "luxsci.aliases", "luxsci.templates"]
    prune = [name for name in prunable if _maybe(rng, 0.25)]
    if prune:
        settings["prune"] = prune
    if _maybe(rng, 0.2):
        settings["create_limits"] = {"luxsci.aliases": rng.randint(0, 2)}
    if settings:
        stack["mailform"] = settings
    environ = {PASSWORD_VARIABLE: "Truth-Passw0rd-1"} if _maybe(rng, 0.8) else {}
    return Case(seed, _dump(stack), environ)


def _rules_of(messages: list[str]) -> tuple[list[str], list[str]]:
    """The rules the messages name, and the messages no rule explains."""
    named, unexplained = [], []
    for message in messages:
        rule = next((name for name, pattern in RULES.items() if re.search(pattern, message)), None)
        if rule is None:
            unexplained.append(message)
        else:
            named.append(rule)
    return named, unexplained


@contextmanager
def _manager(app: SandboxApp) -> Iterator[Manager]:
    """A manager of both services over ``app``, in this process (no sockets)."""
    environ = sandbox_environment(app, "https://sandbox.invalid")
    transport = SandboxTransport(app)
    sessions = {
        name: SERVICES[name].connect(environ=environ, rate_limit=0, transport=transport)
        for name in SERVICES
    }
    try:
        yield Manager(SERVICES, sessions)
    finally:
        for session in sessions.values():
            session.close()
        transport.close()


def run_case(case: Case, workdir: Path) -> Outcome:
    """Seed, validate, plan and (when the plan passes) apply, then plan again."""
    app = SandboxApp()
    try:
        app.seed(case.seed, source="random account")
    except SeedError:  # an account LuxSci would not hold (the sandbox enforces its rules)
        return Outcome("not an account")
    path = workdir / "stack.yaml"
    path.write_text(case.stack, encoding="utf-8")
    try:
        stack = load_stack(path, catalog())
    except StackFileError as error:
        named, unexplained = _rules_of([problem.message for problem in error.problems])
        if unexplained:
            return Outcome(
                "broken", named, "unexplained validation problems: " + "; ".join(unexplained)
            )
        return Outcome("refused at validate", named)

    saved = {name: os.environ.get(name) for name in (*case.environ, PASSWORD_VARIABLE)}
    os.environ.pop(PASSWORD_VARIABLE, None)
    os.environ.update(case.environ)  # secret references are read from the environment
    try:
        with _manager(app) as manager:
            return _plan_apply_plan(manager, stack)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _plan_apply_plan(manager: Manager, stack: Any) -> Outcome:
    plan = manager.plan(stack, services=list(SERVICES))
    if plan.problems:
        named, unexplained = _rules_of([problem.message for problem in plan.problems])
        if unexplained:
            return Outcome("broken", named, "unexplained plan problems: " + "; ".join(unexplained))
        return Outcome("refused at plan", named)
    plan.check_safety(force=True, allow_destructive=frozenset(_all_kinds()))
    report = manager.apply(plan, workers=2)
    if not report.succeeded:
        failed = [
            f"{r.change.action} {r.change.id}: {r.detail}"
            for r in report.results
            if r.outcome != "done"
        ]
        return Outcome("broken", [], "the plan passed, the apply did not: " + "; ".join(failed))
    again = manager.plan(stack, services=list(SERVICES))
    if again.changes or again.problems:
        rest = [f"{c.action} {c.id}" for c in again.changes] + [str(p) for p in again.problems]
        return Outcome("broken", [], "applied, but the next plan is not empty: " + "; ".join(rest))
    return Outcome("applied")


def run_export_case(seed: str, workdir: Path) -> Outcome:
    """``export`` of a random account, then ``validate`` and ``plan`` of what it wrote: the
    file must validate and plan to no changes, whatever the account holds."""
    app = SandboxApp()
    try:
        app.seed(seed, source="random account")
    except SeedError:
        return Outcome("not an account")
    with _manager(app) as manager:
        document = {}
        for name in SERVICES:
            section = manager.export(name, manager.all_owners(name), [])
            if section:
                document[name] = section
        path = workdir / "export.yaml"
        path.write_text(dump_yaml(document), encoding="utf-8")
        try:
            stack = load_stack(path, catalog())
        except StackFileError as error:
            return Outcome("broken", [], f"the export does not validate: {error}")
        plan = manager.plan(stack, services=list(SERVICES))
    if plan.changes or plan.problems:
        rest = [f"{c.action} {c.id}" for c in plan.changes] + [str(p) for p in plan.problems]
        return Outcome(
            "broken", [], "the export does not re-plan to no changes: " + "; ".join(rest)
        )
    return Outcome("applied")


def random_account(rng: random.Random) -> str:
    """A random account's seed (the same universe as ``random_case``)."""
    return _dump({"luxsci": _luxsci(rng, existing=True), "lianamailer": _lianamailer(rng)})


def _all_kinds() -> list[str]:
    return [
        f"{service.name}.{object_type.name}"
        for service in SERVICES.values()
        for object_type in service.object_types
    ]


def tally(outcomes: list[Outcome]) -> dict[str, Any]:
    """Counts of outcomes and of the rules named by refusals."""
    return {
        "outcomes": Counter(outcome.kind for outcome in outcomes),
        "rules": Counter(rule for outcome in outcomes for rule in outcome.rules),
    }
