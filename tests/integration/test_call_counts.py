"""What an apply costs on the wire, type by type, both services: one call per update and
per delete, one per create (the create's answer is the object; nothing is read back), and
for a consent type one more per site it is offered on (the API has no call that attaches
it) plus one read of the sites per run. Measured by ``benchmarks/calls.py``, whose
procedure this runs at a small size."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).parents[2] / "benchmarks" / "calls.py"


def _calls_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("calls_benchmark", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_change_costs_one_call_and_consents_one_per_site(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(os.environ, "BENCH_PASSWORD", "Bench-password-1")
    rows = _calls_benchmark().measure(per_type=3)
    measured = {(type_name, action): (changes, calls) for type_name, action, changes, calls in rows}
    # every type the API can create, update and delete is measured
    assert {action for _, action in measured} == {"create", "update", "delete"}
    assert len({type_name for type_name, _ in measured}) == 15
    for (type_name, action), (changes, calls) in measured.items():
        if type_name == "lianamailer.consent_types" and action != "update":
            # each is offered on (or withdrawn from) one site; the sites are read once
            assert changes * 2 <= calls <= changes * 2 + 1, (type_name, action)
        else:
            assert calls == changes, (type_name, action, changes, calls)
