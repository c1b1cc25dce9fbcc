"""The README's sample pull-request comment is what the renderer makes of the sample plan,
not text written by hand: regenerate it with ``scripts/sample-pr-comment README.md``."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]


def test_the_readme_shows_the_comment_the_code_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMPLE_CAROL_PASSWORD", "not-shown")
    script = runpy.run_path(str(REPO / "scripts" / "sample-pr-comment"), run_name="sample")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert script["with_sample"](readme) == readme, (
        "the README's sample comment is out of date: run scripts/sample-pr-comment README.md"
    )
    assert "not-shown" not in readme
