"""Steps the lifecycle stories of every service share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.pulumi.engine import MiniEngine, strip_secrets
from tests.pulumi.programs import Registration


def refresh_shows_drift_and_up_restores(
    engine: MiniEngine,
    urn: str,
    current: Registration,
    drift: Mapping[str, Any] | None,
    *,
    secrets: frozenset[str] = frozenset(),
) -> None:
    """After a change made by hand: refresh reports it and ``up`` puts the program back.

    ``drift`` holds the outputs the refresh must report (and the inputs it answers, in the
    declared shape, without ``secrets``); None means the change removed the object (it is
    gone, or renamed so that its key no longer exists): refresh drops it from state and
    ``up`` creates it again.
    """
    preview = engine.refresh(urn, preview=True)
    if drift is None:
        assert preview.op == "deleted"
        assert engine.refresh(urn).op == "deleted"
        assert urn not in engine.state
        assert engine.up(current.type, current.name, current.inputs).op == "create"
        return
    assert preview.op == "update"
    refreshed = engine.refresh(urn)
    assert refreshed.op == "update"
    outputs, inputs = strip_secrets(refreshed.outputs), strip_secrets(refreshed.inputs)
    for name, value in drift.items():
        assert outputs[name] == value
        assert inputs[name] == value
    declared = {name for name in current.inputs if not name.startswith("__")} - secrets
    assert {name for name in inputs if not name.startswith("__")} == declared
    # up puts the declared values back; then there is no drift left.
    assert engine.up(current.type, current.name, current.inputs).op == "update"
    assert engine.refresh(urn, preview=True).op == "same"
