"""The installed ``mailform`` command (``mailform.cli.main:main``) as a shell runs it: it
ends the process without the interpreter's teardown, so these check that nothing is lost
on the way out: exit codes, output written to a pipe or a file, the log file, and the
embedded sandbox's state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.accounts import REPO

MAILFORM = Path(sys.executable).with_name("mailform")
ONE_DOMAIN = "luxsci:\n  domains: [{domain: example.com}]\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MAILFORM), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_the_command_is_the_exiting_entry_point() -> None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'mailform = "mailform.cli.main:main"' in text
    assert MAILFORM.exists()


def test_exit_codes_and_every_byte_of_output_survive_the_quick_exit(tmp_path: Path) -> None:
    schema = run("schema", cwd=tmp_path)
    assert schema.returncode == 0
    assert json.loads(schema.stdout)["type"] == "object"  # all of it, flushed

    (tmp_path / "bad.yaml").write_text("luxsci:\n  domains: [{domain: 'not a domain'}]\n")
    bad = run("validate", "bad.yaml", cwd=tmp_path)
    assert bad.returncode == 1 and "bad.yaml:2" in bad.stderr

    usage = run("--no-such-flag", cwd=tmp_path)
    assert usage.returncode == 1 and "No such option" in usage.stderr


def test_a_plan_apply_and_plan_against_the_embedded_sandbox_keep_its_state(
    tmp_path: Path,
) -> None:
    (tmp_path / "stack.yaml").write_text(ONE_DOMAIN, encoding="utf-8")
    log = tmp_path / "debug.log"
    planned = run("--log-file", str(log), "plan", "stack.yaml", "--sandbox", cwd=tmp_path)
    assert planned.returncode == 2, planned.stderr  # changes pending
    assert "example.com" in planned.stdout
    assert "GET" in log.read_text(encoding="utf-8")  # the log was flushed before the exit

    applied = run("apply", "stack.yaml", "--sandbox", "--yes", cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    # a new process reads the state the last one wrote: nothing left to do
    again = run("plan", "stack.yaml", "--sandbox", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_a_reader_that_stops_reading_leaves_the_exit_status_as_it_is(tmp_path: Path) -> None:
    # Within the sandbox's create limits and a domain's capacity: a plan that applies,
    # whose JSON is far more than a pipe holds.
    domains = "".join(f"    - domain: d{d}.example.com\n" for d in range(10))
    aliases = "".join(
        f"    - {{alias: a{n}@d{n % 10}.example.com, dest: [x@example.org]}}\n" for n in range(900)
    )
    (tmp_path / "stack.yaml").write_text(
        f"luxsci:\n  domains:\n{domains}  aliases:\n{aliases}", encoding="utf-8"
    )
    plan = subprocess.Popen(
        [str(MAILFORM), "plan", "stack.yaml", "--sandbox", "--format", "json"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert plan.stdout is not None and plan.stderr is not None
    assert plan.stdout.read(1) == b"{"
    plan.stdout.close()  # `| head -c 1`: the reader leaves before the plan is written
    errors = plan.stderr.read().decode()
    assert plan.wait(timeout=120) == 2, errors  # changes pending, as if it had been read
    assert "Traceback" not in errors and "Broken pipe" not in errors
