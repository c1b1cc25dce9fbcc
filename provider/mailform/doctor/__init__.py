"""``mailform doctor``: check every API assumption against a real account, reading only.

For each service, doctor puts a ``Watch`` on the session's client (every request passes a
read-only guard before it is sent, every answer is recorded as the server sent it), lets
the service's ``Checklist`` make its reads (the lists a plan makes, one detail read per type
where the account has an object, a read of an object that cannot exist), and, once the
session is closed (LuxSci's revoke is an answer too), asks each registered assumption what
it makes of what was seen. The result is a ``Report``: per assumption, confirmed,
contradicted (with what was seen), not checkable read-only (with how to check it by hand) or
not seen (this account gave nothing to look at).

Exit codes (the CLI's): 0 when nothing is contradicted, 2 when something is, 1 when the
examination could not be made (no answer, a refused authentication).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from mailform.assumptions import SERVICE_NAMES, Checklist, checklist
from mailform.assumptions.base import Assumption, Finding, Observed, Status
from mailform.doctor.watch import ReadOnlyViolation, Watch
from mailform.engine.session import Session
from mailform.errors import MailformError

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CONTRADICTED = 2


@dataclass(frozen=True)
class Result:
    """One assumption and what the examination found."""

    assumption: Assumption
    finding: Finding

    @property
    def status(self) -> Status:
        """The finding's status."""
        return self.finding.status


@dataclass(frozen=True)
class ServiceReport:
    """What doctor found for one service: ``account`` says which account was examined (no
    secret), ``requests`` how many requests of each method were sent, ``error`` why the
    examination stopped early, if it did."""

    service: str
    account: str
    results: tuple[Result, ...]
    requests: dict[str, int]
    error: str | None = None

    def count(self, status: Status) -> int:
        """How many assumptions have this status."""
        return sum(1 for result in self.results if result.status is status)


@dataclass(frozen=True)
class Report:
    """Every examined service's ``ServiceReport``."""

    services: tuple[ServiceReport, ...]

    @property
    def results(self) -> list[Result]:
        """Every result, service by service."""
        return [result for service in self.services for result in service.results]

    def count(self, status: Status) -> int:
        """How many assumptions have this status, over every service."""
        return sum(service.count(status) for service in self.services)

    @property
    def errors(self) -> list[str]:
        """Why examinations stopped early, each naming its service."""
        return [
            s.error if s.error.startswith(f"{s.service}:") else f"{s.service}: {s.error}"
            for s in self.services
            if s.error
        ]

    @property
    def exit_code(self) -> int:
        """1 when an examination failed, else 2 when something is contradicted, else 0."""
        if self.errors:
            return EXIT_ERROR
        return EXIT_CONTRADICTED if self.count(Status.CONTRADICTED) else EXIT_OK


@dataclass
class Doctor:
    """Examines sessions and reports on them: ``examine`` each service's session while it
    is open, ``report`` once they are closed."""

    _examined: dict[str, tuple[Checklist, Observed, Watch]] = field(default_factory=dict)

    def examine(
        self, service: str, session: Session[Any], owners: frozenset[str] = frozenset()
    ) -> None:
        """Watch the session's client and make the service's reads. An examination that
        cannot go on (no answer, a refused authentication) is noted, not raised; a request
        that is not a read is never sent (``ReadOnlyViolation``, raised: a bug)."""
        rules = checklist(service)
        observed = Observed(service)
        watch = Watch(rules.is_read, observed)
        session.client.watch(request=watch.guard, response=watch.record)
        self._examined[service] = (rules, observed, watch)
        try:
            rules.examine(session, observed, owners)
        except ReadOnlyViolation:
            raise
        except MailformError as error:
            logger.info("examine: %s: stopped: %s", service, error)
            observed.error = str(error)

    def report(self, accounts: dict[str, str] | None = None) -> Report:
        """What each examined service's answers say of its assumptions."""
        services = []
        for name in SERVICE_NAMES:
            if name not in self._examined:
                continue
            rules, observed, watch = self._examined[name]
            results = tuple(Result(a, a.examine(observed)) for a in rules.assumptions)
            services.append(
                ServiceReport(
                    name,
                    (accounts or {}).get(name, ""),
                    results,
                    dict(Counter(watch.methods)),
                    observed.error,
                )
            )
        return Report(tuple(services))


__all__ = ["EXIT_CONTRADICTED", "EXIT_ERROR", "EXIT_OK", "Doctor", "Report", "Result"]
