"""What the CLI shows while it works, on stderr (stdout keeps the results: plans, exports).

On a terminal, a live display: the object types as a plan reads them, and each change's
object as an apply goes. Piped (a CI log), plain lines instead, one per type read and one
per change applied, which a log keeps readable. ``--quiet`` shows neither; warnings and
errors are always shown. ``NO_COLOR`` turns colours off (rich honours it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from mailform.cli.output import err
from mailform.engine.apply import ChangeResult
from mailform.engine.manager import ReadProgress
from mailform.engine.objecttype import ObjectType


@dataclass
class Feedback:
    """How much the CLI says while it works (``--quiet``: only warnings and errors)."""

    quiet: bool = False

    @property
    def live(self) -> bool:
        """Whether a live display fits: on a terminal, and not quiet."""
        return not self.quiet and err.is_terminal

    def note(self, message: str) -> None:
        """An informational line (what was written where), left out when quiet."""
        if not self.quiet:
            err.print(message, markup=False)

    @contextmanager
    def reading(self) -> Iterator[ReadProgress]:
        """A callback for ``Manager.plan``: each object type as it is read."""
        if not self.live:

            def line(object_type: ObjectType[Any], count: int) -> None:
                self.note(f"read {object_type.service}.{object_type.name}: {count}")

            yield line
            return
        with Progress(
            SpinnerColumn(),
            TextColumn("reading the account: {task.description}"),
            console=err,
            transient=True,
        ) as display:
            task = display.add_task("", total=None)

            def update(object_type: ObjectType[Any], count: int) -> None:
                display.update(task, description=f"{object_type.service}.{object_type.name}")

            yield update

    @contextmanager
    def applying(self, total: int) -> Iterator[Callable[[ChangeResult], None]]:
        """A callback for ``Manager.apply``: each change as it ends."""
        if not self.live:

            def line(result: ChangeResult) -> None:
                change = result.change
                self.note(f"{result.outcome}: {change.action} {change.id}")

            yield line
            return
        with Progress(
            TextColumn("applying"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=err,
            transient=True,
        ) as display:
            task = display.add_task("", total=total)

            def advance(result: ChangeResult) -> None:
                display.update(task, advance=1, description=str(result.change.id))

            yield advance


#: The feedback of this CLI run (``--quiet`` sets it).
FEEDBACK = Feedback()
