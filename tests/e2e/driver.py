"""Run one ``pulumi`` operation through the Automation API, in a process of its own.

``python -m tests.e2e.driver REQUEST_JSON`` (cwd: the project directory) selects the stack,
runs the operation with the program in this process, and prints one JSON line:
``{"code": N, "stdout": "...", "stderr": "..."}``. A process per operation gives the
program what the language host would: a fresh interpreter, the project's directory as its
working directory, its own environment. It also keeps the Pulumi SDK's process-wide
settings (engine addresses, the stack, mocks) out of the test process, whose other tests
use them.
"""

from __future__ import annotations

import json
import re
import runpy
import sys
from typing import Any

import pulumi.automation as auto


def run(request: dict[str, Any]) -> dict[str, Any]:
    program_path = request["program"]

    def program() -> None:
        runpy.run_path(program_path, run_name="__main__")

    options = auto.LocalWorkspaceOptions(
        work_dir=request["work_dir"],
        pulumi_home=request["pulumi_home"],
        env_vars=request["env"],
        pulumi_command=auto.PulumiCommand(root=request["pulumi_root"]),
    )
    stack = auto.select_stack(
        request["stack"], project_name=request["project"], program=program, opts=options
    )
    stdout: list[str] = []
    stderr: list[str] = []
    code = 0
    try:
        getattr(stack, request["operation"])(
            color="never", on_output=stdout.append, on_error=stderr.append, **request["options"]
        )
    except auto.errors.CommandError as error:
        match = re.search(r"code: (-?\d+)", str(error))
        code = int(match.group(1)) if match else 1
        stderr.append(str(error))
    return {"code": code, "stdout": "\n".join(stdout), "stderr": "\n".join(stderr)}


if __name__ == "__main__":
    result = run(json.loads(sys.argv[1]))
    sys.stdout.write(json.dumps(result) + "\n")
