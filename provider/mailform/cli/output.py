"""Terminal output for the CLI: one console for results (stdout), one for messages (stderr),
so that ``mailform plan --format json > plan.json`` stays clean; and the logs."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.logging import RichHandler

# No emoji codes: what is printed holds the user's text, and rich would turn a location at
# line 100 (`stack.yaml:100:7`) or a name such as `:smile:` into a picture.
#: Results: plans, exports, schemas.
out = Console(highlight=False, soft_wrap=True, emoji=False)
#: Progress, warnings and errors.
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


class ReaderMayLeave:
    """Standard output (or error) for a reader that may stop reading: ``mailform plan |
    head``.

    When the reader closes the pipe, the rest of the output is dropped and the command goes
    on to its end: its exit status is its own (2 for a plan with changes; an apply that was
    told ``--yes`` finishes), not click's 1 for a closed pipe, and no error is printed. The
    descriptor is pointed at the null device, so that nothing flushed later (by this
    stream's buffer, or by the interpreter) fails either. Only the console script installs
    it (``mailform.cli.main.main``).
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.reader_left = False

    def write(self, text: str) -> int:
        if not self.reader_left:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._drop_the_rest()
        return len(text)

    def flush(self) -> None:
        if not self.reader_left:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop_the_rest()

    def _drop_the_rest(self) -> None:
        self.reader_left = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        finally:
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


#: Variables whose values are credentials or passwords: never written to a log.
_SECRET_WORDS = ("SECRET", "TOKEN", "PASSWORD", "PASSWD", "KEY")


def setup_logging(verbose: int, log_file: str | None = None) -> None:
    """Warnings by default; ``-v`` info, ``-vv`` debug (request lines, never bodies).

    ``log_file`` gets every mailform log line at debug level, whatever ``verbose`` says:
    the trace of each request (method, path, status, time, attempt), never a body, and
    with the value of every secret-looking environment variable masked as a last guard.
    """
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    console = RichHandler(console=err, show_time=False, show_path=False)
    console.setLevel(level)
    handlers: list[logging.Handler] = [console]
    if log_file:
        file_handler = logging.FileHandler(Path(log_file), encoding="utf-8")
        file_handler.setLevel(logging.DEBUG)
        file_handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
        )
        file_handler.addFilter(RedactSecrets(secret_values()))
        handlers.append(file_handler)
    logging.basicConfig(
        level=logging.DEBUG if log_file else level,
        format="%(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    if verbose < 3:
        for noisy in ("httpx", "httpcore", "uvicorn", "uvicorn.access", "uvicorn.error"):
            logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def secret_values() -> list[str]:
    """The values of the environment's secret-looking variables (long enough to matter)."""
    return [
        value
        for name, value in os.environ.items()
        if any(word in name.upper() for word in _SECRET_WORDS) and len(value) >= 6
    ]


class RedactSecrets(logging.Filter):
    """Replaces known secret values in a record's message with ``***``."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = sorted(set(secrets), key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            masked = message
            for secret in self.secrets:
                masked = masked.replace(secret, "***")
            if masked != message:
                record.msg, record.args = masked, None
        return True
