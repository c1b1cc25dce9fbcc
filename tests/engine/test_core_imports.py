"""The core builds no terminal objects: the Pulumi provider and the Python API import it, and
only the CLI colours a plan (``mailform.cli.text``).

Checked in the source rather than in ``sys.modules``: httpx imports rich for its own command
line whenever rich is installed, so a loaded rich says nothing about mailform's code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import mailform

PACKAGE = Path(mailform.__file__).parent
TERMINAL_PACKAGES = {"rich"}


def _imported_packages(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.partition(".")[0])
    return found


def test_only_the_cli_imports_rich() -> None:
    offending = {
        str(path.relative_to(PACKAGE)): sorted(_imported_packages(path) & TERMINAL_PACKAGES)
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] != "cli"
    }
    assert {name: found for name, found in offending.items() if found} == {}
    assert "rich" in _imported_packages(PACKAGE / "cli" / "text.py")
