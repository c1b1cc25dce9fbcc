"""The verbs that send no request import no HTTP stack, Pulumi or sandbox: ``--help``,
``validate`` and ``schema`` start in a fraction of the time (``benchmarks/table.py``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.accounts import REPO

HEAVY = ("httpx", "pulumi", "mailform.sandbox", "deepdiff", "dns", "starlette", "uvicorn")

PROBE = """
import contextlib, io, json, sys
from mailform.cli.main import cli
with contextlib.redirect_stdout(io.StringIO()):
    try:
        cli.main(args=sys.argv[1:], standalone_mode=False)
    except SystemExit:
        pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


@pytest.mark.parametrize(
    "args", [["--help"], ["validate", "examples/accounts.yaml"], ["schema"]], ids=" ".join
)
def test_a_verb_that_sends_nothing_imports_no_http_stack(args: list[str]) -> None:
    probe = PROBE.format(heavy=HEAVY)
    result = subprocess.run(
        [sys.executable, "-c", probe, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(result.stdout.splitlines()[-1]) == []
