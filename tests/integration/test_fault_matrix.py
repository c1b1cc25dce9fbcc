"""The fault matrix, bounded: the bounded version of ``benchmarks/fault_matrix.py`` (whose
docstring tells the whole story; run it by hand for every fault at several rates). Late
commits alone, and every fault at once at a low rate: the stack converges, and no duplicate
is made, hidden or traced back."""

from __future__ import annotations

import pytest

from benchmarks.fault_matrix import run_matrix, settings

pytestmark = pytest.mark.integration


def test_late_commits_and_every_fault_at_once_converge_without_duplicates() -> None:
    chosen = [*settings([0.5], ["late_commits"]), *settings([0.2], ["everything"])]
    summary = run_matrix(chosen, trials=1, size=1, reruns=6)
    counts = summary.counts()
    assert counts["converged"] == counts["trials"] == 2, summary.trials
    assert counts["duplicates"] == 0, summary.trials
    assert counts["hidden duplicates"] == 0, summary.trials
    assert counts["tracebacks"] == 0, summary.trials
