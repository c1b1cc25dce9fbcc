"""A plan that passes applies in full, and every refusal names a documented rule: checked
on random accounts and random stack files (``tests/truth/model.py``), with hypothesis
choosing them (and shrinking a failing one to a small example).

The number of cases here is bounded for CI; ``benchmarks/plan_truth.py`` runs thousands.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.truth.model import RULES, Case, random_account, random_case, run_case, run_export_case


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_a_plan_that_passes_applies_in_full(rng: random.Random) -> None:
    case = random_case(rng)
    with tempfile.TemporaryDirectory() as directory:
        outcome = run_case(case, Path(directory))
    assert outcome.kind != "broken", (
        f"{outcome.detail}\n--- account\n{case.seed}\n--- file\n{case.stack}"
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_an_export_validates_and_plans_to_no_changes(rng: random.Random) -> None:
    seed = random_account(rng)
    with tempfile.TemporaryDirectory() as directory:
        outcome = run_export_case(seed, Path(directory))
    assert outcome.kind != "broken", f"{outcome.detail}\n--- account\n{seed}"


def test_the_model_can_see_a_broken_promise(tmp_path: Path) -> None:
    """A refusal no documented rule explains is reported as broken, not as a refusal."""
    case = Case(
        seed="luxsci:\n  domains: [{domain: a.example.com}]\n",
        stack="luxsci:\n  domains: [{domain: a.example.com}]\n  servers: [{host: rs9, rate: 5}]\n",
        environ={},
    )
    assert run_case(case, tmp_path).kind == "refused at plan"
    assert "servers are provisioned by LuxSci" in RULES
    saved = RULES.pop("servers are provisioned by LuxSci")
    try:
        outcome = run_case(case, tmp_path)
    finally:
        RULES["servers are provisioned by LuxSci"] = saved
    assert outcome.kind == "broken" and "unexplained plan problems" in outcome.detail
