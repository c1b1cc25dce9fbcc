"""Fixtures for stack-file tests: write YAML into a temporary stack file and load it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from mailform.stackfile import YamlSource, load_yaml

LoadStack = Callable[[str], YamlSource]


@pytest.fixture
def load_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LoadStack:
    """Write the given YAML (dedented) to `stack.yaml` and load it.

    The working directory is the temporary directory, so problems render with the short
    name `stack.yaml` as a user who typed that name would see them.
    """
    monkeypatch.chdir(tmp_path)

    def load(text: str) -> YamlSource:
        Path("stack.yaml").write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return load_yaml("stack.yaml")

    return load
