"""What the CLI prints is the user's text as written: no emoji codes, no markup from it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from mailform.cli.main import cli


def test_a_problem_at_line_100_keeps_its_location(tmp_path: Path) -> None:
    # rich reads ":100:" as the emoji code of 💯, and ":1234:" as 🔢.
    path = tmp_path / "stack.yaml"
    path.write_text("#\n" * 98 + "luxsci:\n  aliases: [{alias: ':1234:'}]\n")

    result = CliRunner().invoke(cli, ["validate", str(path)])

    assert result.exit_code == 1
    assert f"{path}:100:14: luxsci.aliases[0].alias: ':1234:'" in result.output


def test_a_path_that_reads_as_markup_is_printed_as_written(tmp_path: Path) -> None:
    (tmp_path / "[").mkdir()
    (tmp_path / "[" / "red].yaml").write_text("luxsci: {domains: [{}]}\n")
    (tmp_path / "[" / "b]ok.yaml").write_text("{}\n")
    broken, valid = str(tmp_path / "[" / "red].yaml"), str(tmp_path / "[" / "b]ok.yaml")
    # The first path ends in "[/red].yaml": a closing tag with no opening one, were it markup.

    result = CliRunner().invoke(cli, ["validate", broken, valid])

    assert result.exit_code == 1
    assert f"{broken}: 1 problem(s)" in result.output
    assert f"{valid}: valid (0 objects)" in result.output
