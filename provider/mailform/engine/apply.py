"""Apply a plan: independent changes concurrently, dependent ones in order.

Deletes run first (children before parents), then creates, replacements and updates
(parents before children). Within each phase a change starts as soon as the changes it
requires have succeeded, up to ``workers`` at a time (the clients' rate limiters keep the
total under the service's limit). When a change fails, everything that depends on it is
skipped and everything else still runs, so one bad object never blocks unrelated ones; the
report says exactly what was done, what failed and what was skipped. Because the plan is
recomputed from the live account every time, a re-run picks up where this one stopped.

An apply can be stopped (``stop``, set by the CLI on a first Ctrl-C): no new change starts,
the running ones finish, and the rest are reported as not started. A ``KeyboardInterrupt``
while changes run (a second Ctrl-C) abandons them: they are reported as abandoned, with an
unknown outcome, and the next plan shows what they did.

A service that is down stops its own changes the same way: once a change fails with
``ServiceUnavailable`` (its client's circuit breaker has seen the service fail again and
again, ``mailform.http.breaker``), no further change of that service starts; they are
reported as not started, naming the reason, and the other services' changes go on. Without
this, every change would run its own retries against the dead service, each retry taking a
place in the rate limit's window: minutes to learn what the first seconds showed.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mailform.engine.objecttype import ObjectId
from mailform.engine.plan import Action, Change, Plan
from mailform.errors import ServiceUnavailable

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What became of one change."""

    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    #: The apply was stopped, or the change's service was down, before the change started.
    NOT_STARTED = "not started"
    #: The change was running when the apply was abandoned: its outcome is unknown.
    ABANDONED = "abandoned"


@dataclass(frozen=True)
class ChangeResult:
    """The outcome of one change, with the error or the reason it was skipped."""

    change: Change
    outcome: Outcome
    detail: str = ""
    #: The exception of a failed change, for a surface that words its own hint.
    error: BaseException | None = None


@dataclass
class ApplyReport:
    """Every change's outcome, in plan order; ``unavailable`` names the services found down
    (with why), whose changes stopped starting; ``stopped`` says whether the apply was
    stopped (``stop``) or abandoned."""

    results: list[ChangeResult] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)
    stopped: bool = False

    def of(self, outcome: Outcome) -> list[ChangeResult]:
        """The results with this outcome."""
        return [result for result in self.results if result.outcome == outcome]

    @property
    def succeeded(self) -> bool:
        """Whether every change was done."""
        return all(result.outcome == Outcome.DONE for result in self.results)

    @property
    def interrupted(self) -> bool:
        """Whether the apply was stopped or abandoned (by its caller, not by a service that
        was down) before every change ran."""
        return self.stopped or any(result.outcome == Outcome.ABANDONED for result in self.results)


Progress = Callable[[ChangeResult], None]


def apply_plan(
    plan: Plan,
    sessions: Mapping[str, Any],
    *,
    workers: int = 4,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> ApplyReport:
    """Carry out ``plan`` against the services' ``sessions`` (keyed by service name).

    ``progress`` is called after each change, from the calling thread. Once ``stop`` is
    set, no further change starts; once a change of a service fails with
    ``ServiceUnavailable``, no further change of that service starts. A
    ``KeyboardInterrupt`` abandons the running changes (their threads are left to finish on
    their own) and answers the report at once.
    """
    outcomes: dict[ObjectId, ChangeResult] = {}
    down: dict[str, str] = {}
    stop = stop or threading.Event()
    abandoned = False
    deletes = [change for change in plan.changes if change.action == Action.DELETE]
    others = [change for change in plan.changes if change.action != Action.DELETE]
    running: dict[Future[None], Change] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="apply")
    try:
        for phase in (deletes, others):
            _run_phase(
                phase,
                sessions,
                pool,
                outcomes,
                progress,
                stop,
                running,
                max(1, workers),
                down,
            )
    except KeyboardInterrupt:
        abandoned = True
        pool.shutdown(wait=False, cancel_futures=True)
        for change in running.values():
            outcomes.setdefault(
                change.id,
                ChangeResult(change, Outcome.ABANDONED, "running when the apply was abandoned"),
            )
    else:
        pool.shutdown(wait=True)
    return ApplyReport(
        [
            outcomes.get(change.id)
            or ChangeResult(change, Outcome.NOT_STARTED, "the apply was stopped first")
            for change in plan.changes
        ],
        unavailable=down,
        stopped=abandoned or stop.is_set(),
    )


def _run_phase(
    changes: list[Change],
    sessions: Mapping[str, Any],
    pool: ThreadPoolExecutor,
    outcomes: dict[ObjectId, ChangeResult],
    progress: Progress | None,
    stop: threading.Event,
    running: dict[Future[None], Change],
    workers: int,
    down: dict[str, str],
) -> None:
    in_phase = {change.id for change in changes}
    waiting = deque(changes)

    def record(result: ChangeResult) -> None:
        outcomes[result.change.id] = result
        if progress is not None:
            progress(result)

    while waiting or running:
        if stop.is_set():
            waiting.clear()  # reported as not started
            if not running:
                return
        # The changes are looked at in plan order until the workers are busy; the rest wait
        # unexamined, so that a round costs the changes it looks at, not all that wait.
        not_ready = []
        while waiting and len(running) < workers:
            change = waiting.popleft()
            if change.id.service in down:
                detail = f"not attempted: {down[change.id.service]}"
                record(ChangeResult(change, Outcome.NOT_STARTED, detail))
                continue
            # A requirement of an earlier phase (a delete that frees a name) has its
            # outcome already; one outside the plan has none and is not waited for.
            required = [rid for rid in change.requires if rid in in_phase or rid in outcomes]
            blocked = [rid for rid in required if rid in outcomes and not _done(outcomes[rid])]
            if blocked:
                detail = f"needs {blocked[0]}, which {outcomes[blocked[0]].outcome}"
                record(ChangeResult(change, Outcome.SKIPPED, detail))
            elif all(rid in outcomes for rid in required):
                # Never more submitted than can run: what is queued could not be stopped.
                future = pool.submit(_execute, change, sessions[change.id.service])
                running[future] = change
            else:
                not_ready.append(change)
        waiting.extendleft(reversed(not_ready))
        if not running:
            continue
        # A bounded wait, so that a signal (Ctrl-C) is handled promptly.
        finished, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
        for future in finished:
            change = running.pop(future)
            error = future.exception()
            if error is None:
                logger.info("apply: %s %s done", change.action, change.id)
                record(ChangeResult(change, Outcome.DONE))
            else:
                logger.warning("apply: %s %s failed: %s", change.action, change.id, error)
                record(ChangeResult(change, Outcome.FAILED, str(error), error))
                if isinstance(error, ServiceUnavailable) and change.id.service not in down:
                    logger.warning(
                        "apply: %s is down; starting none of its other changes", error.service
                    )
                    down[change.id.service] = (
                        f"{error.service} looks down ({error.failures} failures in a row, "
                        f"the last: {error.last_failure})"
                    )


def _done(result: ChangeResult) -> bool:
    return result.outcome == Outcome.DONE


def _execute(change: Change, session: Any) -> None:
    object_type = change.object_type
    if change.action == Action.CREATE:
        assert change.declared is not None
        object_type.create(session, change.declared)
    elif change.action == Action.UPDATE:
        assert change.live is not None and change.declared is not None
        object_type.update(session, change.live, change.declared, change.changed)
    elif change.action == Action.REPLACE:
        assert change.live is not None and change.declared is not None
        object_type.delete(session, change.live)
        object_type.create(session, change.declared)
    elif change.action == Action.DELETE:
        assert change.live is not None
        object_type.delete(session, change.live)
