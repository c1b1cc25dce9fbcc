"""How often the plan tells the truth, on thousands of random accounts and stack files.

Each case seeds a random account into an in-process sandbox, writes a random stack file
over the same names (``tests/truth/model.py``), and does what a user does: validate, plan,
and, when the plan passes, apply with every opt-in, then plan again. Prints how the cases
ended and which documented rules the refusals named. The promise holds when no case is
``broken``: every plan that passed applied in full and converged, and every refusal named
a documented rule. The same is checked for ``export``: whatever the account holds, the file
it writes validates and plans to no changes.

    .venv/bin/python benchmarks/plan_truth.py [--cases 5000] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.truth.model import (
    random_account,
    random_case,
    run_case,
    run_export_case,
    tally,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    broken = []
    started = time.perf_counter()
    plans, exports = [], []
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        for number in range(args.cases):
            rng = random.Random(args.seed * 1_000_003 + number)
            case = random_case(rng)
            outcome = run_case(case, workdir)
            plans.append(outcome)
            if outcome.kind == "broken":
                broken.append((number, "plan", outcome.detail))
            export = run_export_case(random_account(random.Random(-number - 1)), workdir)
            exports.append(export)
            if export.kind == "broken":
                broken.append((number, "export", export.detail))
    elapsed = time.perf_counter() - started

    plan_tally, export_tally = tally(plans), tally(exports)
    print(f"{args.cases} cases (seed {args.seed}) in {elapsed:.1f} s")
    print("plan, apply, plan again:")
    for kind, count in sorted(plan_tally["outcomes"].items()):
        print(f"  {kind:<22} {count:>6}")
    print("refusals by documented rule:")
    for rule, count in plan_tally["rules"].most_common():
        print(f"  {rule:<46} {count:>6}")
    print("export, validate, plan:")
    for kind, count in sorted(export_tally["outcomes"].items()):
        label = "validated, no changes" if kind == "applied" else kind
        print(f"  {label:<22} {count:>6}")
    print(f"broken promises: {len(broken)}")
    for number, what, detail in broken[:20]:
        print(f"  case {number} ({what}): {detail}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
