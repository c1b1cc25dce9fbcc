"""A program may register any number of resources: the SDK's provider serialisation wraps
the pickler once more on every registration (the 980th then failed with RecursionError),
and ``ObjectResource`` puts the original back before each."""

from __future__ import annotations

import pickle

from mailform.luxsci import Alias
from mailform.pulumi import resources
from tests.pulumi.programs import run_program


def _wrapping_depth() -> int:
    """How many sorting wrappers stand between the pickler and its own method."""
    depth, method = 0, pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
    while method is not resources._BATCH_SETITEMS and method.__closure__:
        method = next(
            cell.cell_contents for cell in method.__closure__ if callable(cell.cell_contents)
        )
        depth += 1
    return depth


def test_the_pickler_stays_wrapped_once_however_many_resources_register() -> None:
    def program() -> None:
        for n in range(40):
            Alias(f"a{n}", alias=f"a{n}@example.com", dest=["x@example.org"])

    registrations = run_program(program)

    assert len(registrations) == 40
    assert _wrapping_depth() <= 1
