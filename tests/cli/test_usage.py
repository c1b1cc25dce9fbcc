"""Exit codes of usage errors: 1, never 2, which means "changes pending" or "drift found"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailform.cli.main import cli


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan"], "Missing argument 'FILE'"),
        (["nosuch"], "No such command 'nosuch'"),
        (["plan", "--bogus", "stack.yaml"], "No such option '--bogus'"),
        (["plan", "--format", "html", "stack.yaml"], "Invalid value for '--format'"),
        (["plan", "missing.yaml"], "No such file or directory"),
        (["validate"], "Missing argument 'FILES...'"),
        (["sandbox", "nosuch"], "No such command 'nosuch'"),
    ],
)
def test_a_usage_error_exits_1(args: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert message in result.output


@pytest.mark.parametrize(
    "checksum", ["", "abc", "0" * 63, "g" * 64, f"sha256:{'0' * 64}", f" {'0' * 64}"]
)
def test_a_checksum_that_is_not_a_plan_checksum_exits_1_before_anything_is_read(
    checksum: str, tmp_path: Path
) -> None:
    # The stack file does not exist: the refusal comes before it (and the account) is read.
    missing = tmp_path / "stack.yaml"
    result = CliRunner().invoke(cli, ["apply", str(missing), "--yes", "--checksum", checksum])
    assert result.exit_code == 1, result.output
    assert f"{checksum!r} is not a plan checksum: that is 64 hexadecimal digits" in result.output
    assert "No such file" not in result.output


def test_help_and_version_exit_0() -> None:
    assert CliRunner().invoke(cli, ["--help"]).exit_code == 0
    version = CliRunner().invoke(cli, ["--version"], prog_name="mailform")
    assert version.exit_code == 0 and version.output.startswith("mailform, version ")


def test_the_installed_command_exits_1_on_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from mailform.cli.main import cli; cli()", "plan", "--bogus"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "No such option '--bogus'" in done.stderr
