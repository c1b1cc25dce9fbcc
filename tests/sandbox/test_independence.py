"""The sandbox is an independent implementation: it must not import the client or the engine,
or tests against it would only show the client agreeing with itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import mailform.sandbox

FORBIDDEN = (
    "mailform.luxsci",
    "mailform.lianamailer",
    "mailform.engine",
    "mailform.stackfile",
    "mailform.pulumi",
)
ALLOWED_THIRD_PARTY = {"starlette", "uvicorn", "httpx", "ruamel", "dns"}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_sandbox_imports_only_itself_the_stdlib_and_its_chosen_libraries() -> None:
    root = Path(mailform.sandbox.__file__).parent
    for path in root.rglob("*.py"):
        for name in imported_modules(path):
            top = name.split(".")[0]
            assert not name.startswith(FORBIDDEN), f"{path} imports {name}"
            if top == "mailform":
                assert name.startswith("mailform.sandbox"), f"{path} imports {name}"
            else:
                allowed = top in ALLOWED_THIRD_PARTY or top in sys.stdlib_module_names
                assert allowed or top == "__future__", f"{path} imports {name}"


def test_the_sandbox_never_reads_the_environment() -> None:
    """Its credentials are its own: a developer's shell may hold a real account's, and the
    sandbox's state is a file anyone may read, paste or commit."""
    root = Path(mailform.sandbox.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute):
                assert node.attr not in {"environ", "getenv", "environb"}, f"{path} reads it"
            if isinstance(node, ast.ImportFrom) and node.module == "os":
                names = {alias.name for alias in node.names}
                assert not names & {"environ", "getenv"}, f"{path} imports it"
