"""Planning without the network: how long ``build_plan`` takes for N alias creates (and
their domains): the diff, the dependency links, the ordering, the limits; and the time per
object, which stays flat when the growth is linear (the dependency links were once
quadratic: 20,000 creates took 9.1 s).

    .venv/bin/python benchmarks/diff.py --sizes 1000,5000,20000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "provider"))

from mailform.engine.diff import DeclaredObject, build_plan
from mailform.services.luxsci.objects.alias import ALIASES, Alias
from mailform.services.luxsci.objects.domain import DOMAINS, Domain
from mailform.services.luxsci.service import OBJECT_TYPES


def declared(size: int) -> list[DeclaredObject]:
    """``size`` aliases, 100 to a domain (a domain's cap), and their domains."""
    domains = [
        DeclaredObject(DOMAINS, Domain(domain=f"d{n}.example.com")) for n in range(size // 100)
    ]
    aliases = [
        DeclaredObject(
            ALIASES, Alias(alias=f"a{n:06}@d{n // 100}.example.com", dest=["x@example.org"])
        )
        for n in range(size)
    ]
    return [*domains, *aliases]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    print(f"{'N':>7}  {'plan s':>7}  {'us per object':>13}")
    for size in sizes:
        objects = declared(size)
        started = time.perf_counter()
        limits = {"luxsci.aliases": size, "luxsci.domains": size}
        plan = build_plan(objects, [], OBJECT_TYPES, create_limits=limits)
        seconds = time.perf_counter() - started
        assert len(plan.changes) == len(objects) and not plan.problems, plan.problems[:3]
        print(f"{size:>7}  {seconds:>7.2f}  {seconds / size * 1e6:>13.1f}")


if __name__ == "__main__":
    main()
