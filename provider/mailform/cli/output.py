"""Terminal output for the CLI: one console for results (stdout), one for messages (stderr),
so that ``mailform plan --format json > plan.json`` stays clean."""

from __future__ import annotations

import logging

from rich.console import Console
from rich.logging import RichHandler

#: Results: plans, exports, schemas.
out = Console(highlight=False, soft_wrap=True)
#: Progress, warnings and errors.
err = Console(stderr=True, highlight=False, soft_wrap=True)


def setup_logging(verbose: int) -> None:
    """Warnings by default; ``-v`` info, ``-vv`` debug (request lines, never bodies)."""
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level,
        format="%(name)s: %(message)s",
        handlers=[RichHandler(console=err, show_time=False, show_path=False)],
        force=True,
    )
    if verbose < 3:
        for noisy in ("httpx", "httpcore", "uvicorn", "uvicorn.access", "uvicorn.error"):
            logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
