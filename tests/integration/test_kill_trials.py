"""kill -9 in the middle of ``mailform apply``, and unattended re-runs: the bounded version
of ``benchmarks/kill_trials.py`` (whose docstring tells the whole story; run it by hand for
fifty trials). One trial here, to keep the suite's time bounded; the deterministic case
is ``test_recovery.py``."""

from __future__ import annotations

import pytest

from benchmarks.kill_trials import run_trials

pytestmark = pytest.mark.integration


def test_an_apply_killed_at_random_converges_on_rerun_without_force() -> None:
    # The kills come after 1 to 40 of the apply's 52 changes: no uninterrupted apply is
    # run first to count them, to keep the test short.
    summary = run_trials(1, seed=14, changes=40)
    counts = summary.counts()
    assert counts["killed mid-apply"] >= 1, counts
    assert counts["converged"] == 1, summary.trials
    assert counts["refused (needed --force)"] == 0, summary.trials
    assert counts["duplicates"] == 0, summary.trials
    assert counts["tracebacks"] == 0, summary.trials
    assert counts["secrets found"] == 0, summary.trials
